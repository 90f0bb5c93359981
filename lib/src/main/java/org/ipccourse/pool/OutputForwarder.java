package org.ipccourse.pool;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Worker side: the stream behind the worker's System.out and System.err. It buffers bytes and
 * sends them to the owner as OUTPUT frames on flush (PrintStream flushes on every line).
 */
final class OutputForwarder extends OutputStream {
    private final FrameEncoder encoder;
    private final long stream;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);

    OutputForwarder(FrameEncoder encoder, long stream) {
        this.encoder = encoder;
        this.stream = stream;
    }

    @Override
    public synchronized void write(int b) {
        buffer.write(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        buffer.write(b, off, len);
        if (buffer.size() >= 8192) {
            flush();
        }
    }

    @Override
    public synchronized void flush() throws IOException {
        if (buffer.size() > 0) {
            encoder.write(MessageType.OUTPUT, stream, buffer.toByteArray());
            buffer.reset();
        }
    }
}
