package org.ipccourse.bench;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.Arrays;
import org.ipccourse.measure.Codec;
import org.ipccourse.measure.IpcCost;
import org.ipccourse.pool.ProcessPool;
import org.ipccourse.shm.OwnerCounter;
import org.ipccourse.shm.SharedCounter;
import tech.tablesaw.api.Table;

/**
 * The IPC benchmark: moves one {@code double[]} (100 MiB unless given) by every path in one run
 * and prints each rate beside its baselines, then the targets with PASS or MISS.
 *
 * <pre>{@code
 * mvn -q package -DskipTests
 * java -Xms2g -Xmx2g -cp "bench/target/ipc-course-bench.jar:lib/target/ipc-course-lib.jar:lib/target/dependency/*" \
 *      org.ipccourse.bench.IpcBenchmark [MiB] [repetitions]
 * }</pre>
 *
 * <p>Paths: {@code System.arraycopy} in one JVM; a raw Java pipe copy (the bytes written to a
 * child JVM's standard input, read into one array there, one byte back); the pool's pipe path
 * ({@link IpcCost}, Java serialization, and the raw codec for comparison; the worker's allocation
 * for it, against the payload, is a target too: one copy, the decoded array); shared memory with a
 * reused segment the data lives in (and, apart, the one-time copy into it) and with a fresh one
 * per run; Python's pickle over a multiprocessing pipe when
 * {@code python3} is on the path. Rates are MiB of payload per second of median time; the raw
 * pipe, the pool's pipe path and the reused segment run in turn, {@value #ROUNDS} rounds, and
 * their target ratios are medians of the rounds' ratios (the rates shown are the medians of the
 * rounds'). Then the
 * lecture's third scenario: a fixed number of counter updates split over 1, 2 and 4 workers,
 * through a counter the owner keeps ({@link OwnerCounter}) and through an atomic add in shared
 * memory ({@link SharedCounter}). Costs: about a minute, and some 1.5 GiB of memory across the
 * processes for 100 MiB.
 */
public final class IpcBenchmark {
    /**
     * Rounds of the raw pipe, the pool's pipe path and shared memory with a reused segment, in
     * turn; each target ratio between them is the median of the rounds'. Five, not three: on the
     * course machine one round's ratio of pipe path to raw pipe ranged from 0.38 to 2.46 within a
     * run, and a shared-memory ratio measured once passed in one run and missed in the next.
     */
    private static final int ROUNDS = 5;

