package org.ipccourse.measure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.util.ArrayList;
import java.util.List;
import org.ipccourse.workloads.Workloads;
import org.junit.jupiter.api.Test;

class CodecTest {
    record Point(int x, String label) implements Serializable {
    }

    record NotShippable(int x) {
    }

    @Test
    void javaCodecRoundTripsBoxedListsStringsAndRecords() {
        List<Integer> range = Workloads.range(50_000);
        assertEquals(range, Codec.JAVA.decode(Codec.JAVA.encode(range)));
        assertEquals("héllo", Codec.JAVA.decode(Codec.JAVA.encode("héllo")));
        List<Point> points = new ArrayList<>(List.of(new Point(1, "a"), new Point(2, "b")));
        assertEquals(points, Codec.JAVA.decode(Codec.JAVA.encode(points)));
    }

    @Test
    void rawCodecRoundTripsEveryPrimitiveArrayType() {
        double[] d = {1.5, -2, Double.NaN};
        assertArrayEquals(d, (double[]) Codec.RAW.decode(Codec.RAW.encode(d)));
        assertArrayEquals(new long[] {1, Long.MAX_VALUE},
                (long[]) Codec.RAW.decode(Codec.RAW.encode(new long[] {1, Long.MAX_VALUE})));
        assertArrayEquals(new int[] {7, -7}, (int[]) Codec.RAW.decode(Codec.RAW.encode(new int[] {7, -7})));
        assertArrayEquals(new float[] {0.5f}, (float[]) Codec.RAW.decode(Codec.RAW.encode(new float[] {0.5f})));
        assertArrayEquals(new short[] {3}, (short[]) Codec.RAW.decode(Codec.RAW.encode(new short[] {3})));
        assertArrayEquals(new char[] {'x'}, (char[]) Codec.RAW.decode(Codec.RAW.encode(new char[] {'x'})));
        assertArrayEquals(new byte[] {9, 8}, (byte[]) Codec.RAW.decode(Codec.RAW.encode(ByteBuffer.wrap(new byte[] {9, 8}))));
    }

    @Test
    void rawStreamFormatRoundTripsArraysLargerThanOneChunk() throws Exception {
        double[] d = new double[100_003];
        for (int i = 0; i < d.length; i++) {
            d[i] = i * 0.5;
        }
        char[] c = "chunked".repeat(20_000).toCharArray();
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
            RawLayout.writeTo(d, out);
            RawLayout.writeTo(c, out);
            RawLayout.writeTo(ByteBuffer.wrap(new byte[] {1, 2, 3}), out);
        }
        try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(
                new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            assertArrayEquals(d, (double[]) RawLayout.readFrom(in));
            assertArrayEquals(c, (char[]) RawLayout.readFrom(in));
            assertArrayEquals(new byte[] {1, 2, 3}, (byte[]) RawLayout.readFrom(in));
        }
    }

    @Test
    void rawCodecAddsOnlyItsHeaderToTheBytes() {
        assertEquals(8 * 1000 + RawLayout.HEADER, Codec.RAW.encode(new double[1000]).length);
        assertTrue(Codec.JAVA.encode(Workloads.range(50_000)).length > 4 * 50_000 * 2,
                "boxed integers cost far more than 4 bytes each in Java serialization");
    }

    @Test
    void rawDecodeOfABufferIsAViewNotACopy() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(8 * 4 + RawLayout.HEADER);
        Codec.RAW.encodeInto(new double[] {1, 2, 3, 4}, buffer);
        buffer.flip();
        DoubleBuffer view = (DoubleBuffer) Codec.RAW.decode(buffer);
        buffer.order(java.nio.ByteOrder.nativeOrder()).putDouble(RawLayout.HEADER, 42);
        assertEquals(42, view.get(0), "the view sees a later write to the underlying buffer");
        assertTrue(view.isReadOnly());
    }

    @Test
    void javaCodecEncodesIntoAndDecodesFromABuffer() {
        ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
        int written = Codec.JAVA.encodeInto(List.of(1, 2, 3), buffer);
        assertEquals(buffer.position(), written);
        buffer.flip();
        assertEquals(List.of(1, 2, 3), Codec.JAVA.decode(buffer));
    }

    @Test
    void unsupportedPayloadsFailWithAMessageSayingWhatToUse() {
        IllegalArgumentException raw = assertThrows(IllegalArgumentException.class,
                () -> Codec.RAW.encode(List.of(1)));
        assertTrue(raw.getMessage().contains("Codec.JAVA"), raw.getMessage());
        IllegalArgumentException java = assertThrows(IllegalArgumentException.class,
                () -> Codec.JAVA.encode(new NotShippable(1)));
        assertTrue(java.getMessage().contains("Serializable"), java.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Codec.JAVA.encodeInto(new double[100], ByteBuffer.allocate(64)));
    }
}
