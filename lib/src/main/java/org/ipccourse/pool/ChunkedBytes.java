package org.ipccourse.pool;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.ipccourse.bytes.PrimitiveArrays;

/**
 * A serialized payload held as a list of chunks, so that growing never copies what was already
 * written; {@link FrameEncoder#write(MessageType, long, ChunkedBytes)} writes the chunks to the
 * stream as they are. Built by {@link ObjectCodec#serializeChunked}; immutable once returned,
 * except that a task's payload may defer the copy of its large arrays (below).
 *
 * <pre>{@code
 * ChunkedBytes task = ObjectCodec.serializeChunked(callable);
 * encoder.write(MessageType.TASK, id, task); // no byte[] of the whole payload is ever made
 * }</pre>
 *
 * <p>Costs: the chunks double in size up to {@value #MAX_CHUNK} bytes, so a payload of n bytes
 * allocates at most about n + 4 MiB (a small one at most 2n), against about 4n for a doubling
 * {@code ByteArrayOutputStream} followed by {@code toByteArray}. Each chunk of 64 KiB or more
 * reaches the pipe without passing through a stream buffer.
 *
 * <h2>Deferred copies of large arrays (task payloads)</h2>
 * A payload made with {@code deferCopies} keeps references to the large primitive arrays of its
 * bulk section instead of copying their elements: a write takes the elements from the arrays
 * themselves, through one 64 KiB slice. The payload then depends on arrays its caller may change,
 * so its maker must {@link #settle} it before handing control back: a payload written in full by
 * then needs no copy unless it may be written again (the bytes on the pipe are the snapshot);
 * any other one copies the elements at that moment, as an eager payload would have at once. For
 * a 100 MiB {@code double[]} submitted to an idle worker this leaves out a copy of 20-40 ms and
 * 100 MiB of the owner's heap (measured on the course machines, 2 cores, JDK 17: the copy was
 * most of the gap between the pool's pipe path and a raw pipe); the write itself reads the array
 * once, as the raw pipe reads its bytes.
 */
final class ChunkedBytes {
    static final int FIRST_CHUNK = 512;
    static final int MAX_CHUNK = 4 << 20;
    /** An empty chunk, shared: it is never written into ({@link #grow} replaces it first). */
    private static final byte[] NO_BYTES = new byte[0];

    /** No bytes. */
    public static final ChunkedBytes EMPTY = new ChunkedBytes();

    /** Bytes that go before the bulk section (a task's epoch); empty for most payloads. */
    private byte[] prefix = NO_BYTES;
    /** The payload's large arrays, shared with the buffers of its nested values; null in a section's own buffers. */
    private final Bulk bulk;
    /** Whether this buffer is a whole payload, which writes the bulk section (a nested value's buffer does not). */
    private final boolean whole;
    // Chunks before the last, and how many bytes of each are used (a chunk can be retired before
    // it is full); null until the first is retired, as most payloads fit in one chunk: a fresh
    // JVM runs this code unoptimized for thousands of tasks, where each allocation counts.
    private List<byte[]> full;
    private List<Integer> fullCounts;
    private byte[] last = NO_BYTES;
    private int lastCount;
    private int size;

    ChunkedBytes() {
        this(false);
    }

    /** A whole payload; {@code deferCopies}: its large arrays are copied only by {@link #settle}. */
    ChunkedBytes(boolean deferCopies) {
        this(new Bulk(deferCopies), true);
    }

    private ChunkedBytes(Bulk bulk, boolean whole) {
        this.bulk = bulk;
        this.whole = whole;
    }

    /** A buffer for a value nested in this payload: its large arrays join this payload's bulk section. */
    ChunkedBytes nested() {
        return new ChunkedBytes(bulk, false);
    }

    /** Sets the bytes written before the bulk section and the rest (a task's epoch header). */
    void prefix(byte[] bytes) {
        if ((long) bytes.length + size() > Integer.MAX_VALUE - FrameDecoder.HEADER) {
            throw new IllegalStateException("payload too large");
        }
        prefix = bytes.clone();
    }

    /** The number of bytes held, the bulk section included. */
    public int size() {
        long all = (long) prefix.length + size + (whole ? bulk.bytes() : 0);
        return (int) Math.min(all, Integer.MAX_VALUE);
    }

    /** A copy of the bytes in one array. */
    public byte[] toByteArray() {
        byte[] all = new byte[size()];
        OutputStream fill = new OutputStream() {
            private int at;

            @Override
            public void write(int b) {
                all[at++] = (byte) b;
            }

            @Override
            public void write(byte[] b, int off, int len) {
                System.arraycopy(b, off, all, at, len);
                at += len;
            }
        };
        try {
            writeTo(fill, false);
        } catch (IOException e) {
            throw new IllegalStateException(e); // cannot happen in memory
        }
        return all;
    }

    /**
     * Writes the bytes to {@code out} without flushing, at most {@link FrameDecoder#READ_SLICE}
     * bytes per call: a file stream copies each call's bytes into a native buffer before the
     * kernel copies them into the pipe, and slices of the pipe's size keep that buffer in cache.
     */
    void writeTo(OutputStream out) throws IOException {
        writeTo(out, true);
    }

