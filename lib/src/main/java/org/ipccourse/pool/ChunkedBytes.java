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
 * stream as they are. Built by {@link ObjectCodec#serializeChunked}; immutable once returned.
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
 */
final class ChunkedBytes {
    static final int FIRST_CHUNK = 512;
    static final int MAX_CHUNK = 4 << 20;
    /** No bytes. */
    public static final ChunkedBytes EMPTY = new ChunkedBytes();

    /** Bytes that go before the bulk section (a task's epoch); empty for most payloads. */
    private byte[] prefix = new byte[0];
    /** The payload's large arrays, shared with the buffers of its nested values; null in a section's own buffers. */
    private final Bulk bulk;
    /** Whether this buffer is a whole payload, which writes the bulk section (a nested value's buffer does not). */
    private final boolean whole;
    private final List<byte[]> full = new ArrayList<>();
    /** How many bytes of each full chunk are used (a chunk can be retired before it is full). */
    private final List<Integer> fullCounts = new ArrayList<>();
    private byte[] last = new byte[0];
    private int lastCount;
    private int size;

    ChunkedBytes() {
        this(new Bulk(), true);
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
            writeTo(fill);
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
        out.write(prefix);
        if (whole && bulk.count > 0) {
            out.write(BulkArrays.TAG);
            out.write(new byte[] {(byte) (bulk.count >>> 24), (byte) (bulk.count >>> 16), (byte) (bulk.count >>> 8),
                (byte) bulk.count});
            bulk.table.writeBody(out);
            bulk.elements.writeBody(out);
        }
        writeBody(out);
    }

    private void writeBody(OutputStream out) throws IOException {
        for (int i = 0; i < full.size(); i++) {
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
     * payload is a snapshot of the array when it was serialized).
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
        for (int at = 0; at < length; ) {
            ByteBuffer room = bulk.elements.room(size1);
            int n = Math.min(length - at, room.remaining() / size1);
            PrimitiveArrays.put(array, at, n, room);
            bulk.elements.advance(n * size1);
            at += n;
        }
    }

    /** A payload's bulk section while it is written: the table of arrays and their elements. */
    private static final class Bulk {
        final ChunkedBytes table = new ChunkedBytes(null, false);
        final ChunkedBytes elements = new ChunkedBytes(null, false);
        int count;

        /** Tag, count, table and elements; 0 without arrays. */
        long bytes() {
            return count == 0 ? 0 : 1 + 4 + (long) table.size + elements.size;
        }
    }

    /** Moves the chunks of {@code other} to the end of this buffer, without copying bytes; {@code other} is then empty. */
    void append(ChunkedBytes other) {
        if (other.size == 0) {
            return;
        }
        if (lastCount > 0) {
            full.add(last);
            fullCounts.add(lastCount);
        }
        full.addAll(other.full);
        fullCounts.addAll(other.fullCounts);
        last = other.last;
        lastCount = other.lastCount;
        size += other.size;
        other.full.clear();
        other.fullCounts.clear();
        other.last = new byte[0];
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
            full.add(last);
            fullCounts.add(lastCount);
        }
        last = new byte[Math.min(MAX_CHUNK, Math.max(FIRST_CHUNK, size))];
        lastCount = 0;
    }
}
