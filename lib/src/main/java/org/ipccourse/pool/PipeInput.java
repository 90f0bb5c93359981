package org.ipccourse.pool;

import java.io.BufferedInputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/**
 * A worker's standard input: a {@link BufferedInputStream} that can also read straight into a
 * direct buffer through the file's channel, after the bytes it has buffered. {@link FrameDecoder}
 * reads the elements of a large primitive array that way ({@link BulkArrays}): the kernel copies
 * them into the direct buffer and one bulk copy puts them into the array, two copies as a raw pipe
 * reader makes into its {@code byte[]}, where a stream read makes three (into a native buffer of
 * the JDK's, into a {@code byte[]} slice, into the array). Measured on the course machines (2 cores,
 * JDK 17, 100 MiB {@code double[]} frames, 31 interleaved runs, one CPU): 0.95x the raw pipe's
 * rate through the channel, 0.88x through the stream.
 *
 * <p>A channel is closed when a thread blocked in its read is interrupted; the pool never
 * interrupts the thread that reads a worker's input (it interrupts only a task's own thread, and
 * clears that before the thread reads again), so only a task that interrupts threads it does not
 * own can do it, and the worker then ends with a protocol error, as on any broken input.
 */
final class PipeInput extends BufferedInputStream {
    private final FileChannel channel;
    private final ByteBuffer slice = ByteBuffer.allocateDirect(FrameDecoder.READ_SLICE).order(ByteOrder.LITTLE_ENDIAN);

    PipeInput(FileInputStream in, int size) {
        super(in, size);
        this.channel = in.getChannel();
    }

    /** The direct buffer {@link #readInto} fills for its one reader: {@link FrameDecoder#READ_SLICE} bytes, little-endian. */
    ByteBuffer slice() {
        return slice;
    }

    /**
     * Reads into {@code into} up to its limit: what this stream has buffered, or else one read of
     * the channel, blocking until a byte arrives.
     *
     * @return the number of bytes read, or -1 at end of file
     */
    synchronized int readInto(ByteBuffer into) throws IOException {
        int buffered = count - pos;
        if (buffered > 0) {
            int n = Math.min(buffered, into.remaining());
            into.put(buf, pos, n);
            pos += n;
            return n;
        }
        return channel.read(into);
    }
}
