package org.ipccourse.shm;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@code long} in a shared segment that every process holding this (serializable) handle can
 * update, three ways: {@link #incrementPlain()} reads then writes with no lock, so concurrent
 * increments from several processes overwrite each other and updates are lost;
 * {@link #incrementAtomic()} is one atomic read-modify-write instruction on the shared page and
 * loses none; {@link #incrementLocked()} takes an operating-system file lock around the plain
 * read and write and loses none either. The creator owns the segment and releases it.
 *
 * <pre>{@code
 * try (SharedCounter counter = SharedCounter.create()) {
 *     pool.map(n -> { for (int i = 0; i < n; i++) counter.incrementPlain(); return n; },
 *              List.of(1_000_000, 1_000_000));
 *     counter.get();   // less than 2_000_000: lost updates
 * }
 * }</pre>
 *
 * <p>Costs: plain and atomic increments are memory operations (nanoseconds; the atomic one also
 * moves the cache line between cores); a locked increment is two system calls (microseconds). A
 * deserialized handle maps the segment on first use.
 */
public final class SharedCounter implements Serializable, AutoCloseable {
    private static final long serialVersionUID = 1L;
    private static final VarHandle LONGS =
            MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());

    /** File locks belong to the whole JVM, so one lock and channel per file, shared by handles. */
    private static final Map<String, FileLocker> LOCKERS = new ConcurrentHashMap<>();

    private final SharedSegment.Ref ref;
    private transient volatile SharedSegment segment;

    private SharedCounter(SharedSegment segment) {
        this.ref = segment.ref();
        this.segment = segment;
    }

    /** A new counter at zero in its own small segment. */
    public static SharedCounter create() {
        return new SharedCounter(SharedSegment.create(64));
    }

    /** A new counter whose segment is released with {@code scope}. */
    public static SharedCounter create(SharedMemory scope) {
        return new SharedCounter(scope.allocate(64));
    }

    /** The current value. */
    public long get() {
        return (long) LONGS.getVolatile(buffer(), 0);
    }

    /** Read, add one, write back, with no lock: concurrent callers lose updates. */
    public void incrementPlain() {
        ByteBuffer b = buffer();
        long value = b.getLong(0);
        b.putLong(0, value + 1);
    }

    /** One atomic add on the shared page; returns the new value. */
    public long incrementAtomic() {
        return (long) LONGS.getAndAdd(buffer(), 0, 1L) + 1;
    }

    /** The plain read and write under an exclusive file lock; returns the new value. */
    public long incrementLocked() {
        ByteBuffer b = buffer();
        FileLocker locker = LOCKERS.computeIfAbsent(ref.path(), FileLocker::new);
        locker.local.lock(); // threads of one JVM take turns before asking the OS
        try (FileLock lock = locker.channel().lock(0, 1, false)) {
            long value = b.getLong(0) + 1;
            b.putLong(0, value);
            return value;
        } catch (IOException e) {
            throw new UncheckedIOException("could not lock " + ref.path(), e);
        } finally {
            locker.local.unlock();
        }
    }

    /** Releases the segment (the creator deletes it); later increments throw. */
    @Override
    public void close() {
        SharedSegment s = segment;
        if (s != null) {
            s.release();
        }
        FileLocker locker = LOCKERS.remove(ref.path());
        if (locker != null) {
            locker.close();
        }
    }

    private ByteBuffer buffer() {
        SharedSegment s = segment;
        if (s == null) {
            synchronized (this) {
                if (segment == null) {
                    segment = SharedSegment.attach(ref);
                }
                s = segment;
            }
        }
        return s.buffer();
    }

    private static final class FileLocker {
        final ReentrantLock local = new ReentrantLock();
        private final String path;
        private FileChannel channel;

        FileLocker(String path) {
            this.path = path;
        }

        synchronized FileChannel channel() throws IOException {
            if (channel == null) {
                channel = FileChannel.open(Paths.get(path), StandardOpenOption.READ,
                        StandardOpenOption.WRITE);
            }
            return channel;
        }

        synchronized void close() {
            try {
                if (channel != null) {
                    channel.close();
                }
            } catch (IOException e) {
                // the channel only carries locks; closing it cannot lose data
            }
        }
    }
}
