package org.ipccourse.pool;

import java.io.File;
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
    private WorkerLauncher() {
    }

    /**
     * Start-up options every worker gets (measured on the course machines, see ProcessPool's
     * javadoc): the serial collector starts fastest and suits one task thread on a small heap;
     * arrays over 1 MiB (a large task's frame, the array it decodes into) are allocated in the old
     * generation at once, so that decoding a large message does not copy the frame out of the
     * young generation (measured: 100 MiB {@code double[]} decoded in 10-13 ms instead of 17-19);
     * no perf-data file; VM messages and JVM logging to stderr, except class-data sharing's (a
     * refused archive is skipped, as {@code -Xshare:auto} says, and JDK 25 reports a refusal as
     * an error in four lines a notebook would show), crash reports to a file, no core
     * dump (a core file would put the worker's memory, the task's data included, on disk). The
     * JDK's attach mechanism is off ({@code -XX:+DisableAttachMechanism}): no other process of
     * the user, another worker's task included, can load an agent into a worker through it; the
     * price is that {@code jcmd}, {@code jstack} and attaching profilers cannot inspect a worker
     * ({@code -XX:-DisableAttachMechanism} in {@link ProcessPool.Builder#workerJvmOptions} turns
     * it back on). That is what the JDK can harden from inside, and it does not make a worker a
     * sandbox (see ProcessPool's "What processes buy"): the JDK cannot make a process undumpable
     * ({@code prctl(PR_SET_DUMPABLE, 0)} needs native code on JDK 17; the foreign function API
     * that could call it is final only from JDK 22), run it as another user, or confine it with
     * seccomp. A user option that logs to stdout ({@code -Xlog:gc} without {@code :stderr}) breaks the protocol,
     * which the owner reports as a corrupted stream.
     */
    static List<String> defaultOptions() {
        String errorFile = Path.of(System.getProperty("java.io.tmpdir"), "ipc-pool-worker-hs_err_pid%p.log").toString();
        // Unified logging writes to stdout by default (e.g. JFR's start-up message): send it to stderr.
        return List.of("-Xshare:auto", "-XX:+UseSerialGC", "-XX:PretenureSizeThreshold=1m", "-XX:-UsePerfData",
                "-XX:+DisplayVMOutputToStderr", "-Xlog:disable", "-Xlog:all=warning:stderr", "-Xlog:cds*=off:stderr",
                "-XX:ErrorFile=" + errorFile, "-XX:-CreateCoredumpOnCrash", "-XX:+DisableAttachMechanism");
    }

    /**
     * The worker's command: java, {@link #defaultOptions()}, the class-data archive made by set-up
     * for the library jar when there is one and it is asked for ({@link WorkerArchive}, off by
     * default: it slows the steady state, see there; the classes a worker loads up
     * to its first tasks, mapped instead of read, parsed and verified), the user's options (which
     * win), the class path and the main class. Measured on the course machine while other jobs
     * loaded it (load average 7-8 on 2 cores), 8 pools of 2 workers each with and without the
     * archive, interleaved in one JVM: pinned to one CPU, the workers were ready in 273 ms
     * (median; 228-421) against 421 ms (340-494) and the first task took 129 against 161 ms;
     * unpinned, start-up did not differ measurably (433 against 411 ms) and the first task took
     * 96 against 111 ms. A worker then loads all its classes from archives (about 650 to ready,
     * 45 more in its first task), none from the jar.
     */
    static List<String> command(List<String> userOptions) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaCommand());
        cmd.addAll(defaultOptions());
        cmd.addAll(WorkerArchive.options());
        cmd.addAll(userOptions);
        cmd.add("-cp");
        cmd.add(classPath());
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

    /** The library jar the pool classes come from, or null (class directories, as in the tests). */
    static Path libraryJar() {
        Path p = poolClasses();
        return p != null && p.toString().endsWith(".jar") && Files.isRegularFile(p) ? p : null;
    }

    private static String absolute(String entry) {
        try {
            return Path.of(entry).toAbsolutePath().normalize().toString();
        } catch (java.nio.file.InvalidPathException e) {
            return entry; // the worker's JVM will say what is wrong with it
        }
    }

    static String classPath() {
        Set<String> entries = new LinkedHashSet<>();
        Path pool = poolClasses();
        if (pool != null) {
            entries.add(pool.toString());
        }
        for (String e : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (!e.isBlank()) {
                // absolute, so that a worker's class path is the same whatever directory and spelling
                // the owner was started with: the workers' archive records it and is refused otherwise
                entries.add(absolute(e));
            }
        }
        return String.join(File.pathSeparator, entries);
    }
}
