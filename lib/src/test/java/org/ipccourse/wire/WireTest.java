package org.ipccourse.wire;

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
        Payloads.Init init = Payloads.decodeInit(Payloads.encodeInit(new Payloads.Init("!a.*", new byte[] {5}, 77)));
        assertEquals("!a.*", init.filterPattern());
        assertEquals(77, init.maxPayload());
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
        assertEquals(chunks.size(), f.payload().length);
        assertArrayEquals(value, (double[]) new ObjectCodec("").deserialize(f.payload(), List.of()));
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
