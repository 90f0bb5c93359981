package org.ipccourse.pool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.ipccourse.bytes.PrimitiveArrays;

/** The direct payload encoding: same values back, Java serialization where it must, the filter on both. */
class ValuesTest {
    private final ObjectCodec codec = new ObjectCodec("");

    interface SerializableCallable<T> extends Callable<T>, Serializable {
    }

    interface SerializableFunction<T, R> extends Function<T, R>, Serializable {
    }

    record Point(int x, int y) implements Serializable {
    }

    private Object roundTrip(Object value) throws Exception {
        return codec.deserialize(ObjectCodec.serialize(value), List.of(getClass().getClassLoader()));
    }

    private static byte tag(Object value) throws IOException {
        return ObjectCodec.serialize(value)[0];
    }

    @Test
    void scalarsComeBackEqualAndOfTheSameClass() throws Exception {
        String surrogate = "a\uD800b"; // a lone surrogate survives, as with Java serialization
        for (Object v : new Object[] {42, -7L, 2.5, Double.NaN, true, false, "", "héllo", surrogate, "日本"}) {
            Object back = roundTrip(v);
            assertEquals(v, back);
            assertEquals(v.getClass(), back.getClass());
            assertTrue(tag(v) != Values.JAVA, "direct form for " + v);
        }
        assertNull(roundTrip(null));
        assertArrayEquals(new byte[] {1, 2, 3}, (byte[]) roundTrip(new byte[] {1, 2, 3}));
        assertEquals(5, ObjectCodec.serialize(7).length, "an int is a tag and four bytes");
    }

    @Test
    void anArrayListOfScalarsIsDirectAndOtherListsKeepTheirClass() throws Exception {
        ArrayList<Object> mixed = new ArrayList<>(Arrays.asList(1, null, "x", 3L, 4.0, false));
        assertEquals(Values.LIST, tag(mixed));
        assertEquals(mixed, roundTrip(mixed));
        List<Integer> immutable = List.of(1, 2);
        assertEquals(Values.JAVA, tag(immutable));
        assertEquals(immutable.getClass(), roundTrip(immutable).getClass());
        ArrayList<Object> withRecord = new ArrayList<>(List.of(new Point(1, 2)));
        assertEquals(Values.JAVA, tag(withRecord));
        assertEquals(withRecord, roundTrip(withRecord));
        String longText = "\u20ac\uDC00x".repeat(100_000); // beyond writeUTF's 64 KiB, not Latin-1
        assertEquals(Values.CHARS, tag(longText));
        assertEquals(longText, roundTrip(longText));
    }

    @Test
    void aLambdaIsRebuiltWithItsCapturedValuesDirectOrSerialized() throws Exception {
        int n = 20;
        String s = "items";
        Point p = new Point(3, 4);
        SerializableCallable<String> task = () -> n + " " + s + " " + (p.x() + p.y());
        assertEquals(Values.LAMBDA, tag(task));
        assertEquals("20 items 7", ((Callable<?>) roundTrip(task)).call());
        SerializableFunction<Integer, Integer> square = x -> x * x;
        @SuppressWarnings("unchecked")
        Function<Integer, Integer> back = (Function<Integer, Integer>) roundTrip(square);
        assertEquals(81, back.apply(9));
    }

    private static SerializableCallable<String> greeting(String who) {
        return () -> "hello " + who;
    }

    private static SerializableCallable<String> farewell(String who) {
        return () -> "bye " + who;
    }

    @Test
    void lambdasOfSeveralClassesThroughOneCodecEachComeBackAsTheirOwnWithTheirOwnValues() throws Exception {
        for (int i = 0; i < 3 * LambdaForms.Recent.SIZE; i++) {
            // more lambda classes than the reader keeps forms of, interleaved, so forms are found and evicted
            SerializableCallable<String> task = i % 3 == 0 ? greeting("a" + i) : i % 3 == 1 ? farewell("b" + i)
                    : (SerializableCallable<String>) () -> "other";
            String expected = i % 3 == 0 ? "hello a" + i : i % 3 == 1 ? "bye b" + i : "other";
            assertEquals(expected, ((Callable<?>) roundTrip(task)).call());
        }
        // the same bytes decoded for another set of class loaders resolve their classes again
        byte[] bytes = ObjectCodec.serialize(greeting("x"));
        ClassLoader other = new ClassLoader(getClass().getClassLoader()) {
        };
        assertEquals("hello x", ((Callable<?>) codec.deserialize(bytes, List.of(other))).call());
        assertEquals("hello x", ((Callable<?>) codec.deserialize(bytes, List.of(getClass().getClassLoader()))).call());
    }

