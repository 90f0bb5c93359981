package org.ipccourse.pool;

import java.io.EOFException;
import java.nio.charset.StandardCharsets;

/**
 * Reads what {@link ChunkedBytes} wrote, from one array, without locks or copies (a
 * {@code DataInputStream} over a {@code ByteArrayInputStream} takes a lock per byte).
 */
final class ByteReader {

    private final byte[] bytes;
    private final int end;
    private int at;
    /** The payload's large arrays, for Java-serialized values nested in it. */
    private final BulkArrays bulk;

    ByteReader(byte[] bytes, int from, BulkArrays bulk) {
        this.bytes = bytes;
        this.at = from;
        this.end = bytes.length;
        this.bulk = bulk;
    }

    /** The payload's large arrays. */
    BulkArrays bulk() {
        return bulk;
    }

    private int take(int n) throws EOFException {
        if (n < 0 || end - at < n) {
            throw new EOFException("payload ends " + (end - at) + " bytes in, " + n + " more expected");
        }
        int from = at;
        at += n;
        return from;
    }

    byte readByte() throws EOFException {
        return bytes[take(1)];
    }

    // Shifts, not a byte-array view VarHandle: the same once compiled, and some 20 times cheaper
    // interpreted (3 µs a call), as a fresh JVM runs this for its first thousands of tasks.
    int readInt() throws EOFException {
        int at = take(4);
        return (bytes[at] & 0xff) << 24 | (bytes[at + 1] & 0xff) << 16 | (bytes[at + 2] & 0xff) << 8 | bytes[at + 3] & 0xff;
    }

    long readLong() throws EOFException {
        int at = take(8);
        long high = (bytes[at] & 0xff) << 24 | (bytes[at + 1] & 0xff) << 16 | (bytes[at + 2] & 0xff) << 8 | bytes[at + 3] & 0xff;
        long low = (bytes[at + 4] & 0xff) << 24 | (bytes[at + 5] & 0xff) << 16 | (bytes[at + 6] & 0xff) << 8 | bytes[at + 7] & 0xff;
        return high << 32 | low & 0xffffffffL;
    }

    byte[] readBytes(int n) throws EOFException {
        int from = take(n);
        byte[] copy = new byte[n];
        System.arraycopy(bytes, from, copy, 0, n);
        return copy;
    }

    String readLatin1(int n) throws EOFException {
        return new String(bytes, take(n), n, StandardCharsets.ISO_8859_1);
    }

    String readChars(int n) throws EOFException {
        if (n > (end - at) / 2) {
            throw new EOFException("payload too short for " + n + " chars");
        }
        char[] chars = new char[n];
        int from = take(2 * n);
        for (int i = 0; i < n; i++) {
            chars[i] = (char) (((bytes[from + 2 * i] & 0xff) << 8) | (bytes[from + 2 * i + 1] & 0xff));
        }
        return new String(chars);
    }

    /** Skips {@code n} bytes; returns where they start in {@link #array}. */
    int skip(int n) throws EOFException {
        return take(n);
    }

    /** Where the next byte is in {@link #array}. */
    int position() {
        return at;
    }

    /** The array read from. */
    byte[] array() {
        return bytes;
    }
}
