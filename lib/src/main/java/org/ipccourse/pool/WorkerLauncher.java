package org.ipccourse.pool;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Builds the command line of a worker JVM: same java, pool classes plus the owner's class path. */
final class WorkerLauncher {
    /**
     * The suffix of the worker jar beside the library jar ({@code ipc-course-lib-worker.jar}, made
     * by the build): the same classes, with a class path that names only the bytecode library
     * a worker uses for notebook cells.
     */
    static final String WORKER_JAR_SUFFIX = "-worker.jar";

    private WorkerLauncher() {
    }

    /**
     * Start-up options every worker gets (measured on the course machines, see ProcessPool's
     * javadoc), besides its collector ({@link #collectorOptions}): no perf-data file; VM messages
     * and JVM logging to stderr, except class-data sharing's (a refused archive is skipped, as
     * {@code -Xshare:auto} says, and JDK 25 reports a refusal as an error in four lines a notebook
     * would show), crash reports to a file, no core dump (a core file would put the worker's
     * memory, the task's data included, on disk). The JDK's attach mechanism is off ({@code
     * -XX:+DisableAttachMechanism}): no other process of the user, another worker's task
     * included, can load an agent into a worker through it; the price is that {@code jcmd},
     * {@code jstack} and attaching profilers cannot inspect a worker ({@code
     * -XX:-DisableAttachMechanism} in {@link ProcessPool.Builder#workerJvmOptions} turns it back
     * on). That is what the JDK can harden from inside, and it does not make a worker a sandbox
     * (see ProcessPool's "What processes buy"): the JDK cannot make a process undumpable ({@code
     * prctl(PR_SET_DUMPABLE, 0)} needs native code on JDK 17; the foreign function API that could
     * call it is final only from JDK 22), run it as another user, or confine it with seccomp. A
     * user option that logs to stdout ({@code -Xlog:gc} without {@code :stderr}) breaks the
     * protocol, which the owner reports as a corrupted stream.
     */
    static List<String> defaultOptions() {
        String errorFile = Path.of(System.getProperty("java.io.tmpdir"), "ipc-pool-worker-hs_err_pid%p.log").toString();
        // Unified logging writes to stdout by default (e.g. JFR's start-up message): send it to stderr.
        return List.of("-Xshare:auto", "-XX:-UsePerfData",
                "-XX:+DisplayVMOutputToStderr", "-Xlog:disable", "-Xlog:all=warning:stderr", "-Xlog:cds*=off:stderr",
                "-XX:ErrorFile=" + errorFile, "-XX:-CreateCoredumpOnCrash", "-XX:+DisableAttachMechanism");
    }

    /**
     * The worker's collector, unless {@code userOptions} choose one ({@code -XX:+Use...GC}: two
     * would stop the JVM with "Multiple garbage collectors selected"). From JDK 18 on, the serial
     * collector, which suits one task thread, with arrays over 1 MiB (a large task's frame, the
     * array it decodes into) allocated in the old generation at once, so that decoding a large
     * message does not copy it out of the young generation (measured: a 100 MiB {@code double[]}
     * decoded in 10-13 ms instead of 17-19). On JDK 17, G1, the JVM's own default: there the
     * class-data-sharing archive's heap objects, the archived module graph among them, load only
     * with G1 (the serial collector gained them in JDK 18), and without them a worker starts
     * slower. Measured on the course machine, JDK 17, 2 workers, later pools of one JVM in
     * alternating runs, G1 against serial: start-up median 140 against 160 ms unpinned (12 pools
     * each), 233 against 349 ms pinned (9 each); a fresh pool's task 1 14-22 against 24-47 ms
     * unpinned, 74-87 against 107-190 ms pinned; the steady round trip and the 100 MiB pipe path
     * unchanged (G1 allocates so large an array in the old generation by itself); resident memory
     * of the two workers after 5,000 tasks 41 and 62 MB against 39 and 59 MB.
     */
    static List<String> collectorOptions(List<String> userOptions) {
        for (String option : userOptions) {
            if (option.startsWith("-XX:+Use") && option.endsWith("GC")) {
                return List.of();
            }
        }
        return Runtime.version().feature() >= 18
                ? List.of("-XX:+UseSerialGC", "-XX:PretenureSizeThreshold=1m")
                : List.of("-XX:+UseG1GC");
    }

