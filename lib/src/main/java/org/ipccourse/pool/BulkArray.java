package org.ipccourse.pool;

import java.io.IOException;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.lang.reflect.Array;
import org.ipccourse.bytes.PrimitiveArrays;

/**
 * How the pool's Java serialization carries a large primitive array: the serialization stream
 * holds only the array's type and length, and its elements travel in the payload's bulk section,
 * ahead of the stream, as raw bytes copied in bulk ({@link BulkArrays}; the payload layout is in
 * the package documentation). This uses Java serialization's
 * own extension points ({@code replaceObject} in the writer, {@code readResolve} in the reader)
 * the way NumPy arrays hook into {@code pickle} with out-of-band buffers; the receiver gets the
 * same array back, and shared references to one array stay shared.
 *
 * <p>Why: the JDK's writer converts each element on its own and cuts the bytes into blocks of
 * 1 KiB with a header each; on JDK 17 that moves a {@code double[]} at about 1.8 GB/s each way
 * (measured on the course machines), slower than the pipe, while a bulk copy runs at memory speed.
 * The bytes on the wire are as many as Java serialization's; the copies are the same three.
 */
final class BulkArray implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Arrays of fewer bytes than this are written by Java serialization as usual. */
    static final int MIN_BYTES = 8 << 10;
    private transient Object array;

    private BulkArray(Object array) {
        this.array = array;
    }

    /** The replacement for {@code o} when it is a primitive array large enough to gain, else {@code o}. */
    static Object replace(Object o) {
        int size = PrimitiveArrays.elementBytes(o.getClass());
        if (size > 0 && (long) Array.getLength(o) * size >= MIN_BYTES) {
            return new BulkArray(o);
        }
        return o;
    }

    private void writeObject(ObjectOutputStream out) throws IOException {
        if (!(out instanceof ObjectCodec.BulkArrayOutputStream bulk)) {
            throw new NotSerializableException(getClass().getName() + " travels only through the pool's codec");
        }
        out.writeByte(BulkArrays.kindOf(array.getClass()));
        out.writeInt(Array.getLength(array));
        bulk.payload.addBulkArray(array); // now, so that the copy counts where the array is written
    }

    private void readObject(ObjectInputStream in) throws IOException {
        int kind = in.readByte();
        int length = in.readInt();
        if (kind < 0 || kind >= BulkArrays.KINDS.length || length < 0
                || !(in instanceof ObjectCodec.LoaderObjectInputStream source)) {
            throw new IOException("payload corrupted: bulk array of kind " + kind + " and length " + length);
        }
        checkFilter(in.getObjectInputFilter(), BulkArrays.KINDS[kind], length);
        array = source.bulk.take(BulkArrays.KINDS[kind], length);
    }

    /** The stream's filter judges the array as it would judge one inside the stream: class and length. */
    private static void checkFilter(ObjectInputFilter filter, Class<?> type, int length) throws InvalidClassException {
        if (filter != null && filter.checkInput(new ObjectCodec.ClassOnly(type, length)) == ObjectInputFilter.Status.REJECTED) {
            throw new InvalidClassException(type.getName(), "rejected by the deserialization filter");
        }
    }

    private Object readResolve() {
        return array;
    }
}
