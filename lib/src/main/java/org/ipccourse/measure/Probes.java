package org.ipccourse.measure;

import java.io.Serializable;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.Map;
import org.ipccourse.pool.SerializableCallable;
import org.ipccourse.shm.SharedSegment;

/** The tasks {@link IpcCost} sends to a worker, and what they report back. */
final class Probes {
    /** Allocation count at the end of this JVM's previous probe, to see what receiving cost. */
    private static volatile long lastEnd = -1;

    private Probes() {
    }

    /** Measured in the worker: decode time, allocations to receive and to decode, a fingerprint. */
    record Report(long decodeNanos, long receiveAllocBytes, long decodeAllocBytes, long elements,
            long pid) implements Serializable {
    }

    /**
     * Carries the payload itself through the pool's own serialization: the pipe path with exactly
     * the copies the pool makes. Its serialization hooks time the codec where it runs: encoding in
     * the owner while the pool serializes the task, decoding in the worker while the pool
     * deserializes it. In an executor that does not serialize (threads) both stay zero.
     */
    static final class Pipe implements SerializableCallable<Report> {
        private static final long serialVersionUID = 1L;
        private final Codec codec;
        private transient Object payload;
        private transient long encodeNanos;
        private transient long decodeNanos;
        private transient long receiveStart = -1;

        Pipe(Codec codec, Object payload) {
            this.codec = codec;
            this.payload = payload;
        }

        long encodeNanos() {
            return encodeNanos;
        }

        @Override
        public Report call() {
            long start = receiveStart >= 0 ? receiveStart : Allocation.allThreads();
            return report(start, decodeNanos, payload);
        }

        private void writeObject(java.io.ObjectOutputStream out) throws java.io.IOException {
            long t0 = System.nanoTime();
            out.defaultWriteObject();
            if (codec == Codec.RAW) {
                RawLayout.writeTo(payload, out);
            } else {
                out.writeObject(payload);
            }
            encodeNanos = System.nanoTime() - t0;
        }

        private void readObject(java.io.ObjectInputStream in)
                throws java.io.IOException, ClassNotFoundException {
            receiveStart = Allocation.allThreads();
            long t0 = System.nanoTime();
            in.defaultReadObject();
            payload = codec == Codec.RAW ? RawLayout.readFrom(in) : in.readObject();
            decodeNanos = System.nanoTime() - t0;
        }
    }

    /** Carries only a segment's ref: the shared-memory path. */
    record Shared(Codec codec, SharedSegment.Ref ref, int length, boolean dropMapping)
            implements SerializableCallable<Report> {
        @Override
        public Report call() {
            long start = Allocation.allThreads();
            long t0 = System.nanoTime();
            SharedSegment segment = SharedSegment.attach(ref);
            ByteBuffer data = segment.buffer().limit(length);
            Object payload = codec.decode(data);
            if (payload instanceof Buffer view) {
                touchEveryPage(view);
            }
            long nanos = System.nanoTime() - t0;
            if (dropMapping) {
                segment.release();
            }
            return report(start, nanos, payload);
        }
    }

    /** Runs a collection in the worker before a timed probe; not timed. */
    record Collect() implements SerializableCallable<Boolean> {
        @Override
        public Boolean call() {
            System.gc();
            lastEnd = Allocation.allThreads();
            return true;
        }
    }

    private static Report report(long start, long decodeNanos, Object payload) {
        long end = Allocation.allThreads();
        long receive = Allocation.delta(lastEnd, start);
        Report r = new Report(decodeNanos, receive, Allocation.delta(start, end), elements(payload),
                ProcessHandle.current().pid());
        lastEnd = Allocation.allThreads();
        return r;
    }

    /** A view costs nothing until read: read one element per 4 KiB page, as a real task would. */
    static long touchEveryPage(Buffer view) {
        long sum = 0;
        int step = Math.max(1, 4096 / elementBytes(view));
        if (view instanceof java.nio.DoubleBuffer d) {
            for (int i = 0; i < d.limit(); i += step) {
                sum += (long) d.get(i);
            }
        } else if (view instanceof java.nio.LongBuffer l) {
            for (int i = 0; i < l.limit(); i += step) {
                sum += l.get(i);
            }
        } else if (view instanceof java.nio.IntBuffer n) {
            for (int i = 0; i < n.limit(); i += step) {
                sum += n.get(i);
            }
        } else if (view instanceof ByteBuffer b) {
            for (int i = 0; i < b.limit(); i += step) {
                sum += b.get(i);
            }
        }
        return sum;
    }

    private static int elementBytes(Buffer view) {
        if (view instanceof java.nio.DoubleBuffer || view instanceof java.nio.LongBuffer) {
            return 8;
        }
        if (view instanceof java.nio.IntBuffer || view instanceof java.nio.FloatBuffer) {
            return 4;
        }
        return view instanceof ByteBuffer ? 1 : 2;
    }

    /** Element count of a payload, compared on both sides to prove the right thing arrived. */
    static long elements(Object payload) {
        if (payload == null) {
            return -1;
        } else if (payload.getClass().isArray()) {
            return java.lang.reflect.Array.getLength(payload);
        } else if (payload instanceof Buffer b) {
            return b.remaining();
        } else if (payload instanceof Collection<?> c) {
            return c.size();
        } else if (payload instanceof Map<?, ?> m) {
            return m.size();
        } else if (payload instanceof CharSequence s) {
            return s.length();
        }
        return 1;
    }
}
