package org.ipccourse.pool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InvalidClassException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WireTest {
    @Test
    void framesRoundTripInOrderAndEndOfFileBetweenFramesIsNull() throws IOException {
        ByteArrayOutputStream pipe = new ByteArrayOutputStream();
        FrameEncoder out = new FrameEncoder(pipe);
        out.write(MessageType.TASK, 7, new byte[] {1, 2, 3});
        out.write(MessageType.OUTPUT, 2, "hi\n".getBytes());
        FrameDecoder in = new FrameDecoder(new ByteArrayInputStream(pipe.toByteArray()));
        Frame a = in.read();
        Frame b = in.read();
        assertEquals(MessageType.TASK, a.type());
        assertEquals(7, a.id());
        assertArrayEquals(new byte[] {1, 2, 3}, a.payload());
        assertEquals(MessageType.OUTPUT, b.type());
        assertEquals("hi\n", new String(b.payload()));
        assertNull(in.read());
    }

    @Test
    void aTaskPayloadCarriesItsEpochBeforeTheTask() throws Exception {
        for (Object task : List.of("direct", new ArrayList<>(List.of(1, 2)), new java.util.LinkedList<>(List.of("java")))) {
            byte[] payload = Payloads.encodeTask(-5_000_000_000L, task).toByteArray();
            assertEquals(-5_000_000_000L, Payloads.taskEpoch(payload));
            assertEquals(task, new ObjectCodec("").deserialize(payload, Payloads.TASK_HEADER, List.of()));
        }
        assertThrows(IOException.class, () -> Payloads.taskEpoch(new byte[7]));
    }

    @Test
    void endOfFileInsideAFrameIsAnError() throws IOException {
        ByteArrayOutputStream pipe = new ByteArrayOutputStream();
        new FrameEncoder(pipe).write(MessageType.RESULT, 1, new byte[100]);
        byte[] cut = Arrays.copyOf(pipe.toByteArray(), 50);
        assertThrows(EOFException.class, () -> new FrameDecoder(new ByteArrayInputStream(cut)).read());
    }

    @Test
    void textOnTheProtocolStreamIsReportedAsCorruption() {
        byte[] garbage = "Hello, world! printed to fd 1 by mistake".getBytes();
        IOException e = assertThrows(IOException.class, () -> new FrameDecoder(new ByteArrayInputStream(garbage)).read());
        assertTrue(e.getMessage().contains("corrupted"), e.getMessage());
    }

    @Test
    void classBytesAndInitPayloadsRoundTrip() throws IOException {
        Payloads.ClassBytes found = Payloads.decodeClassBytes(Payloads.encodeClassBytes(
                new Payloads.ClassBytes("REPL.$JShell$12", Optional.of(new byte[] {9, 8}))));
        assertEquals("REPL.$JShell$12", found.name());
        assertArrayEquals(new byte[] {9, 8}, found.bytes().orElseThrow());
        assertTrue(Payloads.decodeClassBytes(Payloads.encodeClassBytes(
                new Payloads.ClassBytes("x.Y", Optional.empty()))).bytes().isEmpty());
        Payloads.Init init = Payloads.decodeInit(Payloads.encodeInit(new Payloads.Init("!a.*", new byte[] {5}, 77, true,
                new byte[] {1, 2, 3}, new byte[] {4})));
        assertEquals("!a.*", init.filterPattern());
        assertEquals(77, init.maxPayload());
        assertTrue(init.cells());
        assertArrayEquals(new byte[] {1, 2, 3}, init.warmUpTask());
        assertArrayEquals(new byte[] {4}, init.warmUpCellTask());
        Payloads.Init bare = Payloads.decodeInit(Payloads.encodeInit(new Payloads.Init("", new byte[0], 1, false,
                new byte[0], new byte[0])));
        assertFalse(bare.cells());
        assertEquals(0, bare.warmUpTask().length);
        assertTrue(Payloads.decodeCancel(Payloads.encodeCancel(true)));
        assertFalse(Payloads.decodeCancel(Payloads.encodeCancel(false)));
        assertArrayEquals(new byte[] {5}, init.initializer());
        assertEquals("a.B", Payloads.decodeClassRequest(Payloads.encodeClassRequest("a.B")));
    }

    @Test
    void codecAdmitsOrdinaryObjectsAndRejectsGadgetPackagesByName() throws Exception {
        ObjectCodec codec = new ObjectCodec("");
        List<Object> value = new ArrayList<>(List.of("a", 1, 2.5, new int[] {1}));
        Object back = codec.deserialize(ObjectCodec.serialize(value), List.of());
        assertEquals(value.subList(0, 3), ((List<?>) back).subList(0, 3));
        byte[] gadget = ObjectCodec.serialize(new javax.management.BadAttributeValueExpException("x"));
        InvalidClassException e = assertThrows(InvalidClassException.class, () -> codec.deserialize(gadget, List.of()));
        assertTrue(e.getMessage().contains("javax.management.BadAttributeValueExpException is rejected"), e.getMessage());
    }

    @Test
    void userPatternRejectsBeforeTheDefaultPolicy() throws Exception {
        ObjectCodec codec = new ObjectCodec("!java.util.ArrayList");
        byte[] list = ObjectCodec.serialize(new ArrayList<>(List.of(1)));
        InvalidClassException e = assertThrows(InvalidClassException.class, () -> codec.deserialize(list, List.of()));
        assertTrue(e.getMessage().contains("java.util.ArrayList") && e.getMessage().contains("!java.util.ArrayList"),
                e.getMessage());
    }

    @Test
    void aChunkedPayloadIsTheSameFrameAsItsBytesAndDecodesToAnEqualValue() throws Exception {
        double[] value = new double[3 * ChunkedBytes.MAX_CHUNK / 8 + 12_345]; // several full chunks and a partial one
        for (int i = 0; i < value.length; i++) {
            value[i] = i * 0.5;
        }
        ChunkedBytes chunks = ObjectCodec.serializeChunked(value);
        byte[] flat = ObjectCodec.serialize(value);
        assertArrayEquals(flat, chunks.toByteArray());
        ByteArrayOutputStream viaChunks = new ByteArrayOutputStream();
        new FrameEncoder(viaChunks).write(MessageType.RESULT, 9, chunks);
        ByteArrayOutputStream viaBytes = new ByteArrayOutputStream();
        new FrameEncoder(viaBytes).write(MessageType.RESULT, 9, flat);
        assertArrayEquals(viaBytes.toByteArray(), viaChunks.toByteArray(), "the framing must not depend on the buffer");
        Frame f = new FrameDecoder(new ByteArrayInputStream(viaChunks.toByteArray())).read();
        assertEquals(1, f.arrays().length, "the array is read apart from the frame's bytes");
        assertTrue(f.payload().length < 1024, "the frame's bytes are only the rest: " + f.payload().length);
        assertArrayEquals(value, (double[]) new ObjectCodec("").deserialize(f.payload(), 0, f.arrays(), List.of()));
        assertArrayEquals(value, (double[]) new ObjectCodec("").deserialize(flat, List.of()), "and from one array");
    }

    @Test
    void aLargeByteArrayIsReadStraightIntoItselfAndASmallOneStaysDirect() throws Exception {
        byte[] large = new byte[3 * FrameDecoder.READ_SLICE + 7];
        new java.util.Random(5).nextBytes(large);
        ByteArrayOutputStream pipe = new ByteArrayOutputStream();
        new FrameEncoder(pipe).write(MessageType.RESULT, 1, ObjectCodec.serializeChunked(large));
        Frame f = new FrameDecoder(new ByteArrayInputStream(pipe.toByteArray())).read();
        assertEquals(1, f.arrays().length, "the bytes travel in the bulk section");
        assertTrue(f.payload().length < 1024, "no frame of its bytes beside the array: " + f.payload().length);
        assertArrayEquals(large, (byte[]) new ObjectCodec("").deserialize(f.payload(), 0, f.arrays(), List.of()));
        byte[] small = {1, 2, 3};
        byte[] direct = ObjectCodec.serialize(small);
        assertEquals(Values.BYTES, direct[0]);
        assertArrayEquals(small, (byte[]) new ObjectCodec("").deserialize(direct, List.of()));
    }

    @Test
    void aWorkersInputReadsLargeArraysThroughItsChannelIntoTheSameValues(@org.junit.jupiter.api.io.TempDir
            java.nio.file.Path dir) throws Exception {
        double[] xs = new double[3 * FrameDecoder.READ_SLICE / 8 + 3];
        long[] ys = new long[2_000];
        byte[] bytes = new byte[FrameDecoder.READ_SLICE + 1];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = i * 0.25;
        }
        ys[1_999] = 9;
        bytes[FrameDecoder.READ_SLICE] = 4;
        java.nio.file.Path file = dir.resolve("frames");
        try (java.io.OutputStream pipe = java.nio.file.Files.newOutputStream(file)) {
            FrameEncoder out = new FrameEncoder(pipe);
            out.write(MessageType.TASK, 1, Payloads.encodeTask(5, new ArrayList<>(List.of(1, 2))));
            out.write(MessageType.TASK, 2, Payloads.encodeTask(6, new Object[] {xs, ys, bytes, new int[0]}));
            out.write(MessageType.RESULT, 3, ObjectCodec.serializeChunked(xs));
        }
        try (PipeInput input = new PipeInput(new java.io.FileInputStream(file.toFile()), 1 << 16)) {
            FrameDecoder in = new FrameDecoder(input);
            ObjectCodec codec = new ObjectCodec("");
            Frame small = in.read();
            assertEquals(List.of(1, 2), codec.deserialize(small.payload(), Payloads.TASK_HEADER, small.arrays(), List.of()));
            Frame mixed = in.read();
            Object[] back = (Object[]) codec.deserialize(mixed.payload(), Payloads.TASK_HEADER, mixed.arrays(), List.of());
            assertArrayEquals(xs, (double[]) back[0]);
            assertArrayEquals(ys, (long[]) back[1]);
            assertArrayEquals(bytes, (byte[]) back[2]);
            assertEquals(0, ((int[]) back[3]).length);
            Frame result = in.read();
            assertArrayEquals(xs, (double[]) codec.deserialize(result.payload(), 0, result.arrays(), List.of()));
            assertNull(in.read());
            assertEquals(java.nio.file.Files.size(file), in.bytesRead());
        }
    }

    /** A record whose constructor reads its array: Java serialization runs it while decoding. */
    record Checked(double[] xs, double first) implements java.io.Serializable {
        Checked {
            if (xs[0] != first) {
                throw new IllegalArgumentException("the array was not filled yet: " + xs[0] + " != " + first);
            }
        }
    }

    @Test
    void largeArraysOfATaskArriveFilledBeforeTheRestIsDecodedAndNestedOnesToo() throws Exception {
        double[] xs = new double[100_000];
        java.util.Arrays.fill(xs, 7.5);
        long[] ys = new long[5_000];
        ys[4_999] = 42;
        org.ipccourse.pool.SerializableCallable<Object> task = () -> xs.length + ys[4_999]; // a lambda: nested values
        ByteArrayOutputStream pipe = new ByteArrayOutputStream();
        FrameEncoder out = new FrameEncoder(pipe);
        out.write(MessageType.TASK, 5, Payloads.encodeTask(77, new Checked(xs, 7.5)));
        out.write(MessageType.AWAITED_TASK, 6, Payloads.encodeTask(78, task));
        FrameDecoder in = new FrameDecoder(new ByteArrayInputStream(pipe.toByteArray()));
        ObjectCodec codec = new ObjectCodec("");
        Frame record = in.read();
        assertEquals(77, Payloads.taskEpoch(record.payload()));
        Checked back = (Checked) codec.deserialize(record.payload(), Payloads.TASK_HEADER, record.arrays(), List.of());
        assertArrayEquals(xs, back.xs());
        Frame lambda = in.read();
        assertEquals(78, Payloads.taskEpoch(lambda.payload()));
        assertEquals(2, lambda.arrays().length);
        @SuppressWarnings("unchecked")
        java.util.concurrent.Callable<Object> again = (java.util.concurrent.Callable<Object>) codec.deserialize(
                lambda.payload(), Payloads.TASK_HEADER, lambda.arrays(), List.of(getClass().getClassLoader()));
        assertEquals(100_042L, ((Number) again.call()).longValue());
        assertEquals(pipe.size(), in.bytesRead());
    }

    @Test
    void aBulkSectionThatLiesFailsClearlyWithoutAllocatingWhatItClaims() throws Exception {
        byte[] real = ObjectCodec.serialize(new double[2_000]);
        assertEquals(11, real[0], "a payload with a large array opens with its bulk section");
        byte[] lying = real.clone();
        lying[1 + 4 + 1] = 0x40; // the array's length now claims about 1 G elements
        ByteArrayOutputStream pipe = new ByteArrayOutputStream();
        new FrameEncoder(pipe).write(MessageType.RESULT, 1, lying);
        IOException e = assertThrows(IOException.class,
                () -> new FrameDecoder(new ByteArrayInputStream(pipe.toByteArray())).read());
        assertTrue(e.getMessage().contains("bulk section"), e.getMessage());
        IOException flat = assertThrows(IOException.class, () -> new ObjectCodec("").deserialize(lying, List.of()));
        assertTrue(flat.getMessage().contains("bulk section"), flat.getMessage());
    }

    @Test
    void emptyAndTinyChunkedPayloadsFrameLikeTheirBytes() throws Exception {
        ByteArrayOutputStream pipe = new ByteArrayOutputStream();
        FrameEncoder out = new FrameEncoder(pipe);
        out.write(MessageType.SKIPPED, 3, ChunkedBytes.EMPTY);
        out.write(MessageType.RESULT, 4, ObjectCodec.serializeChunked("x"));
        FrameDecoder in = new FrameDecoder(new ByteArrayInputStream(pipe.toByteArray()));
        Frame skipped = in.read();
        assertEquals(MessageType.SKIPPED, skipped.type());
        assertEquals(0, skipped.payload().length);
        assertEquals("x", new ObjectCodec("").deserialize(in.read().payload(), List.of()));
        assertNull(in.read());
    }
}
