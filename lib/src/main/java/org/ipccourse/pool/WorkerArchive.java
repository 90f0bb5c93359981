package org.ipccourse.pool;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * The workers' class-data archive: the classes a worker loads until it is ready and over its
 * first tasks, from the worker jar and from the JDK, parsed, verified and linked once, with the
 * lambda classes they spin (a dynamic archive over the JDK's default one). A worker whose class
 * path starts with the worker jar maps them instead of loading them one by one.
 *
 * <p>Set-up makes it ({@code ./course} and the kernel's install run {@code java -cp
 * ipc-course-lib-worker.jar org.ipccourse.pool.WorkerArchive}): a training pool of one worker,
 * whose class path is the worker jar alone, runs the kinds of tasks a notebook sends and closes,
 * and the worker writes the archive as it exits. The JVM maps a dynamic archive only when a
 * worker's class path starts with the one it was made with, which the worker jar alone always is
 * ({@link WorkerLauncher#classPath}), whatever the owner adds after it. The file lies beside the
 * worker jar, named after the JVM's version, and is used only when it is newer than the jar;
 * the JVM checks the rest (the jars' sizes and times, its own build) and, as workers run with
 * {@code -Xshare:auto}, skips an archive it refuses instead of failing.
 *
 * <p>Measured on the course machine, JDK 17, G1, 2 workers, later pools of one JVM, alternating
 * runs of 3 pools with and without it ({@code -Dipccourse.pool.workerArchive=false}): start-up
 * 75-97 against 98-182 ms unpinned (4 runs each), 119-244 against 150-232 ms pinned (3 each);
 * the steady round trip (7-8 against 8-9 µs, {@code WarmupCurve}) and {@code map} per task
 * unchanged within their spread. (An earlier archive, made from the library jar and used by
 * workers on the serial collector, made {@code map} slower; it was removed, and that slowdown did
 * not show with this one.)
 *
 * <p>Costs: a few seconds at set-up (1.5-2.5 s measured), about 2 MiB of disk per JDK; two
 * file-system lookups per worker started. {@code -Dipccourse.pool.workerArchive=false} on the
 * owner turns it off (read each time, for measurements).
 */
final class WorkerArchive {
    /** {@code false} on the owner: workers start without the archive. */
    static final String PROPERTY = "ipccourse.pool.workerArchive";
    /** Single round trips of the training run. */
    private static final int TRAINING_TASKS = 3000;

    private WorkerArchive() {
    }

    /** The archive of {@code workerJar} for this JVM, whether it exists or not. */
    static Path archiveFor(Path workerJar) {
        String jvm = System.getProperty("java.vm.version", "unknown").replaceAll("[^A-Za-z0-9.]", "_");
        String name = workerJar.getFileName().toString().replaceFirst("\\.jar$", "");
        return workerJar.resolveSibling(name + "." + jvm + ".jsa");
    }

    /** The options that give a worker the archive of {@code workerJar}: none without a jar, an archive newer than it, or when turned off. */
    static List<String> options(Path workerJar) {
        if (workerJar == null || !Boolean.parseBoolean(System.getProperty(PROPERTY, "true"))) {
            return List.of();
        }
        try {
            Path archive = archiveFor(workerJar);
            return Files.isRegularFile(archive)
                    && Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(workerJar)) >= 0
                    ? List.of("-XX:SharedArchiveFile=" + archive) : List.of();
        } catch (IOException | RuntimeException e) {
            return List.of(); // no archive is always safe
        }
    }

    /**
     * Makes the archive of the worker jar this class was loaded from, unless an up-to-date one
     * exists: a training run into a temporary file, a check that a JVM maps it ({@code
     * -Xshare:on}), then the file takes its name. Prints one line when it made one; exits with
     * status 2 and a message when it could not (workers then start without it).
     */
    public static void main(String[] args) throws Exception {
        if (args.length == 1 && args[0].equals("--mapped")) {
            return; // the check of a new archive: this JVM started with it
        }
        Path jar = WorkerLauncher.poolClasses();
        String classPath = System.getProperty("java.class.path", "");
        if (jar == null || !jar.toString().endsWith(WorkerLauncher.WORKER_JAR_SUFFIX)
                || !Path.of(classPath).toAbsolutePath().normalize().equals(jar)) {
            fail("run it with the worker jar alone on the class path: java -cp path/to/ipc-course-lib"
                    + WorkerLauncher.WORKER_JAR_SUFFIX + " " + WorkerArchive.class.getName() + " (the class path was "
                    + classPath + ")");
        }
        if (!options(jar).isEmpty()) {
            return;
        }
        Path archive = archiveFor(jar);
        Path tmp = Files.createTempFile(jar.getParent(), "worker-archive-", ".jsa.tmp");
        Files.delete(tmp); // the JVM writes it
        try {
            long t0 = System.nanoTime();
            train(tmp);
            if (!Files.isRegularFile(tmp) || Files.size(tmp) == 0) {
                fail("the training worker wrote no archive to " + tmp);
            }
            verify(jar, tmp);
            Files.move(tmp, archive, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
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
            exercise(pool);
        }
    }

    /** A value that travels by Java serialization, as a notebook's own records do. */
    private record Point(int x, double y) implements Serializable {
    }

    /** What a notebook's first tasks do, so that each path's classes are archived. */
    private static void exercise(ProcessPool pool) throws Exception {
        PrintStream out = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream(), true)); // what the tasks print
        try {
            for (int i = 0; i < TRAINING_TASKS; i++) {
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
            } catch (CompletionException expected) {
                // the failure path is what was exercised
            }
        } finally {
            System.setOut(out);
        }
    }

    /** A JVM started as a worker is, with the new archive and {@code -Xshare:on}, must map it. */
    private static void verify(Path jar, Path archive) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(WorkerLauncher.javaCommand()));
        cmd.addAll(WorkerLauncher.startOptions(List.of()));
        cmd.addAll(List.of("-Xshare:on", "-XX:SharedArchiveFile=" + archive, "-cp", jar.toString(),
                WorkerArchive.class.getName(), "--mapped"));
        // Output to a file, read after the wait: reading a pipe first would wait for ever on a JVM that hangs.
        Path output = Files.createTempFile("ipc-course-archive-check", ".txt");
        String problem = null;
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
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
            fail("a JVM could not map the new archive " + archive + ": " + problem);
        }
    }

    private static void fail(String why) {
        System.err.println("course: no worker class-data archive: " + why);
        System.exit(2);
    }
}
