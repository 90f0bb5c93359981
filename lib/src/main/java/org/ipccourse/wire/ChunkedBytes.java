package org.ipccourse.wire;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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
        for (byte[] chunk : full) {
            System.arraycopy(chunk, 0, all, at, chunk.length);
            at += chunk.length;
        }
        System.arraycopy(last, 0, all, at, lastCount);
        return all;
    }

    /** Writes the bytes to {@code out}, one write per chunk, without flushing. */
    void writeTo(OutputStream out) throws IOException {
        for (byte[] chunk : full) {
            out.write(chunk, 0, chunk.length);
        }
        out.write(last, 0, lastCount);
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

    /** Retires the full last chunk and starts one as big as everything so far (capped). */
    private void grow(int wanted) throws IOException {
        if ((long) size + wanted > Integer.MAX_VALUE - FrameDecoder.HEADER) {
            throw new IOException("the serialized payload exceeds 2 GiB; a frame holds at most "
                    + FrameDecoder.MAX_FRAME + " bytes: send it in parts");
        }
        if (last.length > 0) {
            full.add(last);
        }
        last = new byte[Math.min(MAX_CHUNK, Math.max(FIRST_CHUNK, size))];
        lastCount = 0;
    }
}
