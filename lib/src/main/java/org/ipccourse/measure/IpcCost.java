package org.ipccourse.measure;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.ipccourse.display.LiveDisplay;
import org.ipccourse.pool.ProcessPool;
import org.ipccourse.pool.SerializableCallable;
import org.ipccourse.shm.SharedSegment;
import tech.tablesaw.api.Table;

/**
 * Measures what it costs to hand a payload to a worker: the three copies of the lecture, each
 * timed where it happens, plus the extra heap each side allocated for them. The payload travels
 * inside a task through the pool's own path; the task's serialization hooks time the encoding in
 * the owner (copy one, while the pool serializes the task) and the decoding in the worker (copy
 * three, reported back with the worker's allocations). The pipe time is what remains of the
 * round trip: {@code pipe = total - serialize - deserialize}, that is the pool's framing, the
 * kernel pipe (copy two), the worker reading the frame, and the small reply. A large primitive
 * array is decoded as it arrives: the worker reads its elements from the pipe straight into the
 * new array, so with Java serialization copy three of a {@code double[]} is inside "pipe", and
 * "deserialize" is the rest of the decoding. Copy one of such an array is inside "pipe" too when
 * the task goes to an idle worker at once (as every probe here does with one worker): the pool
 * writes its elements from the array to the pipe, and the frame on the pipe is the task's
 * snapshot, so "serialize" is only the rest of the encoding and the owner allocates next to
 * nothing. The shared-memory transports send only a segment's ref instead.
 *
 * <pre>{@code
 * try (ProcessPool pool = ProcessPool.newProcessPool(1)) {
 *     Table t = IpcCost.of(pool).measure(Map.of(
 *             "double[] 8 MiB", new double[1 << 20],
 *             "list(range(50_000))", Workloads.range(50_000)));
 *     Table shm = IpcCost.of(pool).codec(Codec.RAW).transport(IpcCost.Transport.SHARED_MEMORY)
 *             .measure("double[] 8 MiB", new double[1 << 20]);
 * }
 * }</pre>
 *
 * <h2>Transports</h2>
 * {@link Transport#PIPE} sends the payload inside the task. {@link Transport#SHARED_MEMORY} is
 * the lecture's "send indices, not arrays": the payload lives in one segment, written into it
 * once before the runs (untimed, as a NumPy array created on a {@code SharedMemory} buffer is
 * filled once), whose pages stay mapped on both sides; each run sends only its ref, so
 * "serialize" is next to nothing. {@link Transport#SHARED_MEMORY_FRESH} creates, fills, maps and
 * deletes a new segment on every run, so it pays the copy into the segment and the page faults
 * each time; its "serialize" is that write, including creating and mapping the segment. With
 * {@link Codec#RAW} the worker reads the data in place through a view, touching every page,
 * instead of copying it out.
 *
 * <h2>Memory</h2>
 * {@code owner_alloc_mib} is what all owner threads allocated from the submit to the reply,
 * including the pool's own buffers (the task serialized into chunks, written to the pipe as
 * they are; a large primitive array sent to an idle worker is not among them, see above); {@code worker_alloc_mib} is what the worker allocated to receive the task (since the
 * end of an untimed collection just before) plus to decode it: for a large array, the array itself
 * and a slice buffer, no frame of its bytes. Both are counted by the JVM
 * ({@code ThreadMXBean} allocated bytes), not computed from sizes. A copy's buffers stay
 * reachable until it ends, so the count is the extra heap at the peak, or a little over it:
 * short-lived garbage of the codec counts too.
 *
 * <h2>Costs</h2>
 * {@code warmup + repetitions} round trips per row (default 2 + 5), each timed one (and the first)
 * preceded by an untimed full collection in the owner and in every worker at the same time (one
 * collection task per worker, submitted together), so that one run's garbage does not land in the
 * next one's timing; a side that made less than 1 MiB of garbage since its last collection (the
 * owner of a shared segment, say) is not collected again. With one worker
 * the measurement is cleanest; with several, the probe goes to whichever worker the pool picks.
 * A 100 MiB payload needs a few hundred MiB of heap on each side.
 */
public final class IpcCost {
    /** How the payload reaches the worker. */
    public enum Transport {
        /** Encoded bytes inside the task, through the pool's pipe. */
        PIPE,
        /** The payload lives in one shared segment, written once; only its ref crosses the pipe. */
        SHARED_MEMORY,
        /** A new shared segment per run; only its ref crosses the pipe. */
        SHARED_MEMORY_FRESH
    }

    private static final long TIMEOUT_SECONDS = 300;
    /** A side is collected before a timed run once it made this much garbage since its last collection. */
    static final long COLLECT_AFTER_BYTES = 1L << 20;

    private final ExecutorService pool;
    private Codec codec = Codec.JAVA;
    private Transport transport = Transport.PIPE;
    private int warmup = 2;
    private int repetitions = 5;
    private long maxPayloadBytes = 1L << 30;