    interface Marker {
    }

    private static SerializableCallable<String> mixed(int n, String s, Point p, long big) {
        return (SerializableCallable<String> & Marker) () -> n + " " + s + " " + p + " " + big;
    }

    @Test
    void laterRebuildsOfAFormMakeTheSameLambdaClassAsDeserializationWithEachTasksOwnValues() throws Exception {
        List<ClassLoader> loaders = List.of(getClass().getClassLoader());
        ObjectCodec reader = new ObjectCodec("");
        Class<?> first = null;
        for (int i = 0; i < 5; i++) {
            Object back = reader.deserialize(ObjectCodec.serialize(mixed(i, "s" + i, new Point(i, -i), 1L << 40 + i)), loaders);
            assertEquals(i + " s" + i + " " + new Point(i, -i) + " " + (1L << 40 + i), ((Callable<?>) back).call());
            assertTrue(back instanceof Marker, "an intersection type's marker interface is kept");
            first = first == null ? back.getClass() : first;
            assertEquals(first, back.getClass(), "rebuild " + i + " makes the class the first deserialization spun");
        }
        assertEquals(1, reader.lambdaForms.forms().size());
        assertTrue(reader.lambdaForms.forms().get(0).rebuildsDirectly(), "later rebuilds skip $deserializeLambda$");
        // a lambda that captures nothing: the one instance its call site returns, as deserialization gives
        Object a = reader.deserialize(ObjectCodec.serialize((SerializableCallable<String>) () -> "none"), loaders);
        Object b = reader.deserialize(ObjectCodec.serialize((SerializableCallable<String>) () -> "none"), loaders);
        assertEquals("none", ((Callable<?>) b).call());
        assertTrue(a.getClass() != b.getClass() || a == b, "two lambda expressions, or the same instance");
        SerializableCallable<String> same = () -> "same";
        Object c = reader.deserialize(ObjectCodec.serialize(same), loaders);
        Object d = reader.deserialize(ObjectCodec.serialize(same), loaders);
        assertTrue(c == d, "a non-capturing lambda comes back as one instance");
    }

    @Test
    void aCapturedValueOfTheWrongTypeInALaterRebuildIsReportedNotCast() throws Exception {
        List<ClassLoader> loaders = List.of(getClass().getClassLoader());
        ObjectCodec reader = new ObjectCodec("");
        reader.deserialize(ObjectCodec.serialize(mixed(1, "a", new Point(1, 1), 2L)), loaders); // learns the class
        byte[] bytes = ObjectCodec.serialize(mixed(2, "b", new Point(2, 2), 3L));
        int at = bytes.length - 1 - 8; // the last captured value, a long: tag and 8 bytes
        assertEquals(Values.LONG, bytes[at]);
        bytes[at] = Values.DOUBLE;
        InvalidClassException e = assertThrows(InvalidClassException.class, () -> reader.deserialize(bytes, loaders));
        assertTrue(e.getMessage().contains("could not rebuild lambda"), e.getMessage());
    }

    @Test
    void aLambdaFormWhoseLengthDisagreesWithItsContentsIsReportedAsCorruption() throws Exception {
        byte[] bytes = ObjectCodec.serialize(greeting("y"));
        bytes[4] += 1; // the low byte of the form's length, after the tag
        IOException e = assertThrows(IOException.class,
                () -> new ObjectCodec("").deserialize(bytes, List.of(getClass().getClassLoader())));
        assertTrue(e.getMessage().contains("corrupted"), e.getMessage());
    }

    @Test
    void aCapturedValueThatIsNotSerializableIsNamedAtEncoding() {
        Object notSerializable = new Object();
        SerializableCallable<Integer> task = () -> notSerializable.hashCode();
        NotSerializableException e = assertThrows(NotSerializableException.class, () -> ObjectCodec.serialize(task));
        assertEquals("java.lang.Object", e.getMessage());
    }

