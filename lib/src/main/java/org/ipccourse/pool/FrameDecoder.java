package org.ipccourse.pool;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads the frames {@link FrameEncoder} writes. Not thread-safe: one thread at a time reads a
 * stream, and a thread taking over from another must see its writes (a lock or a volatile hand-off).
 */
final class FrameDecoder {
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

    /**
     * Bytes of a payload read before the rest is allocated at once: a header that claims a large
     * frame costs no more than this until that many bytes have really arrived.
     */
    static final int FIRST_SLICE = 1 << 16;

    private final DataInputStream in;
    /** The stream under {@link #in} when it can read arrays through its channel, else null. */
    private final PipeInput pipe;
    private final int maxFrame;
    /** Bytes read in all, for a watchdog that looks for a frame that stopped arriving. */
    private volatile long bytesRead;
    /** Length of the frame being read, or 0 between frames. */
    private volatile int frameLength;

    /** Wraps {@code in}, which should be buffered; frames up to {@link #MAX_FRAME} bytes. */
    public FrameDecoder(InputStream in) {
        this(in, MAX_FRAME);
    }

    /** Wraps {@code in}, which should be buffered; a frame longer than {@code maxFrame} is an error. */
    public FrameDecoder(InputStream in, int maxFrame) {
        this.in = new DataInputStream(in);
        this.pipe = in instanceof PipeInput p ? p : null;
        this.maxFrame = Math.min(maxFrame, MAX_FRAME);
    }

    /** Bytes read so far; it grows while a frame arrives. */
    public long bytesRead() {
        return bytesRead;
    }

    /**
     * The length of the frame whose header has been read and whose payload has not, or 0; after
     * {@link #read} threw, the length of the frame it was reading.
     */
    public int frameInProgress() {
        return frameLength;
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
        if (length < HEADER || length > maxFrame) {
            throw new IOException("protocol stream corrupted: frame length " + length + " (the limit is "
                    + maxFrame + "; did something write to the worker's file descriptor 1 directly?)");
        }
        frameLength = length;
        bytesRead += 4;
        try {
            int code = in.readUnsignedByte();
            MessageType type = MessageType.of(code);
            if (type == null) {
                throw new IOException("protocol stream corrupted: unknown message type " + code);
            }
            long id = in.readLong();
            bytesRead += HEADER;
            int offset = valueAt(type);
            int size = length - HEADER;
            Frame frame = offset >= 0 && size > offset ? readValue(type, id, size, offset)
                    : new Frame(type, id, readPayload(size, NO_BYTES));
            frameLength = 0;
            return frame;
        } catch (EOFException e) {
            throw new EOFException("protocol stream ended inside a frame of " + length + " bytes");
        }
    }

    private static final byte[] NO_BYTES = new byte[0];

    /** Where the value starts in the payload of a frame that carries one (task, result), or -1. */
    private static int valueAt(MessageType type) {
        return switch (type) {
            case TASK, AWAITED_TASK -> Payloads.TASK_HEADER;
            case RESULT, FAILURE -> 0;
            default -> -1;
        };
    }

    /**
     * Reads a task's or result's payload: a bulk section that opens its value goes straight into
     * its arrays, slice by slice; the rest into the frame's payload.
     */
    private Frame readValue(MessageType type, long id, int size, int offset) throws IOException {
        byte[] head = new byte[offset + 1];
        in.readFully(head);
        bytesRead += head.length;
        if (head[offset] != BulkArrays.TAG) {
            return new Frame(type, id, readPayload(size, head));
        }
        BulkArrays.Read bulk = BulkArrays.read(in, pipe, size - head.length, n -> bytesRead += n);
        int rest = size - head.length - (int) bulk.bytes();
        return new Frame(type, id, readPayload(offset + rest, java.util.Arrays.copyOf(head, offset)), bulk.arrays());
    }

    /**
     * Reads a payload of {@code size} bytes that begins with {@code start}, already read: the first
     * slice before allocating the rest, so a bogus length costs little.
     */
    private byte[] readPayload(int size, byte[] start) throws IOException {
        int first = Math.min(size, Math.max(start.length, FIRST_SLICE));
        byte[] head = java.util.Arrays.copyOf(start, first);
        in.readFully(head, start.length, first - start.length);
        bytesRead += first - start.length;
        if (first == size) {
            return head;
        }
        byte[] payload = new byte[size];
        System.arraycopy(head, 0, payload, 0, first);
        for (int at = first; at < size; at += READ_SLICE) {
            int n = Math.min(READ_SLICE, size - at);
            in.readFully(payload, at, n);
            bytesRead += n;
        }
        return payload;
    }
}