    private IpcBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--pipe-sink")) {
            pipeSink();
            return;
        }
        List<String> numbers = new ArrayList<>();
        boolean sharedState = true;
        for (String a : args) {
            if (a.equals("--skip-shared-state")) {
                sharedState = false;
            } else {
                numbers.add(a);
            }
        }
        int mib = positive(numbers, 0, 100);
        int reps = positive(numbers, 1, 5);
        double[] payload = new double[mib * 1024 * 1024 / 8];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = i;
        }
        System.out.printf("IPC benchmark: double[] of %d MiB, %d timed runs after warm-up, medians%n",
                mib, reps);
        System.out.printf("java %s, %d CPUs for this JVM and its children, load average %s%n%n",
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), loadAverage());

        List<String[]> lines = new ArrayList<>();
        double arraycopy = rate(mib, arraycopyMs(payload, reps));
        lines.add(line("System.arraycopy", arraycopy, "memory bandwidth, one JVM"));
        byte[] rawBytes = Codec.RAW.encode(payload);
        int rawLine = lines.size();
        double rawPipe;
        double[] roundRatios = new double[ROUNDS];
        double[] shmRatios = new double[ROUNDS];

        double pipeJava;
        double workerAlloc;
        double pipeRaw;
        double shmReused;
        double shmFresh;
        try (ProcessPool pool = ProcessPool.builder().workers(1).workerJvmOptions(heap(mib)).build()) {
            // The raw pipe and the pool's pipe path take turns, so that a change of load on the
            // machine between the two does not decide their ratio: the median of the rounds' ratios.
            double[] rawRates = new double[ROUNDS];
            double[] poolRates = new double[ROUNDS];
            double[] reusedRates = new double[ROUNDS];
            Table java = null;
            Table reused = null;
            for (int round = 0; round < ROUNDS; round++) {
                rawRates[round] = rate(mib, rawPipeMs(rawBytes, reps));
                java = IpcCost.of(pool).repetitions(reps).measure("double[]", payload);
                poolRates[round] = java.doubleColumn("mib_per_s").get(0);
                roundRatios[round] = poolRates[round] / rawRates[round];
                reused = IpcCost.of(pool).codec(Codec.RAW).transport(IpcCost.Transport.SHARED_MEMORY)
                        .repetitions(reps).measure("double[]", payload);
                reusedRates[round] = reused.doubleColumn("mib_per_s").get(0);
                shmRatios[round] = reusedRates[round] / poolRates[round];
            }
            rawPipe = median(rawRates);
            lines.add(rawLine, line("raw Java pipe copy", rawPipe, "bytes through a pipe into a child JVM"));
            Table raw = IpcCost.of(pool).codec(Codec.RAW).repetitions(reps).measure("double[]", payload);
            Table fresh = IpcCost.of(pool).codec(Codec.RAW)
                    .transport(IpcCost.Transport.SHARED_MEMORY_FRESH).repetitions(reps)
                    .measure("double[]", payload);
            pipeJava = median(poolRates);
            workerAlloc = java.doubleColumn("worker_alloc_mib").get(0) / mib;
            pipeRaw = raw.doubleColumn("mib_per_s").get(0);
            shmReused = median(reusedRates);
            shmFresh = fresh.doubleColumn("mib_per_s").get(0);
            lines.add(line("pool pipe path, Java serialization", pipeJava, copies(java)));
            lines.add(line("pool pipe path, raw codec", pipeRaw, copies(raw)));
            lines.add(line("shared memory, reused segment", shmReused, copies(reused)));
            lines.add(line("  (writing the data into it, once)", rate(mib, fillMs(payload, reps)),
                    "the copy the reused path leaves out: the data lives in the segment"));
            lines.add(line("shared memory, fresh segment", shmFresh, copies(fresh)));
        }
        double python = pythonRate(mib, reps);
        lines.add(line("Python pickle + pipe", python, Double.isNaN(python) ? "python3 not available"
                : "bundled pickle_pipe.py"));

        System.out.printf("%-36s %12s   %s%n", "path", "MiB/s", "notes");
        for (String[] l : lines) {
            System.out.printf("%-36s %12s   %s%n", (Object[]) l);
        }
        System.out.println();
        System.out.println("targets (ratios of rates measured above):");
        target("pipe path >= 0.8 x raw Java pipe", median(roundRatios), 0.8);
        System.out.printf("  %-44s %s   (each round: the raw pipe, then the pool's pipe path)%n",
                "  its " + ROUNDS + " rounds", Arrays.toString(Arrays.stream(roundRatios)
                        .mapToObj(r -> String.format("%.2f", r)).toArray()));
        targetAtMost("worker allocation <= 1.2 x payload", workerAlloc, 1.2);
        target("pipe path >= 1.5 x Python pickle", pipeJava / python, 1.5);
        target("shm reused >= 10 x pipe path", median(shmRatios), 10);
        System.out.printf("  %-44s %s   (each round: the pool's pipe path, then the reused segment)%n",
                "  its " + ROUNDS + " rounds", Arrays.toString(Arrays.stream(shmRatios)
                        .mapToObj(r -> String.format("%.2f", r)).toArray()));
        System.out.printf("  %-44s %8.2fx   (shown, no target: page faults on first touch)%n",
                "shared memory (fresh) / pipe path", shmFresh / pipeJava);
        System.out.printf("  %-44s %8.2fx   (shown, no target: the codec's share of the cost)%n",
                "pipe path, raw codec / pipe path", pipeRaw / pipeJava);
        System.out.println("  (the pipe path is the pool's own: Java serialization, its default codec)");
        System.out.println();
        if (sharedState) {
            sharedState(reps);
        }
    }

    private static int positive(List<String> numbers, int index, int otherwise) {
        if (numbers.size() > 2) {
            throw new IllegalArgumentException("usage: IpcBenchmark [MiB] [repetitions] [--skip-shared-state]; got "
                    + numbers);
        }
        if (index >= numbers.size()) {
            return otherwise;
        }
        try {
            int n = Integer.parseInt(numbers.get(index));
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException((index == 0 ? "MiB" : "repetitions") + " must be a whole number"
                + " above 0, got \"" + numbers.get(index) + "\"");
    }

    /**
     * Scenario 3: the same number of updates split over more workers. Through the owner, each
     * update waits for its round trip and for the other workers' updates, so the time one update
     * takes, as its worker sees it, grows with the number of workers; an atomic add in shared
     * memory is the baseline.
     */
    private static void sharedState(int reps) {
        int total = 20_000;
        System.out.printf("shared state: %d counter updates in all, split over W workers (median of %d)%n",
                total, reps);
        System.out.printf("%-8s %14s %26s %18s%n", "workers", "owner: ms", "owner: us per update seen", "atomic shm: ms");
        System.out.printf("%-8s %14s %26s %18s%n", "", "", "by its worker", "");
        try (ProcessPool pool = ProcessPool.builder().workers(4).workerJvmOptions(List.of("-Xmx64m")).build();
             OwnerCounter owner = OwnerCounter.create();
             SharedCounter shared = SharedCounter.create()) {
            for (int workers : new int[] {1, 2, 4}) {
                List<Integer> shares = java.util.Collections.nCopies(workers, total / workers);
                double[] viaOwner = new double[reps];
                double[] viaShm = new double[reps];
                for (int i = -1; i < reps; i++) {
                    long t0 = System.nanoTime();
                    pool.map(k -> {
                        for (int j = 0; j < k; j++) {
                            owner.increment();
                        }
                        return k;
                    }, shares, 1);
                    long t1 = System.nanoTime();
                    pool.map(k -> {
                        for (int j = 0; j < k; j++) {
                            shared.incrementAtomic();
                        }
                        return k;
                    }, shares, 1);
                    long t2 = System.nanoTime();
                    if (i >= 0) {
                        viaOwner[i] = (t1 - t0) / 1e6;
                        viaShm[i] = (t2 - t1) / 1e6;
                    }
                }
                double ownerMs = median(viaOwner);
                System.out.printf("%-8d %14.1f %26.1f %18.1f%n", workers, ownerMs,
                        ownerMs * 1000 / (total / workers), median(viaShm));
            }
            long expected = (long) total * (reps + 1) * 3;
            if (owner.get() != expected || shared.get() != expected) {
                throw new IllegalStateException("lost updates: owner " + owner.get() + ", shm "
                        + shared.get() + ", expected " + expected);
            }
        }
        System.out.println("(times include handing the tasks to the workers: a few ms)");
    }

    private static String copies(Table t) {
        return String.format("serialize %.1f + pipe %.1f + deserialize %.1f ms, spread %.0f%%,"
                        + " alloc owner %.0f / worker %.0f MiB",
                t.doubleColumn("serialize_ms").get(0), t.doubleColumn("pipe_ms").get(0),
                t.doubleColumn("deserialize_ms").get(0), t.doubleColumn("spread_pct").get(0),
                t.doubleColumn("owner_alloc_mib").get(0), t.doubleColumn("worker_alloc_mib").get(0));
    }

    private static void target(String what, double ratio, double needed) {
        String verdict = Double.isNaN(ratio) ? "SKIP" : ratio >= needed ? "PASS" : "MISS";
        System.out.printf("  %-44s %8.2fx   %s%n", what, ratio, verdict);
    }

    private static void targetAtMost(String what, double ratio, double allowed) {
        String verdict = Double.isNaN(ratio) ? "SKIP" : ratio <= allowed ? "PASS" : "MISS";
        System.out.printf("  %-44s %8.2fx   %s%n", what, ratio, verdict);
    }

    private static String[] line(String path, double rate, String notes) {
        return new String[] {path, Double.isNaN(rate) ? "-" : String.format("%.0f", rate), notes};
    }

    private static double rate(int mib, double medianMs) {
        return mib / (medianMs / 1000);
    }

    private static double arraycopyMs(double[] payload, int reps) {
        double[] target = new double[payload.length];
        double[] ms = new double[reps];
        for (int i = -2; i < reps; i++) {
            long t0 = System.nanoTime();
            System.arraycopy(payload, 0, target, 0, payload.length);
            if (i >= 0) {
                ms[i] = (System.nanoTime() - t0) / 1e6;
            }
        }
        return median(ms);
    }

    /** The one-time copy of the payload into an already-mapped segment (raw codec). */
    private static double fillMs(double[] payload, int reps) {
        try (org.ipccourse.shm.SharedSegment segment = org.ipccourse.shm.SharedSegment.create(Codec.RAW.encode(payload).length)) {
            double[] ms = new double[reps];
            for (int i = -1; i < reps; i++) {
                long t0 = System.nanoTime();
                Codec.RAW.encodeInto(payload, segment.buffer());
                if (i >= 0) {
                    ms[i] = (System.nanoTime() - t0) / 1e6;
                }
            }
            return median(ms);
        }
    }

    /** Bytes to a child JVM's stdin, read there into one array, acknowledged with one byte. */
    private static double rawPipeMs(byte[] bytes, int reps) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(javaCommand()));
        command.addAll(heap(bytes.length >> 20));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"),
                IpcBenchmark.class.getName(), "--pipe-sink"));
        Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (DataOutputStream out = new DataOutputStream(child.getOutputStream());
             InputStream in = child.getInputStream()) {
            double[] ms = new double[reps];
            for (int i = -1; i < reps; i++) {
                long t0 = System.nanoTime();
                out.writeInt(bytes.length);
                writeInSlices(out, bytes);
                out.flush();
                if (in.read() != 1) {
                    throw new IOException("the pipe sink did not acknowledge");
                }
                if (i >= 0) {
                    ms[i] = (System.nanoTime() - t0) / 1e6;
                }
            }
            out.writeInt(-1);
            out.flush();
            return median(ms);
        } finally {
            if (!child.waitFor(10, TimeUnit.SECONDS)) {
                child.destroyForcibly();
            }
        }
    }

    /*
     * The floor moves bytes in pipe-sized slices, as a careful program would (and as the pool does):
     * one huge read or write makes the JDK stage the whole rest in native memory on every call.
     */
    private static final int PIPE_SLICE = 64 * 1024;

    private static void writeInSlices(OutputStream out, byte[] bytes) throws IOException {
        for (int off = 0; off < bytes.length; off += PIPE_SLICE) {
            out.write(bytes, off, Math.min(PIPE_SLICE, bytes.length - off));
        }
    }

    private static void pipeSink() throws IOException {
        DataInputStream in = new DataInputStream(System.in);
        while (true) {
            int length = in.readInt();
            if (length < 0) {
                return;
            }
            byte[] received = new byte[length]; // a receiver needs the message in its own memory
            for (int done = 0; done < length; ) {
                int n = in.read(received, done, Math.min(PIPE_SLICE, length - done));
                if (n < 0) {
                    throw new java.io.EOFException("the benchmark closed the pipe mid-message");
                }
                done += n;
            }
            System.out.write(1);
            System.out.flush();
        }
    }

    private static double pythonRate(int mib, int reps) throws IOException, InterruptedException {
        Path script = Files.createTempFile("pickle_pipe", ".py");
        try (InputStream source = IpcBenchmark.class.getResourceAsStream("pickle_pipe.py")) {
            Files.write(script, source.readAllBytes());
            Process python;
            try {
                python = new ProcessBuilder("python3", script.toString(), Integer.toString(mib),
                        Integer.toString(reps)).redirectErrorStream(true).start();
            } catch (IOException e) {
                return Double.NaN; // no python3 on this machine
            }
            double rate = Double.NaN;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(python.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String l = out.readLine(); l != null; l = out.readLine()) {
                    if (l.startsWith("rate_mib_per_s ")) {
                        rate = Double.parseDouble(l.substring("rate_mib_per_s ".length()));
                    }
                }
            }
            if (!python.waitFor(300, TimeUnit.SECONDS)) {
                python.destroyForcibly();
            }
            return rate;
        } finally {
            Files.deleteIfExists(script);
        }
    }

    /**
     * The receiving JVMs' heap, the same for the raw sink and the pool's worker: fixed size and
     * touched at start-up, so that no run pays for faulting in heap pages for the first time, or
     * for growing the heap again after the collection before it (costs that belong to neither
     * path, and that made the first runs of a fresh worker several times slower).
     */
    private static List<String> heap(int mib) {
        String size = Math.max(512, 6 * mib) + "m";
        return List.of("-Xms" + size, "-Xmx" + size, "-XX:+AlwaysPreTouch");
    }

    private static String javaCommand() {
        return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Paths.get("/proc/loadavg")).split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** The median of the finite samples (NaN if none). */
    private static double median(double[] samples) {
        double[] finite = Arrays.stream(samples).filter(Double::isFinite).sorted().toArray();
        int n = finite.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? finite[n / 2] : (finite[n / 2 - 1] + finite[n / 2]) / 2;
    }
}
