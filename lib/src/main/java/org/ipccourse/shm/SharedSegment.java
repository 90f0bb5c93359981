package org.ipccourse.shm;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * A block of memory that several JVMs map at once: a file under /dev/shm (the temporary directory
 * where there is no /dev/shm, as on macOS), readable and writable by its owner only, mapped into
 * each process. The creating JVM owns the file; only a small {@link Ref} (path and size) crosses
 * the pipe, and a worker {@link #attach}es to it. The file is deleted when its creator calls
 * {@link #release()} or exits, and within milliseconds of its creator's death if it is killed
 * (a watchdog child process of the creator removes it); a worker that keeps a mapping of a
 * deleted file keeps only its own view.
 *
 * <pre>{@code
 * try (SharedSegment seg = SharedSegment.create(8L * 1_000_000)) {
 *     seg.buffer().asDoubleBuffer().put(data);                 // one copy, into shared pages
 *     SharedSegment.Ref ref = seg.ref();                      // 100-odd bytes on the wire
 *     pool.submit(() -> sum(SharedSegment.attach(ref).buffer().asDoubleBuffer())).get();
 * }
 * }</pre>
 *
 * <p>Costs: creating a segment is two system calls (the first one in a JVM also starts its
 * watchdog, a {@code sh} of about 1 MB, a few milliseconds); its pages cost nothing until first touched,
 * and the first touch of each 4 KiB page is a page fault in each process (the creator's fault also
 * zero-fills it). A reused segment is as fast as memory; a fresh one pays the faults every time.
 * A worker's {@link #attach} maps a segment once and reuses the mapping for later calls with the
 * same ref. At most 2 GiB - 1 per segment (one {@link MappedByteBuffer}).
 */
public final class SharedSegment implements AutoCloseable {
    /** What crosses the pipe instead of the data: where the segment is and how large. */
    public record Ref(String path, long size) implements Serializable {
        public Ref {
            Objects.requireNonNull(path, "path");
        }
    }

    private final Ref ref;
    private final MappedByteBuffer mapping;
    private final boolean owner;
    private volatile boolean released;

    private SharedSegment(Ref ref, MappedByteBuffer mapping, boolean owner) {
        this.ref = ref;
        this.mapping = mapping;
        this.owner = owner;
    }

    /**
     * Creates and maps a new segment of {@code bytes} bytes, all zero.
     *
     * @throws IllegalArgumentException if {@code bytes} is negative or over 2 GiB - 1
     */
    public static SharedSegment create(long bytes) {
        if (bytes < 0 || bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("segment size must be between 0 and "
                    + Integer.MAX_VALUE + " bytes, got " + bytes);
        }
        Registry.start();
        Path path = SegmentFiles.createOwnerOnly("");
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            channel.truncate(0);
            if (bytes > 0) {
                channel.write(ByteBuffer.allocate(1), bytes - 1); // sets the length, sparse
            }
            MappedByteBuffer mapping = channel.map(FileChannel.MapMode.READ_WRITE, 0, bytes);
            SharedSegment segment = new SharedSegment(new Ref(path.toString(), bytes), mapping, true);
            Registry.created(segment);
            return segment;
        } catch (IOException | RuntimeException e) {
            SegmentFiles.deleteQuietly(path);
            if (e instanceof IOException io) {
                throw new UncheckedIOException("could not map " + bytes + " bytes at " + path
                        + "; check free space in " + SegmentFiles.directory(), io);
            }
            throw (RuntimeException) e;
        }
    }

    /**
     * Maps the segment {@code ref} describes, created by another JVM (or this one). The mapping is
     * kept and returned again for the same ref while the file exists.
     *
     * @throws IllegalStateException if the segment has been released by its creator
     */
    public static SharedSegment attach(Ref ref) {
        Objects.requireNonNull(ref, "ref");
        Registry.start();
        SharedSegment cached = Registry.attached(ref);
        if (cached != null) {
            if (Files.exists(Paths.get(ref.path()))) {
                return cached;
            }
            Registry.forget(cached);
            throw releasedError(ref);
        }
        try (FileChannel channel = FileChannel.open(Paths.get(ref.path()), StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            if (channel.size() < ref.size()) {
                throw new IllegalStateException("segment " + ref.path() + " has " + channel.size()
                        + " bytes, the ref says " + ref.size());
            }
            SharedSegment segment = new SharedSegment(ref,
                    channel.map(FileChannel.MapMode.READ_WRITE, 0, ref.size()), false);
            Registry.attachedNew(segment);
            return segment;
        } catch (NoSuchFileException e) {
            throw releasedError(ref);
        } catch (IOException e) {
            throw new UncheckedIOException("could not map segment " + ref.path(), e);
        }
    }

    /** The descriptor to send to other processes. */
    public Ref ref() {
        return ref;
    }

    /** Size in bytes. */
    public long size() {
        return ref.size();
    }

    /**
     * A new view of the whole segment (position 0, native byte order); views are independent of
     * each other but share the memory.
     *
     * @throws IllegalStateException if this segment was released
     */
    public ByteBuffer buffer() {
        if (released) {
            throw releasedError(ref);
        }
        return mapping.duplicate().order(ByteOrder.nativeOrder());
    }

    /** Whether {@link #release()} was called on this handle. */
    public boolean isReleased() {
        return released;
    }

    /** Whether this JVM created the segment (and so deletes its file). */
    public boolean isOwner() {
        return owner;
    }

    /**
     * Releases the segment: the creator deletes the file (other processes' existing mappings stay
     * valid until they drop them; new attaches fail); an attached handle forgets its mapping.
     * Calling it again does nothing.
     */
    public void release() {
        if (released) {
            return;
        }
        released = true;
        Registry.forget(this);
        if (owner) {
            SegmentFiles.deleteQuietly(Paths.get(ref.path()));
        }
    }

    /** Same as {@link #release()}. */
    @Override
    public void close() {
        release();
    }

    @Override
    public String toString() {
        return "SharedSegment[" + ref.path() + ", " + ref.size() + " bytes"
                + (owner ? ", owner" : ", attached") + (released ? ", released" : "") + "]";
    }

    static IllegalStateException releasedError(Ref ref) {
        return new IllegalStateException("shared segment " + ref.path() + " was released;"
                + " create a new segment and send its ref()");
    }
}