    /** As {@link #writeTo(OutputStream)}; {@code send}: a frame's write, which counts for {@link #settle}. */
    private void writeTo(OutputStream out, boolean send) throws IOException {
        synchronized (bulk) {
            if (bulk.spent) {
                throw new IOException("a task's payload was sent without a copy of its large arrays, so it cannot be"
                        + " sent again (the arrays may have changed since)");
            }
            out.write(prefix);
            boolean live = bulk.deferred && !bulk.copied;
            if (whole && bulk.count > 0) {
                out.write(BulkArrays.TAG);
                out.write(new byte[] {(byte) (bulk.count >>> 24), (byte) (bulk.count >>> 16), (byte) (bulk.count >>> 8),
                    (byte) bulk.count});
                bulk.table.writeBody(out);
                if (live) {
                    writeArrays(out, bulk.arrays);
                } else {
                    bulk.elements.writeBody(out);
                }
            }
            writeBody(out);
            bulk.sentLive |= live && send;
        }
    }

    /** The elements of {@code arrays}, little-endian, through one slice of {@link FrameDecoder#READ_SLICE} bytes. */
    private static void writeArrays(OutputStream out, List<Object> arrays) throws IOException {
        byte[] slice = null;
        for (Object array : arrays) {
            if (array instanceof byte[] b) {
                writeSliced(out, b, b.length); // no conversion: straight from the array
                continue;
            }
            int size1 = PrimitiveArrays.elementBytes(array.getClass());
            int length = java.lang.reflect.Array.getLength(array);
            slice = slice != null ? slice : new byte[FrameDecoder.READ_SLICE];
            ByteBuffer view = ByteBuffer.wrap(slice).order(ByteOrder.LITTLE_ENDIAN);
            for (int at = 0; at < length; ) {
                int n = Math.min(length - at, slice.length / size1);
                PrimitiveArrays.put(array, at, n, view.clear());
                out.write(slice, 0, n * size1);
                at += n;
            }
        }
    }

    /**
     * Makes a payload with deferred copies independent of its arrays, at the latest moment it may
     * still read them: if a frame of it was written in full from the arrays and it will never be
     * written again ({@code mayBeSentAgain} false), nothing is copied and a later write fails;
     * otherwise the elements are copied now. Nothing to do for an eager payload. Waits for a write
     * of this payload in progress on another thread.
     *
     * @throws OutOfMemoryError if the copy does not fit in the heap
     */
    void settle(boolean mayBeSentAgain) {
        synchronized (bulk) {
            if (!bulk.deferred || bulk.count == 0 || bulk.copied || bulk.spent) {
                return;
            }
            if (bulk.sentLive && !mayBeSentAgain) {
                bulk.spent = true;
                return;
            }
            try {
                for (Object array : bulk.arrays) {
                    bulk.copyElements(array);
                }
            } catch (IOException e) {
                throw new IllegalStateException(e); // sizes were checked when the arrays were added
            }
            bulk.copied = true;
        }
    }

    /** Whether a frame of this payload may be written (again): false once {@link #settle} left it without a copy. */
    boolean canBeSent() {
        synchronized (bulk) {
            return !bulk.spent;
        }
    }

    private void writeBody(OutputStream out) throws IOException {
        for (int i = 0; full != null && i < full.size(); i++) {
            writeSliced(out, full.get(i), fullCounts.get(i));
        }
        writeSliced(out, last, lastCount);
    }

    private static void writeSliced(OutputStream out, byte[] chunk, int length) throws IOException {
        for (int at = 0; at < length; at += FrameDecoder.READ_SLICE) {
            out.write(chunk, at, Math.min(FrameDecoder.READ_SLICE, length - at));
        }
    }