    @Test
    void theFilterJudgesTheClassesADirectPayloadNames() throws Exception {
        byte[] lambda = ObjectCodec.serialize((SerializableCallable<Integer>) () -> 1);
        ObjectCodec strict = new ObjectCodec("!org.ipccourse.pool.ValuesTest");
        InvalidClassException e = assertThrows(InvalidClassException.class,
                () -> strict.deserialize(lambda, List.of(getClass().getClassLoader())));
        assertTrue(e.getMessage().contains("org.ipccourse.pool.ValuesTest") && e.getMessage().contains("rejected"),
                e.getMessage());
        ObjectCodec noIntegers = new ObjectCodec("!java.lang.Integer");
        assertThrows(InvalidClassException.class, () -> noIntegers.deserialize(ObjectCodec.serialize(5), List.of()));
        Object gadget = new javax.management.BadAttributeValueExpException("x");
        byte[] capturing = ObjectCodec.serialize((SerializableCallable<Object>) () -> gadget);
        InvalidClassException nested = assertThrows(InvalidClassException.class,
                () -> codec.deserialize(capturing, List.of(getClass().getClassLoader())));
        assertTrue(nested.getMessage().contains("javax.management"), nested.getMessage());
    }

    record Arrays2(double[] a, double[] sameAsA, int[] small, char[] text, long[] longs, float[] floats,
            short[] shorts, byte[] bytes) implements Serializable {
    }

    @Test
    void largePrimitiveArraysTravelInBulkAndComeBackEqualWithSharingKept() throws Exception {
        double[] a = new double[5_000];
        Arrays.setAll(a, i -> i * 0.25 - 7);
        a[3] = Double.NaN;
        char[] text = new char[9_000];
        Arrays.fill(text, '\uD800');
        long[] longs = new long[2_000];
        Arrays.setAll(longs, i -> Long.MIN_VALUE + i);
        float[] floats = new float[3_000];
        floats[5] = -0.0f;
        short[] shorts = new short[6_000];
        shorts[1] = Short.MIN_VALUE;
        byte[] bytes = new byte[70_000];
        new java.util.Random(3).nextBytes(bytes);
        Arrays2 value = new Arrays2(a, a, new int[] {1, 2, 3}, text, longs, floats, shorts, bytes);
        byte[] wire = ObjectCodec.serialize(value);
        assertEquals(BulkArrays.TAG, wire[0], "the large arrays open the payload");
        Arrays2 back = (Arrays2) roundTrip(value);
        assertArrayEquals(a, back.a());
        assertTrue(back.a() == back.sameAsA(), "two references to one array stay one array");
        assertArrayEquals(new int[] {1, 2, 3}, back.small());
        assertArrayEquals(text, back.text());
        assertArrayEquals(longs, back.longs());
        assertArrayEquals(floats, back.floats());
        assertArrayEquals(shorts, back.shorts());
        assertArrayEquals(bytes, back.bytes());
        long elementBytes = 8L * a.length + 2L * text.length + 8L * longs.length + 4L * floats.length
                + 2L * shorts.length + bytes.length;
        assertTrue(wire.length > elementBytes && wire.length < elementBytes + 2_000,
                "the elements once, plus a small stream: " + wire.length + " bytes for " + elementBytes);
        int[] alone = new int[10_000];
        alone[9_999] = 42;
        assertArrayEquals(alone, (int[]) roundTrip(alone));
    }

    @Test
    void theFilterJudgesABulkArrayByItsClassAndLength() throws Exception {
        byte[] wire = ObjectCodec.serialize(new double[10_000]);
        InvalidClassException e = assertThrows(InvalidClassException.class,
                () -> new ObjectCodec("maxarray=1000").deserialize(wire, List.of()));
        assertTrue(e.getMessage().contains("[D") && e.getMessage().contains("maxarray=1000"), e.getMessage());
        assertEquals(10_000, ((double[]) new ObjectCodec("maxarray=20000").deserialize(wire, List.of())).length);
    }

    @Test
    void aPayloadWhoseArrayBytesAreCutShortIsReportedAsCorruption() throws Exception {
        byte[] wire = ObjectCodec.serialize(new double[10_000]);
        byte[] cut = Arrays.copyOf(wire, wire.length - 100);
        IOException e = assertThrows(IOException.class, () -> codec.deserialize(cut, List.of()));
        assertTrue(e.getMessage().contains("corrupted"), e.getMessage());
    }

    @Test
    void anUnknownTagOrANegativeLengthIsReportedAsCorruption() {
        IOException tag = assertThrows(IOException.class, () -> codec.deserialize(new byte[] {99}, List.of()));
        assertTrue(tag.getMessage().contains("corrupted"), tag.getMessage());
        IOException length = assertThrows(IOException.class,
                () -> codec.deserialize(new byte[] {Values.BYTES, -1, -1, -1, -1}, List.of()));
        assertTrue(length.getMessage().contains("negative length"), length.getMessage());
        assertThrows(IOException.class, () -> codec.deserialize(new byte[0], List.of()));
    }
}
