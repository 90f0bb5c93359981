package org.ipccourse.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.ipccourse.pool.ProcessPool;

/**
 * Measures the Java figures in one JVM (run pinned or not by {@link PoolBenchmark}) and prints
 * one line per figure: name, median, min, max in microseconds, tab-separated, as the Python
 * reference script does.
 */
public final class JavaCosts {

    private JavaCosts() {
    }

    public static void main(String[] args) throws Exception {
        int calls = Integer.parseInt(args[0]);
        int tasks = Integer.parseInt(args[1]);
        int reps = Integer.parseInt(args[2]);
        int workers = Integer.parseInt(args[3]);

        Process echo = startEcho();
        DataOutputStream toEcho = new DataOutputStream(new BufferedOutputStream(echo.getOutputStream()));
        DataInputStream fromEcho = new DataInputStream(new BufferedInputStream(echo.getInputStream()));
        LongSupplier pingPong = () -> {
            try {
                long t0 = System.nanoTime();
                for (int i = 0; i < calls; i++) {
                    toEcho.writeLong(i);
                    toEcho.flush();
                    fromEcho.readLong();
                }
                return (System.nanoTime() - t0) / calls;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        report("java.pipe_roundtrip", pingPong, reps);
        report("java.pipe_streamed", () -> streamed(toEcho, fromEcho, tasks), reps);
        echo.getOutputStream().close();
        echo.waitFor();
        startups(workers, reps);

        try (ProcessPool pool = ProcessPool.newProcessPool(workers)) {
            LongSupplier roundTrips = () -> {
                long t0 = System.nanoTime();
                for (int i = 0; i < calls; i++) {
                    int n = i;
                    pool.submit(() -> n).join();
                }
                return (System.nanoTime() - t0) / calls;
            };
            // A fresh pool runs interpreted code on both sides; report that once, then warm up
            // (the JIT compiles the hot paths after some thousands of tasks) and measure.
            print("java.pool_roundtrip_cold", List.of(roundTrips.getAsLong() / 1000.0));
            SteadyState.warmUp("java.pool_roundtrip", roundTrips, calls);
            report("java.pool_roundtrip", roundTrips, reps);
            List<Integer> inputs = IntStream.range(0, tasks).boxed().collect(Collectors.toList());
            LongSupplier mapChunk1 = () -> {
                long t0 = System.nanoTime();
                pool.map(x -> x, inputs, 1);
                return (System.nanoTime() - t0) / tasks;
            };
            LongSupplier mapDefault = () -> {
                long t0 = System.nanoTime();
                pool.map(x -> x, inputs);
                return (System.nanoTime() - t0) / tasks;
            };
            SteadyState.warmUp("java.map_default", mapDefault, tasks); // compiles the chunk encoding loops on both sides
            SteadyState.warmUp("java.map_chunk1", mapChunk1, tasks); // compiles the per-chunk paths
            report("java.map_chunk1", mapChunk1, reps);
            report("java.map_default", mapDefault, reps);
        }

    }

    /**
     * The pool's start-up and its floor, interleaved, after one pool that is not counted (this
     * JVM's first, which loads the pool's classes and warms its task path: the warm-up curve
     * reports it as {@code warm_startup}). Measured before the other pool figures, so that the
     * compiler threads still busy with their code do not share the CPU with the starting workers.
     */
    private static void startups(int workers, int reps) throws IOException {
        ProcessPool.newProcessPool(workers).close();
        List<Double> startups = new ArrayList<>();
        List<Double> floors = new ArrayList<>();
        for (int r = 0; r < reps; r++) {
            floors.add(jvmFloor(workers, r));
            long t0 = System.nanoTime();
            ProcessPool pool = ProcessPool.newProcessPool(workers);
            startups.add((System.nanoTime() - t0) / 1000.0);
            pool.close();
        }
        print("java.startup", startups);
        print("java.startup_floor", floors);
    }

    /**
     * The raw pipe's child JVM ({@link PipeEcho}), started with the options a worker starts with
     * ({@link ProcessPool#defaultWorkerJvmOptions}), its collector included.
     */
    private static Process startEcho() throws IOException {
        List<String> cmd = new ArrayList<>(List.of(javaCommand()));
        cmd.addAll(ProcessPool.defaultWorkerJvmOptions());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), PipeEcho.class.getName()));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /**
     * The floor under the pool's start-up: the time {@code n} bare JVMs, spawned back to back as
     * the raw pipe's child is, take until each has answered one message ({@link PipeEcho}:
     * no library, no pool). What a pool of {@code n} workers cannot start faster than on this JDK.
     */
    private static double jvmFloor(int n, int r) throws IOException {
        long t0 = System.nanoTime();
        List<Process> jvms = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            jvms.add(startEcho());
        }
        for (Process p : jvms) {
            DataOutputStream out = new DataOutputStream(p.getOutputStream());
            out.writeLong(r);
            out.flush();
        }
        for (Process p : jvms) {
            new DataInputStream(p.getInputStream()).readLong();
        }
        double micros = (System.nanoTime() - t0) / 1000.0;
        for (Process p : jvms) {
            p.getOutputStream().close();
            try {
                p.waitFor();
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        return micros;
    }

    private static long streamed(DataOutputStream out, DataInputStream in, int messages) {
        Thread writer = new Thread(() -> {
            try {
                for (int i = 0; i < messages; i++) {
                    out.writeLong(i);
                }
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        long t0 = System.nanoTime();
        writer.start();
        try {
            for (int i = 0; i < messages; i++) {
                in.readLong();
            }
            writer.join();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        return (System.nanoTime() - t0) / messages;
    }

    /** One warm-up repetition, then {@code reps} measured ones; the supplier returns nanoseconds. */
    private static void report(String name, LongSupplier nanos, int reps) {
        nanos.getAsLong();
        List<Double> samples = new ArrayList<>();
        for (int r = 0; r < reps; r++) {
            samples.add(nanos.getAsLong() / 1000.0);
        }
        print(name, samples);
    }

    private static void print(String name, List<Double> micros) {
        List<Double> sorted = new ArrayList<>(micros);
        Collections.sort(sorted);
        int n = sorted.size();
        double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        System.out.printf("%s\t%.3f\t%.3f\t%.3f%n", name, median, sorted.get(0), sorted.get(n - 1));
        System.out.flush();
    }

    static String javaCommand() {
        return ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
    }
}
