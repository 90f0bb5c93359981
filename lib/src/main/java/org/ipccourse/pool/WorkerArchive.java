package org.ipccourse.pool;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

/**
 * The workers' class-data archive (application CDS, a dynamic archive on top of the JDK's default
 * one): the classes a worker loads until it is ready and over its first tasks, from the library
 * jar and from the JDK, already parsed and verified, with the lambda forms they spin. A worker
 * maps them instead of reading, parsing and verifying them one by one.
 *
 * <p>It is made at set-up ({@code ./course} runs {@code java -cp LIB_JAR
 * org.ipccourse.pool.WorkerArchive}) by a training run: a pool of one worker started with
 * {@code -XX:ArchiveClassesAtExit} runs a few thousand tasks of each kind (lambdas, map chunks,
 * Java-serialized values, bulk arrays, output, failures) and is closed; the worker writes the
 * archive as it exits. The file lies beside the jar, named after a key of the jar (its path as the
 * worker's class path names it, its size and modification time) and of the JVM (its home and
 * version), so a changed jar or another JDK finds no archive of its name and runs without one:
 * a stale archive is never used. The JVM checks the rest itself (the class path must start with
 * the archived one): workers run with {@code -Xshare:auto}, so an archive it refuses is skipped,
 * never fatal. Without the jar (tests run from class directories, which the JDK refuses to
 * archive) or without an archive, workers start as before.
 *
 * <p>Costs: the training run takes a few seconds at set-up; the archive is some megabytes; a
 * worker looks for it with one file-system lookup per pool. What it buys is measured by
 * {@code ./course bench pool} (start-up and the first tasks) and given in {@link WorkerLauncher}.
 *
 * <p><b>Off unless asked for</b> ({@link #ON_PROPERTY}): workers that map it run the pool's
 * steady state slower. Measured on the course machine in one session, {@code JavaCosts} (the
 * figures of {@code ./course bench pool}) with and without it, after the same warm-up: {@code map}
 * with the default chunk size 0.34 against 0.11 µs per task unpinned and 1.28 against 0.24 µs
 * pinned; {@code map} with chunk size 1 17.4 against 6.8 µs and 36.7 against 24.3 µs; the round
 * trip 11.6 against 9.3 µs; start-up 124 against 157 ms unpinned and 274 against 334 ms pinned.
 * So it buys a quarter of the start-up and costs up to five times the per-task cost the notebooks
 * measure. Why is not known yet, nor why an earlier run of the same benchmark with an archive
 * in place showed no such slowdown (0.08 µs per task for {@code map} with the default chunk size).
 */
final class WorkerArchive {
    /** Bumped when the training or the worker's default options change what an archive holds. */
    private static final int FORMAT = 1;
    /** Tasks of the training run's main loop. */
    private static final int TRAINING_TASKS = 3000;
    /** {@code -Dipccourse.pool.workerArchive=true} starts workers with it (read each time, for measurements). */
    static final String ON_PROPERTY = "ipccourse.pool.workerArchive";

    private WorkerArchive() {
    }

    /** The archive for workers whose pool classes come from {@code jar}, existing or not. */
    static Path archiveFor(Path jar) throws IOException {
        BasicFileAttributes a = Files.readAttributes(jar, BasicFileAttributes.class);
        String key = String.join("\n", jar.toString(), Long.toString(a.size()),
                Long.toString(a.lastModifiedTime().toMillis()), System.getProperty("java.home"),
                System.getProperty("java.vm.version"), Integer.toString(FORMAT));
        CRC32 crc = new CRC32();
        crc.update(key.getBytes(StandardCharsets.UTF_8));
        String name = jar.getFileName().toString().replaceFirst("\\.jar$", "");
        return jar.resolveSibling(String.format(Locale.ROOT, "%s.worker-%08x.jsa", name, crc.getValue()));
    }

    /** The options that give a worker its archive: none when there is no jar or no archive for it. */
    static List<String> options() {
        Path jar = WorkerLauncher.libraryJar();
        if (jar == null || !Boolean.parseBoolean(System.getProperty(ON_PROPERTY, "false"))) {
            return List.of();
        }
        try {
            Path archive = archiveFor(jar);
            return Files.isRegularFile(archive) ? List.of("-XX:SharedArchiveFile=" + archive) : List.of();
        } catch (IOException | RuntimeException e) {
            return List.of(); // no archive is always safe
        }
    }

