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
 * <p>It also prints the warm-up curve of a fresh pool ({@link WarmupCurve}: tasks 1-100, 101-1,000,
 * 1,001-10,000 and the steady state), in fresh plain JVMs and, given {@code --kernel-python}, through
 * the real course kernel ({@code python/kernel_curve.py}), with the warm-up targets: tasks
 * 1,001-2,000 within 2x the steady state, the first 100 tasks no slower than Python's first 100
 * {@code Pool.apply} calls on a fresh spawn pool, and (stretch) the first 100 within 10x the steady
 * state.
 *
 * <p>Options: {@code --quick} (fewer calls and tasks), {@code --reps N}, {@code --workers N}
 * (default 2), {@code --python PATH}, {@code --kernel-python PATH} (the course's .venv Python,
 * which holds the kernel; {@code ./course bench pool} passes it), {@code --curve-runs N} (fresh
 * JVMs per warm-up curve, default 3). A default run takes two to four minutes.
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
        String kernelPython = null;
        int curveRuns = 3;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> {
                    calls = 300;
                    tasks = 5_000;
                }
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--workers" -> workers = Integer.parseInt(args[++i]);
                case "--python" -> python = args[++i];
                case "--kernel-python" -> kernelPython = args[++i];
                case "--curve-runs" -> curveRuns = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; options: --quick, --reps N, --workers N, --python PATH, --kernel-python PATH, --curve-runs N");
            }
        }
        String cp = System.getProperty("java.class.path");
        Path script = locateScript("pool_reference.py");
        Path kernelScript = kernelPython == null ? null : locateScript("kernel_curve.py");
        boolean hasTaskset = onPath("taskset");
        boolean hasPython = script != null && runs(python, "--version");
        System.out.printf(Locale.ROOT, "Process pool benchmark: %d workers, %d single round trips, map over %d tasks,"
                + " %d repetitions; %s; java %s; %d CPUs%n", workers, calls, tasks, reps,
                hasPython ? "Python reference " + script : "no python3: Python figures skipped",
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
        System.out.println("All figures in microseconds: median (min – max over repetitions).");
        if (!hasTaskset) {
            System.out.println("No taskset on this machine (macOS has none; on Linux it comes with util-linux):"
                    + " the pinned run is skipped, only the unpinned one is measured.");
        }

        List<String> modes = hasTaskset ? List.of("pinned", "unpinned") : List.of("unpinned");
        boolean allPass = true;
        for (String mode : modes) {
            List<String> prefix = mode.equals("pinned") ? List.of("taskset", "-c", "0") : List.of();
            Map<String, Figure> f = new LinkedHashMap<>();
            List<String> java = new ArrayList<>(prefix);
            java.addAll(List.of(JavaCosts.javaCommand(), "-cp", cp, JavaCosts.class.getName(),
                    "" + calls, "" + tasks, "" + reps, "" + workers));
            f.putAll(run(java));
            List<Map<String, Figure>> curves = new ArrayList<>();
            for (int r = 0; r < curveRuns; r++) {
                List<String> curve = new ArrayList<>(prefix);
                curve.addAll(List.of(JavaCosts.javaCommand(), "-cp", cp, WarmupCurve.class.getName(), "" + workers, "java"));
                curves.add(run(curve));
            }
            f.putAll(medianOfRuns(curves));
            if (kernelScript != null) {
                List<String> kernel = new ArrayList<>(prefix);
                kernel.addAll(List.of(kernelPython, kernelScript.toString(), benchJar(), "" + workers));
                f.putAll(run(kernel));
            }
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
            allPass &= target(f, "pool start-up (" + workers + " workers ready) <= 1x Python spawn Pool start-up",
                    "java.startup", "python.startup", 1.0, false);
            info(f, workers + " bare JVMs answering (the floor under start-up) / Python spawn Pool start-up",
                    "java.startup_floor", "python.startup");
            info(f, "pool start-up / " + workers + " bare JVMs answering", "java.startup", "java.startup_floor");
            for (String side : List.of("java", "kernel")) {
                String where = side.equals("java") ? "plain JVM" : "kernel";
                allPass &= target(f, "warm-up, " + where + ": tasks 1,001-2,000 <= 2x steady state",
                        side + ".warm_1001_2000", side + ".warm_steady", 2.0, false);
                allPass &= target(f, "warm-up, " + where + ": first 100 tasks <= 1x Python's first 100 apply",
                        side + ".warm_first100_mean", "python.apply_first100", 1.0, false);
                target(f, "stretch, " + where + ": first 100 tasks <= 10x steady state",
                        side + ".warm_first100_mean", side + ".warm_steady", 10.0, false);
            }
            info(f, "in-kernel round trip / plain-JVM round trip (steady states)", "kernel.warm_steady", "java.warm_steady");
            allPass &= target(f, "same code, same speed: cell spin() CPU time in kernel <= 1.1x in a worker",
                    "kernel.cell_spin_in_kernel", "kernel.cell_spin_in_worker", 1.1, false);
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

    /** Prints a ratio of medians that has no target. */
    private static void info(Map<String, Figure> f, String what, String a, String b) {
        if (f.containsKey(a) && f.containsKey(b)) {
            System.out.printf(Locale.ROOT, "    %-70s %7.2fx  (no target)%n", what, f.get(a).median() / f.get(b).median());
        }
    }

    /** Each figure's median over runs (of the runs' medians), with the runs' extremes. */
    private static Map<String, Figure> medianOfRuns(List<Map<String, Figure>> runs) {
        Map<String, Figure> out = new LinkedHashMap<>();
        for (String name : runs.get(0).keySet()) {
            double[] m = runs.stream().mapToDouble(r -> r.get(name).median()).sorted().toArray();
            int n = m.length;
            out.put(name, new Figure(n % 2 == 1 ? m[n / 2] : (m[n / 2 - 1] + m[n / 2]) / 2, m[0], m[n - 1]));
        }
        return out;
    }

    /** The bench jar, for the kernel's {@code %classpath}. */
    private static String benchJar() throws java.net.URISyntaxException {
        return Path.of(PoolBenchmark.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
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

    private static Path locateScript(String name) {
        for (String candidate : List.of("bench/python/" + name, "python/" + name, "../bench/python/" + name)) {
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
