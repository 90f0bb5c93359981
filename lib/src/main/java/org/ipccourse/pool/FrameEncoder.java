package org.ipccourse.pool;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes frames (length, type, id, payload) to a stream; thread-safe, one frame at a time. Each
 * {@link #write} flushes, so a frame is on the pipe when the call returns.
 */
final class FrameEncoder {
    private final DataOutputStream out;

    /** Wraps {@code out}, which should be buffered. */
    public FrameEncoder(OutputStream out) {
        this.out = new DataOutputStream(out);
    }

    /** Writes and flushes one frame. */
    public synchronized void write(MessageType type, long id, byte[] payload) throws IOException {
        writeNoFlush(type, id, payload, 0, payload.length);
        out.flush();
    }

    /** Writes one frame whose payload is {@code payload[offset, offset+length)}, and flushes. */
    public synchronized void write(MessageType type, long id, byte[] payload, int offset, int length)
            throws IOException {
        writeNoFlush(type, id, payload, offset, length);
        out.flush();
    }

    /**
     * Writes one frame whose payload is {@code payload}, chunk by chunk, and flushes. Chunks at
     * least as large as the underlying stream's buffer go straight through to it.
     */
    public synchronized void write(MessageType type, long id, ChunkedBytes payload) throws IOException {
        writeHeader(type, id, payload.size());
        payload.writeTo(out);
        out.flush();
    }

    private void writeHeader(MessageType type, long id, int length) throws IOException {
        out.writeInt(FrameDecoder.HEADER + length);
        out.writeByte(type.code);
        out.writeLong(id);
    }

    private void writeNoFlush(MessageType type, long id, byte[] payload, int offset, int length)
            throws IOException {
        writeHeader(type, id, length);
        out.write(payload, offset, length);
    }

    /** Closes the underlying stream; the peer then reads end of file. */
    public synchronized void close() throws IOException {
        out.close();
    }
}
