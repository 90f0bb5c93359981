package org.ipccourse.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The process pool's costs beside their baselines, in one run: the pool's round trip and
 * per-task {@code map} cost against a raw pipe ping-pong between two JVMs and against Python's
 * {@code multiprocessing.Pool} and {@code ProcessPoolExecutor}, and pool start-up against Python's
 * spawn pool; each measured pinned to one CPU ({@code taskset -c 0}) and unpinned. Prints medians
 * with their spread (min–max over repetitions), the ratios the course targets, and PASS or MISS.
 *
 * <pre>{@code
 * java -cp bench/target/ipc-course-bench.jar:lib/target/ipc-course-lib.jar org.ipccourse.bench.PoolBenchmark
 * }</pre>
 *
 * Options: {@code --quick} (fewer calls and tasks), {@code --reps N}, {@code --workers N}
 * (default 2), {@code --python PATH}. A default run takes one to two minutes.
 */
public final class PoolBenchmark {
    private PoolBenchmark() {
    }

    record Figure(double median, double min, double max) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%12s  (%s – %s)", fmt(median), fmt(min), fmt(max));
        }
    }

    public static void main(String[] args) throws Exception {
        int calls = 1000;
        int tasks = 20_000;
        int reps = 5;
        int workers = 2;
        String python = "python3";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> {
                    calls = 300;
                    tasks = 5_000;
                }
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--workers" -> workers = Integer.parseInt(args[++i]);
                case "--python" -> python = args[++i];
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; options: --quick, --reps N, --workers N, --python PATH");
            }
        }
        String cp = System.getProperty("java.class.path");
        Path script = locateScript();
        boolean hasTaskset = onPath("taskset");
        boolean hasPython = script != null && runs(python, "--version");
        System.out.printf(Locale.ROOT, "Process pool benchmark: %d workers, %d single round trips, map over %d tasks,"
                + " %d repetitions; %s; java %s; %d CPUs%n", workers, calls, tasks, reps,
                hasPython ? "Python reference " + script : "no python3: Python figures skipped",
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
        System.out.println("All figures in microseconds: median (min – max over repetitions).");

        List<String> modes = hasTaskset ? List.of("pinned", "unpinned") : List.of("unpinned");
        boolean allPass = true;
        for (String mode : modes) {
            List<String> prefix = mode.equals("pinned") ? List.of("taskset", "-c", "0") : List.of();
            Map<String, Figure> f = new LinkedHashMap<>();
            List<String> java = new ArrayList<>(prefix);
            java.addAll(List.of(JavaCosts.javaCommand(), "-cp", cp, JavaCosts.class.getName(),
                    "" + calls, "" + tasks, "" + reps, "" + workers));
            f.putAll(run(java));
            if (hasPython) {
                List<String> py = new ArrayList<>(prefix);
                py.addAll(List.of(python, script.toString(), "" + calls, "" + tasks, "" + reps, "" + workers));
                f.putAll(run(py));
            }
            System.out.println();
            System.out.println("== " + mode + (mode.equals("pinned") ? " (taskset -c 0: owner and workers share CPU 0)" : ""));
            f.forEach((name, fig) -> System.out.printf(Locale.ROOT, "  %-24s %s%n", name, fig));
            System.out.println("  targets (ratios of medians in this run):");
            allPass &= target(f, "pool round trip <= 1.5x raw Java pipe round trip",
                    "java.pool_roundtrip", "java.pipe_roundtrip", 1.5, false);
            allPass &= target(f, "Python Pool.apply >= 1.5x pool round trip",
                    "python.pool_apply", "java.pool_roundtrip", 1.5, true);
            allPass &= target(f, "Python ProcessPoolExecutor.submit >= 1.5x pool round trip",
                    "python.executor_submit", "java.pool_roundtrip", 1.5, true);
            allPass &= target(f, "Python Pool.map chunk 1 >= 2x pool map chunk 1 (per task)",
                    "python.map_chunk1", "java.map_chunk1", 2.0, true);
            allPass &= target(f, "pool map default chunk <= 1x Python Pool.map default (per task)",
                    "java.map_default", "python.map_default", 1.0, false);
            allPass &= target(f, "pool start-up (" + workers + " workers ready) <= 3x Python spawn Pool start-up",
                    "java.startup", "python.startup", 3.0, false);
        }
        System.out.println();
        System.out.println(allPass ? "All targets met." : "Some targets missed (see MISS above).");
    }

    /** Checks {@code a / b <= limit} (or {@code >= limit} when {@code atLeast}) and prints the line. */
    private static boolean target(Map<String, Figure> f, String what, String a, String b, double limit, boolean atLeast) {
        Figure fa = f.get(a);
        Figure fb = f.get(b);
        if (fa == null || fb == null) {
            System.out.printf(Locale.ROOT, "    %-70s  n/a  (no %s)%n", what, fa == null ? a : b);
            return true;
        }
        double ratio = fa.median() / fb.median();
        boolean pass = atLeast ? ratio >= limit : ratio <= limit;
        System.out.printf(Locale.ROOT, "    %-70s %7.2fx  %s%n", what, ratio, pass ? "PASS" : "MISS");
        return pass;
    }

    private static Map<String, Figure> run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Map<String, Figure> out = new LinkedHashMap<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            for (String line; (line = in.readLine()) != null; ) {
                String[] parts = line.split("\t");
                if (parts.length == 4) {
                    out.put(parts[0], new Figure(Double.parseDouble(parts[1]), Double.parseDouble(parts[2]),
                            Double.parseDouble(parts[3])));
                } else {
                    System.out.println("  | " + line);
                }
            }
        }
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed with exit status " + p.exitValue());
        }
        return out;
    }

    private static Path locateScript() {
        for (String candidate : List.of("bench/python/pool_reference.py", "python/pool_reference.py",
                "../bench/python/pool_reference.py")) {
            Path p = Path.of(candidate);
            if (Files.isRegularFile(p)) {
                return p.toAbsolutePath().normalize();
            }
        }
        return null;
    }

    private static boolean onPath(String tool) {
        return runs("sh", "-c", "command -v " + tool);
    }

    private static boolean runs(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String fmt(double micros) {
        return micros >= 10_000 ? String.format(Locale.ROOT, "%.1f ms", micros / 1000)
                : String.format(Locale.ROOT, "%.2f µs", micros);
    }
}
