package org.ipccourse.pool;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * The serialized form of a {@code map} chunk's inputs and results. A list whose elements are all
 * {@code Integer}, all {@code Long} or all {@code Double} is written as raw numbers, not as one
 * serialized object per element; any other list is written as an {@code ArrayList}. Reading gives
 * back an {@code ArrayList} ({@link #readResolve}).
 */
final class CompactList implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final byte OBJECTS = 0;
    private static final byte INTS = 1;
    private static final byte LONGS = 2;
    private static final byte DOUBLES = 3;

    private transient List<?> list;

    CompactList(List<?> list) {
        this.list = list;
    }

    private static byte kind(List<?> list) {
        if (list.isEmpty()) {
            return OBJECTS;
        }
        Class<?> first = list.get(0) == null ? null : list.get(0).getClass();
        byte kind = first == Integer.class ? INTS : first == Long.class ? LONGS : first == Double.class ? DOUBLES : OBJECTS;
        if (kind != OBJECTS) {
            for (Object o : list) {
                if (o == null || o.getClass() != first) {
                    return OBJECTS;
                }
            }
        }
        return kind;
    }

    private void writeObject(ObjectOutputStream out) throws IOException {
        byte kind = kind(list);
        out.writeByte(kind);
        if (kind == OBJECTS) {
            out.writeObject(list instanceof ArrayList<?> ? list : new ArrayList<>(list));
            return;
        }
        out.writeInt(list.size());
        for (Object o : list) {
            switch (kind) {
                case INTS -> out.writeInt((Integer) o);
                case LONGS -> out.writeLong((Long) o);
                default -> out.writeDouble((Double) o);
            }
        }
    }

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        byte kind = in.readByte();
        if (kind == OBJECTS) {
            list = (List<?>) in.readObject();
            return;
        }
        int n = in.readInt();
        if (n < 0) {
            throw new IOException("negative list length " + n);
        }
        List<Object> values = new ArrayList<>(Math.min(n, 1 << 20));
        for (int i = 0; i < n; i++) {
            switch (kind) {
                case INTS -> values.add(in.readInt());
                case LONGS -> values.add(in.readLong());
                case DOUBLES -> values.add(in.readDouble());
                default -> throw new IOException("unknown list kind " + kind);
            }
        }
        list = values;
    }

    private Object readResolve() {
        return list;
    }

    List<?> list() {
        return list;
    }
}