    /** The stream that fills this buffer; only the codec writes, before it hands the buffer out. */
    OutputStream sink() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                writeByte(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                ChunkedBytes.this.write(b, off, len);
            }
        };
    }

    /** Appends one byte. */
    void writeByte(int b) throws IOException {
        if (lastCount == last.length) {
            grow(1);
        }
        last[lastCount++] = (byte) b;
        size++;
    }

    /** Appends a big-endian int. */
    void writeInt(int v) throws IOException {
        if (last.length - lastCount >= 4) { // shifts, as in ByteReader: cheap when interpreted
            last[lastCount] = (byte) (v >>> 24);
            last[lastCount + 1] = (byte) (v >>> 16);
            last[lastCount + 2] = (byte) (v >>> 8);
            last[lastCount + 3] = (byte) v;
            lastCount += 4;
            size += 4;
        } else {
            for (int shift = 24; shift >= 0; shift -= 8) {
                writeByte(v >>> shift);
            }
        }
    }

    /** Appends a big-endian long. */
    void writeLong(long v) throws IOException {
        writeInt((int) (v >>> 32));
        writeInt((int) v);
    }

    /** Appends {@code b[off, off + len)}. */
    void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        while (len > 0) {
            if (lastCount == last.length) {
                grow(len);
            }
            int n = Math.min(len, last.length - lastCount);
            System.arraycopy(b, off, last, lastCount, n);
            lastCount += n;
            size += n;
            off += n;
            len -= n;
        }
    }

    /**
     * Adds a large primitive array to the payload's bulk section: its kind and length to the
     * table, a copy of its elements, little-endian, to the elements (copied now, so that the
     * payload is a snapshot of the array when it was serialized; with deferred copies, only by
     * {@link #settle}).
     */
    void addBulkArray(Object array) throws IOException {
        int size1 = PrimitiveArrays.elementBytes(array.getClass());
        int length = java.lang.reflect.Array.getLength(array);
        if (bulk.bytes() + size + prefix.length + 5L + (long) length * size1 > Integer.MAX_VALUE - FrameDecoder.HEADER) {
            throw new IOException("the serialized payload exceeds 2 GiB; a frame holds at most "
                    + FrameDecoder.MAX_FRAME + " bytes: send it in parts");
        }
        bulk.table.writeByte(BulkArrays.kindOf(array.getClass()));
        bulk.table.writeInt(length);
        bulk.count++;
        bulk.arrays.add(array);
        bulk.arrayBytes += (long) length * size1;
        if (!bulk.deferred) {
            bulk.copyElements(array);
        }
    }

    /**
     * A payload's bulk section while it is written: the table of arrays, the arrays, and their
     * elements once copied. Its monitor guards the fields below {@code count}.
     */
    private static final class Bulk {
        final ChunkedBytes table = new ChunkedBytes(null, false);
        final ChunkedBytes elements = new ChunkedBytes(null, false);
        final List<Object> arrays = new ArrayList<>();
        /** Copies wait for {@link #settle}. */
        final boolean deferred;
        int count;
        long arrayBytes;
        /** The elements are in {@link #elements}: writes no longer read the arrays. */
        boolean copied;
        /** Written once from the arrays themselves. */
        boolean sentLive;
        /** Settled without a copy: never written again. */
        boolean spent;

        Bulk(boolean deferred) {
            this.deferred = deferred;
        }

        /** Tag, count, table and elements; 0 without arrays. */
        long bytes() {
            return count == 0 ? 0 : 1 + 4 + (long) table.size + arrayBytes;
        }

        /** Appends a copy of the elements of {@code array}, little-endian, to {@link #elements}. */
        void copyElements(Object array) throws IOException {
            int size1 = PrimitiveArrays.elementBytes(array.getClass());
            int length = java.lang.reflect.Array.getLength(array);
            for (int at = 0; at < length; ) {
                ByteBuffer room = elements.room(size1);
                int n = Math.min(length - at, room.remaining() / size1);
                PrimitiveArrays.put(array, at, n, room);
                elements.advance(n * size1);
                at += n;
            }
        }
    }

    /** Moves the chunks of {@code other} to the end of this buffer, without copying bytes; {@code other} is then empty. */
    void append(ChunkedBytes other) {
        if (other.size == 0) {
            return;
        }
        if (lastCount > 0) {
            retire();
        }
        if (other.full != null) {
            haveFullChunks();
            full.addAll(other.full);
            fullCounts.addAll(other.fullCounts);
        }
        last = other.last;
        lastCount = other.lastCount;
        size += other.size;
        other.full = null;
        other.fullCounts = null;
        other.last = NO_BYTES;
        other.lastCount = 0;
        other.size = 0;
    }

    /**
     * The free space of the current chunk, at least {@code min} bytes, as a little-endian buffer
     * to fill in bulk; {@link #advance} then counts what was filled.
     */
    ByteBuffer room(int min) throws IOException {
        if (last.length - lastCount < min) {
            grow(min);
        }
        return ByteBuffer.wrap(last, lastCount, last.length - lastCount).slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Counts {@code n} bytes filled through {@link #room}. */
    void advance(int n) {
        lastCount += n;
        size += n;
    }

    /** Retires the last chunk (full, or too full for what comes next) and starts one as big as everything so far (capped). */
    private void grow(int wanted) throws IOException {
        if ((long) size() + wanted > Integer.MAX_VALUE - FrameDecoder.HEADER) {
            throw new IOException("the serialized payload exceeds 2 GiB; a frame holds at most "
                    + FrameDecoder.MAX_FRAME + " bytes: send it in parts");
        }
        if (last.length > 0) {
            retire();
        }
        last = new byte[Math.min(MAX_CHUNK, Math.max(FIRST_CHUNK, size))];
        lastCount = 0;
    }

    /** Moves the last chunk to the full ones. */
    private void retire() {
        haveFullChunks();
        full.add(last);
        fullCounts.add(lastCount);
    }

    /** Makes the lists of full chunks, when this buffer retires its first. */
    private void haveFullChunks() {
        if (full == null) {
            full = new ArrayList<>();
            fullCounts = new ArrayList<>();
        }
    }
}