    /**
     * Makes the archive for the library jar this class was loaded from, unless it exists: a
     * training run into a temporary file, a check that a JVM maps it ({@code -Xshare:on}), then
     * the file takes its name and older archives of the jar are removed. Prints one line when it
     * made one; exits with status 2 and a message when it could not (workers then run without).
     */
    public static void main(String[] args) throws Exception {
        if (args.length == 1 && args[0].equals("--mapped")) {
            return; // the check of a new archive: the JVM started with it
        }
        Path jar = WorkerLauncher.libraryJar();
        if (jar == null) {
            fail("the pool classes are not in a jar (class path " + System.getProperty("java.class.path")
                    + "); run it as java -cp path/to/ipc-course-lib.jar " + WorkerArchive.class.getName());
        }
        Path archive = archiveFor(jar);
        if (Files.isRegularFile(archive)) {
            return;
        }
        Path tmp = Files.createTempFile(jar.getParent(), "worker-archive-", ".jsa.tmp");
        Files.delete(tmp); // the JVM writes it
        try {
            long t0 = System.nanoTime();
            train(tmp);
            if (!Files.isRegularFile(tmp) || Files.size(tmp) == 0) {
                fail("the training worker wrote no archive to " + tmp);
            }
            verify(tmp);
            removeOlder(jar);
            Files.move(tmp, archive, StandardCopyOption.ATOMIC_MOVE);
            System.out.printf(Locale.ROOT, "course: worker class-data archive %s (%.1f MiB, %.1f s)%n", archive,
                    Files.size(archive) / 1048576.0, (System.nanoTime() - t0) / 1e9);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void train(Path out) throws Exception {
        System.setProperty("ipccourse.pool.exitGraceMillis", "60000"); // the worker writes the archive as it exits
        try (ProcessPool pool = ProcessPool.builder().workers(1)
                .workerJvmOptions(List.of("-XX:ArchiveClassesAtExit=" + out, "-Xlog:cds=error:stderr")).build()) {
            exercise(pool, TRAINING_TASKS);
        }
    }

    /** A value that travels by Java serialization (a record), as a notebook's own types do. */
    private record Point(int x, double y) implements java.io.Serializable {
    }

    /**
     * What a notebook's first tasks do, so that the classes of each path are archived: single
     * round trips, {@code map} in chunks, results and captures in each encoding, printed output,
     * failures.
     */
    static void exercise(ProcessPool pool, int tasks) throws Exception {
        java.io.PrintStream out = System.out;
        System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream(), true)); // the tasks' output
        try {
            for (int i = 0; i < tasks; i++) {
                int n = i;
                pool.submit(() -> n).join();
            }
            List<Integer> inputs = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                inputs.add(i);
            }
            pool.map(x -> x * 2, inputs, 1);
            pool.map(x -> "item " + x, inputs);
            double[] data = new double[1 << 18];
            pool.submit(() -> data.length + List.of("a", "b").size() + (long) data[0]).join();
            pool.submit(() -> new Point(1, 2.5)).join();
            pool.submit(() -> List.of(new Point(3, 4), "text", 5L, new double[1 << 18])).join();
            pool.submit(() -> {
                System.out.println("output from a task");
                return 0;
            }).join();
            pool.submit((SerializableRunnable) () -> { }).get();
            try {
                pool.submit(() -> {
                    throw new IllegalStateException("a failing task");
                }).join();
            } catch (java.util.concurrent.CompletionException expected) {
                // the failure path is what was exercised
            }
        } finally {
            System.setOut(out);
        }
    }

    /** A JVM with the worker's options must map the archive ({@code -Xshare:on} fails otherwise). */
    private static void verify(Path archive) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(WorkerLauncher.javaCommand()));
        cmd.addAll(WorkerLauncher.defaultOptions());
        cmd.addAll(List.of("-Xshare:on", "-XX:SharedArchiveFile=" + archive, "-cp", WorkerLauncher.classPath(),
                WorkerArchive.class.getName(), "--mapped"));
        // Its output goes to a file, read after the wait: reading a pipe first would wait for ever
        // on a JVM that hangs instead of exiting.
        Path output = Files.createTempFile("ipc-course-archive-check", ".txt");
        String problem = null;
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            boolean exited = p.waitFor(60, TimeUnit.SECONDS);
            if (!exited) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                problem = "it did not exit within 60 s";
            } else if (p.exitValue() != 0) {
                problem = new String(Files.readAllBytes(output), StandardCharsets.UTF_8).trim();
            }
        } finally {
            Files.deleteIfExists(output);
        }
        if (problem != null) {
            fail("a JVM could not use the new archive " + archive + ": " + problem);
        }
    }

    private static void removeOlder(Path jar) throws IOException {
        String name = jar.getFileName().toString().replaceFirst("\\.jar$", "");
        try (DirectoryStream<Path> old = Files.newDirectoryStream(jar.getParent(), name + ".worker-*.jsa")) {
            for (Path p : old) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static void fail(String why) {
        System.err.println("course: no worker class-data archive: " + why);
        System.exit(2);
    }
}