    private IpcCost(ExecutorService pool) {
        this.pool = pool;
    }

    /**
     * Measurements through {@code pool}: a {@code ProcessPool} for the real thing. Any other
     * executor works too: a thread pool shows what threads pay on the pipe path, which is
     * nothing (no serialization, no copy).
     */
    public static IpcCost of(ExecutorService pool) {
        return new IpcCost(Objects.requireNonNull(pool, "pool"));
    }

    /** The codec (default {@link Codec#JAVA}). */
    public IpcCost codec(Codec codec) {
        this.codec = Objects.requireNonNull(codec, "codec");
        return this;
    }

    /** The transport (default {@link Transport#PIPE}). */
    public IpcCost transport(Transport transport) {
        this.transport = Objects.requireNonNull(transport, "transport");
        return this;
    }

    /** Untimed runs before the timed ones (default 2). */
    public IpcCost warmup(int runs) {
        if (runs < 0) {
            throw new IllegalArgumentException("warmup runs must be zero or more, got " + runs);
        }
        this.warmup = runs;
        return this;
    }

    /** Timed runs (default 5). */
    public IpcCost repetitions(int runs) {
        if (runs < 1) {
            throw new IllegalArgumentException("repetitions must be at least 1, got " + runs);
        }
        this.repetitions = runs;
        return this;
    }

