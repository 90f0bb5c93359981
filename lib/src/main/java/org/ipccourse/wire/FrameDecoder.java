package org.ipccourse.wire;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads the frames {@link FrameEncoder} writes. Not thread-safe: one thread at a time reads a
 * stream, and a thread taking over from another must see its writes (a lock or a volatile hand-off).
 */
public final class FrameDecoder {
    /** Bytes of type and id that the length field counts besides the payload. */
    static final int HEADER = 1 + 8;
    /** The largest frame accepted: 1 GiB. */
    public static final int MAX_FRAME = 1 << 30;

    /**
     * The most read at once into a payload. A file stream's native read stages each call's whole
     * length in a malloc'ed buffer, though a pipe yields at most 64 KiB per read: asking for the
     * rest of a 100 MiB frame each time maps and unmaps that much per read.
     */
    static final int READ_SLICE = 1 << 16;

    private final DataInputStream in;

    /** Wraps {@code in}, which should be buffered. */
    public FrameDecoder(InputStream in) {
        this.in = new DataInputStream(in);
    }

    /**
     * Whether bytes of the next frame have arrived, so that {@link #read} will not wait for the
     * writer to begin one; one {@code FIONREAD} system call when nothing is buffered.
     */
    public boolean hasBytes() throws IOException {
        return in.available() > 0;
    }

    /**
     * Reads the next frame.
     *
     * @return the frame, or {@code null} at end of file between frames
     * @throws IOException on end of file inside a frame or on a malformed frame
     */
    public Frame read() throws IOException {
        int length;
        try {
            length = in.readInt();
        } catch (EOFException e) {
            return null;
        }
        if (length < HEADER || length > MAX_FRAME) {
            throw new IOException("protocol stream corrupted: frame length " + length
                    + " (did something write to the worker's file descriptor 1 directly?)");
        }
        int code = in.readUnsignedByte();
        MessageType type = MessageType.of(code);
        if (type == null) {
            throw new IOException("protocol stream corrupted: unknown message type " + code);
        }
        long id = in.readLong();
        byte[] payload = new byte[length - HEADER];
        for (int at = 0; at < payload.length; at += READ_SLICE) {
            in.readFully(payload, at, Math.min(READ_SLICE, payload.length - at));
        }
        return new Frame(type, id, payload);
    }
}
