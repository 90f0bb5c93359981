package org.ipccourse.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;

/**
 * The other end of the raw ping-pong: echoes 8-byte messages from standard input to standard
 * output, flushing each, until end of file. No serialization, no threads: the floor.
 */
public final class PipeEcho {
    private PipeEcho() {
    }

    public static void main(String[] args) throws IOException {
        DataInputStream in = new DataInputStream(new BufferedInputStream(new FileInputStream(FileDescriptor.in)));
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out)));
        while (true) {
            long v;
            try {
                v = in.readLong();
            } catch (IOException e) {
                return;
            }
            out.writeLong(v);
            if (in.available() == 0) {
                out.flush();
            }
        }
    }
}