    /** The largest encoded payload accepted (default 1 GiB, the pool's frame limit). */
    public IpcCost maxPayloadBytes(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("the payload cap must be zero or more bytes, got "
                    + bytes);
        }
        this.maxPayloadBytes = bytes;
        return this;
    }

    /** Measures one payload; a table with one row. See {@link #measure(Map)}. */
    public Table measure(String label, Object payload) {
        Map<String, Object> one = new LinkedHashMap<>();
        one.put(Objects.requireNonNull(label, "label"), payload);
        return measure(one);
    }

    /**
     * Measures each payload in turn; one row per payload with the columns {@code payload, codec,
     * transport, payload_bytes} (encoded size), {@code wire_bytes} (the task as serialized for the
     * pipe), {@code serialize_ms, pipe_ms, deserialize_ms, total_ms} (medians),
     * {@code total_mad_ms, spread_pct, mib_per_s} (encoded bytes per second of total),
     * {@code owner_alloc_mib, worker_alloc_mib} (medians), {@code runs}, and the spread of each
     * step: {@code serialize_mad_ms, pipe_mad_ms, deserialize_mad_ms} (median absolute deviation).
     * Doubles print with three significant digits ({@code spread_pct} with none); the stored
     * values keep every digit.
     *
     * @throws IllegalArgumentException if a payload's encoding exceeds the cap, or the codec
     *     cannot encode it
     * @throws IllegalStateException if the pool is shut down, or the worker received something
     *     other than what was sent
     */
    public Table measure(Map<String, ?> payloads) {
        if (pool.isShutdown()) {
            throw new IllegalStateException("the pool is shut down; create a new pool to measure with");
        }
        List<Row> rows = new ArrayList<>();
        try (LiveDisplay progress = LiveDisplay.show("measuring IPC cost")) {
            for (Map.Entry<String, ?> e : payloads.entrySet()) {
                progress.update("measuring " + e.getKey() + " (" + codec + ", " + transport + ")");
                rows.add(measureOne(e.getKey(), e.getValue()));
            }
        }
        return Row.table(rows);
    }

    private Row measureOne(String label, Object payload) {
        long size = encodedSize(payload);
        double[][] samples = new double[6][repetitions]; // serialize, pipe, deserialize, total, allocs
        SharedSegment reused = transport == Transport.SHARED_MEMORY ? SharedSegment.create(size) : null;
        long wireBytes = 0;
        try {
            int reusedLength = reused != null ? codec.encodeInto(payload, reused.buffer()) : -1; // it lives there now
            long ownerGarbage = COLLECT_AFTER_BYTES, workerGarbage = COLLECT_AFTER_BYTES; // unknown: collect first
            for (int run = 0; run < warmup + repetitions; run++) {
                if (run >= warmup || run == 0) { // a warm-up run's timing is thrown away: no clean heap needed
                    collect(ownerGarbage >= COLLECT_AFTER_BYTES, workerGarbage >= COLLECT_AFTER_BYTES);
                    ownerGarbage = ownerGarbage >= COLLECT_AFTER_BYTES ? 0 : ownerGarbage;
                    workerGarbage = workerGarbage >= COLLECT_AFTER_BYTES ? 0 : workerGarbage;
                }
                Run r = runOnce(label, payload, size, reused, reusedLength);
                ownerGarbage += Math.max(0, r.ownerAllocBytes());
                Probes.Report made = r.report();
                workerGarbage += made.receiveAllocBytes() < 0 || made.decodeAllocBytes() < 0 ? COLLECT_AFTER_BYTES
                        : made.receiveAllocBytes() + made.decodeAllocBytes();
                if (run == 0) {
                    wireBytes = Codec.JAVA.encode(r.probe()).length;
                }
                if (run >= warmup) {
                    int i = run - warmup;
                    samples[0][i] = r.serializeNanos() / 1e6;
                    samples[2][i] = r.report().decodeNanos() / 1e6;
                    samples[3][i] = r.totalNanos() / 1e6;
                    samples[1][i] = Math.max(0, samples[3][i] - samples[0][i] - samples[2][i]);
                    samples[4][i] = mib(r.ownerAllocBytes());
                    Probes.Report rep = r.report();
                    samples[5][i] = rep.receiveAllocBytes() < 0 || rep.decodeAllocBytes() < 0
                            ? Double.NaN : mib(rep.receiveAllocBytes() + rep.decodeAllocBytes());
                }
            }
        } finally {
            if (reused != null) {
                reused.release();
            }
        }
        return new Row(label, codec, transport, size, wireBytes, Stats.of(samples[0]),
                Stats.of(samples[1]), Stats.of(samples[2]), Stats.of(samples[3]),
                Stats.of(samples[4]), Stats.of(samples[5]));
    }

    /** One timed crossing: what was sent, and what each side measured. */
    private record Run(SerializableCallable<Probes.Report> probe, long serializeNanos,
            long totalNanos, long ownerAllocBytes, Probes.Report report) {
    }

    private Run runOnce(String label, Object payload, long size, SharedSegment reused, int reusedLength) {
        long allocBefore = Allocation.allThreads();
        long t0 = System.nanoTime();
        SharedSegment fresh = null;
        try {
            SerializableCallable<Probes.Report> probe;
            Future<Probes.Report> future;
            long serializeNanos;
            if (transport == Transport.PIPE) {
                Probes.Pipe carrier = new Probes.Pipe(codec, payload);
                probe = carrier;
                future = pool.submit(probe); // the pool serializes it here: copy one
                serializeNanos = carrier.encodeNanos();
            } else {
                SharedSegment target = reused != null ? reused : (fresh = SharedSegment.create(size));
                int length = reused != null ? reusedLength : codec.encodeInto(payload, target.buffer());
                probe = new Probes.Shared(codec, target.ref(), length, fresh != null);
                serializeNanos = System.nanoTime() - t0;
                future = pool.submit(probe);
            }
            Probes.Report report = await(future);
            long totalNanos = System.nanoTime() - t0;
            long ownerBytes = Allocation.delta(allocBefore, Allocation.allThreads());
            if (report.elements() != Probes.elements(payload)) {
                throw new IllegalStateException("the worker decoded " + report.elements()
                        + " elements of " + label + ", the owner sent " + Probes.elements(payload));
            }
            return new Run(probe, serializeNanos, totalNanos, ownerBytes, report);
        } finally {
            if (fresh != null) {
                fresh.release();
            }
        }
    }

    private long encodedSize(Object payload) {
        long size;
        if (codec == Codec.RAW) {
            size = RawLayout.encodedSize(payload);
        } else {
            size = codec.encode(payload).length;
        }
        checkCap(size);
        return size;
    }

    private void checkCap(long size) {
        if (size > maxPayloadBytes) {
            throw new IllegalArgumentException("the encoded payload is " + size + " bytes, over the"
                    + " cap of " + maxPayloadBytes + "; send less, or raise the cap with"
                    + " maxPayloadBytes(...)");
        }
    }

    /**
     * One collection per worker, submitted together so that each idle worker takes one, and one in
     * the owner while they run: the two sides collect at the same time, not one after the other.
     * A side that made less than {@link #COLLECT_AFTER_BYTES} of garbage since its last collection
     * is left alone (a full collection of the kernel costs about 130 ms on 2 cores).
     */
    private void collect(boolean owner, boolean workers) {
        List<Future<Boolean>> collections = new ArrayList<>();
        int count = !workers ? 0 : pool instanceof ProcessPool p ? p.workerCount() : 1;
        for (int i = 0; i < count; i++) {
            collections.add(pool.submit(new Probes.Collect()));
        }
        if (owner) {
            System.gc();
        }
        collections.forEach(IpcCost::await);
    }

    private static <T> T await(Future<T> future) {
        try {
            return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while measuring", e);
        } catch (ExecutionException e) {
            boolean heap = e.getCause() instanceof OutOfMemoryError
                    || String.valueOf(e.getCause()).contains("OutOfMemoryError"); // died of it
            String hint = heap ? "; the payload needs about three times its size in the worker's heap: build"
                    + " the pool with workerJvmOptions(List.of(\"-Xmx...\")) or send less" : "";
            throw new IllegalStateException("the worker failed while measuring: " + e.getCause()
                    + hint, e.getCause());
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new IllegalStateException("no answer from the worker in " + TIMEOUT_SECONDS + " s", e);
        }
    }

    private static double mib(long bytes) {
        return bytes < 0 ? Double.NaN : bytes / (1024.0 * 1024.0);
    }
}
