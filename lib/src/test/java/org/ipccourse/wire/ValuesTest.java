package org.ipccourse.wire;

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
        ObjectCodec strict = new ObjectCodec("!org.ipccourse.wire.ValuesTest");
        InvalidClassException e = assertThrows(InvalidClassException.class,
                () -> strict.deserialize(lambda, List.of(getClass().getClassLoader())));
        assertTrue(e.getMessage().contains("org.ipccourse.wire.ValuesTest") && e.getMessage().contains("rejected"),
                e.getMessage());
        ObjectCodec noIntegers = new ObjectCodec("!java.lang.Integer");
        assertThrows(InvalidClassException.class, () -> noIntegers.deserialize(ObjectCodec.serialize(5), List.of()));
        Object gadget = new javax.management.BadAttributeValueExpException("x");
        byte[] capturing = ObjectCodec.serialize((SerializableCallable<Object>) () -> gadget);
        InvalidClassException nested = assertThrows(InvalidClassException.class,
                () -> codec.deserialize(capturing, List.of(getClass().getClassLoader())));
        assertTrue(nested.getMessage().contains("javax.management"), nested.getMessage());
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