    /** {@link #defaultOptions()} and the collector for {@code userOptions} ({@link #collectorOptions}). */
    static List<String> startOptions(List<String> userOptions) {
        List<String> options = new ArrayList<>(defaultOptions());
        options.addAll(collectorOptions(userOptions));
        return options;
    }

    /**
     * The worker's command: java, {@link #defaultOptions()}, the collector ({@link
     * #collectorOptions}), the workers' class-data archive when there is one ({@link
     * WorkerArchive}), the user's options (which win), the class path and the main class.
     */
    static List<String> command(List<String> userOptions) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaCommand());
        cmd.addAll(startOptions(userOptions));
        Path pool = poolClasses();
        cmd.addAll(WorkerArchive.options(workerJar(pool)));
        cmd.addAll(userOptions);
        cmd.add("-cp");
        cmd.add(classPath(pool, System.getProperty("java.class.path", "")));
        cmd.add(WorkerMain.class.getName());
        return cmd;
    }

    static String javaCommand() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** Where the pool classes come from, as the worker's class path names it; null when not a file. */
    static Path poolClasses() {
        CodeSource source = WorkerMain.class.getProtectionDomain().getCodeSource();
        if (source != null && source.getLocation() != null) {
            try {
                return Path.of(source.getLocation().toURI());
            } catch (URISyntaxException | IllegalArgumentException e) {
                // not a file location; the class path must then hold the pool classes
            }
        }
        return null;
    }

    private static String absolute(String entry) {
        try {
            return Path.of(entry).toAbsolutePath().normalize().toString();
        } catch (java.nio.file.InvalidPathException e) {
            return entry; // the worker's JVM will say what is wrong with it
        }
    }

    /**
     * The worker's class path: the pool classes first, then the owner's class path in its order,
     * made absolute. When the pool classes come from the library jar and its worker jar
     * ({@link #WORKER_JAR_SUFFIX}) lies beside it, at least as new, the worker jar comes first and
     * the library jar last: the library jar's manifest names every jar of the display libraries,
     * which a worker then opens, one after the other, the first time it looks up a class of its
     * task that is not in the library (measured on the course machine: 25 jars, about 30 ms of
     * task 1 of a fresh pool spent reading their directories). They stay on the class path, after
     * the owner's own entries, for a task that uses them. {@code pool}: where the pool classes
     * are ({@link #poolClasses}; null: on the class path).
     */
    static String classPath(Path pool, String ownerClassPath) {
        Set<String> entries = new LinkedHashSet<>();
        Path workerJar = workerJar(pool);
        if (workerJar != null) {
            entries.add(workerJar.toString());
        } else if (pool != null) {
            entries.add(pool.toString());
        }
        for (String e : ownerClassPath.split(File.pathSeparator)) {
            if (!e.isBlank()) {
                // absolute, so that a worker's class path is the same whatever directory and spelling
                // the owner was started with
                String entry = absolute(e);
                if (workerJar == null || !entry.equals(pool.toString())) {
                    entries.add(entry);
                }
            }
        }
        if (workerJar != null) {
            entries.add(pool.toString());
        }
        return String.join(File.pathSeparator, entries);
    }

    /** The worker jar beside the library jar {@code pool}, or null: none, older, or not a jar. */
    static Path workerJar(Path pool) {
        if (pool == null || !pool.toString().endsWith(".jar") || !Files.isRegularFile(pool)) {
            return null;
        }
        String name = pool.getFileName().toString();
        Path worker = pool.resolveSibling(name.substring(0, name.length() - ".jar".length()) + WORKER_JAR_SUFFIX);
        try {
            return Files.isRegularFile(worker)
                    && Files.getLastModifiedTime(worker).compareTo(Files.getLastModifiedTime(pool)) >= 0
                    ? worker : null;
        } catch (IOException e) {
            return null;
        }
    }
}
