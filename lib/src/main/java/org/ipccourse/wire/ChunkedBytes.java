package org.ipccourse.wire;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

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
public final class ChunkedBytes {
    static final int FIRST_CHUNK = 512;
    static final int MAX_CHUNK = 4 << 20;
    /** No bytes. */
    public static final ChunkedBytes EMPTY = new ChunkedBytes();

    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private final List<byte[]> full = new ArrayList<>();
    /** How many bytes of each full chunk are used (a chunk can be retired before it is full). */
    private final List<Integer> fullCounts = new ArrayList<>();
    private byte[] last = new byte[0];
    private int lastCount;
    private int size;

    ChunkedBytes() {
    }

    /** The number of bytes held. */
    public int size() {
        return size;
    }

    /** A copy of the bytes in one array. */
    public byte[] toByteArray() {
        byte[] all = new byte[size];
        int at = 0;
        for (int i = 0; i < full.size(); i++) {
            System.arraycopy(full.get(i), 0, all, at, fullCounts.get(i));
            at += fullCounts.get(i);
        }
        System.arraycopy(last, 0, all, at, lastCount);
        return all;
    }

    /**
     * Writes the bytes to {@code out} without flushing, at most {@link FrameDecoder#READ_SLICE}
     * bytes per call: a file stream copies each call's bytes into a native buffer before the
     * kernel copies them into the pipe, and slices of the pipe's size keep that buffer in cache.
     */
    void writeTo(OutputStream out) throws IOException {
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
        if (last.length - lastCount >= 4) {
            INT.set(last, lastCount, v);
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
        if (last.length - lastCount >= 8) {
            LONG.set(last, lastCount, v);
            lastCount += 8;
            size += 8;
        } else {
            writeInt((int) (v >>> 32));
            writeInt((int) v);
        }
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
        if ((long) size + wanted > Integer.MAX_VALUE - FrameDecoder.HEADER) {
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
