package org.ipccourse.classes;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What a worker does, inside this JVM: a loader under the system loader (which cannot see any cell
 * class) that defines each class it is missing from {@link ClassBytes#find} on the owner's loader,
 * and deserialization through it.
 */
final class ShippedClassLoader extends ClassLoader {
    private final ClassLoader owner;
    final List<String> shipped = new ArrayList<>();

    ShippedClassLoader(ClassLoader owner) {
        super("shipped", ClassLoader.getSystemClassLoader());
        this.owner = owner;
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        byte[] b = ClassBytes.find(name, owner).orElseThrow(() -> new ClassNotFoundException(name));
        synchronized (shipped) {
            shipped.add(name);
        }
        return defineClass(name, b, 0, b.length);
    }

    /** Serializes {@code task} as the owner would and reads it back through this loader. */
    Object receive(Object task) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(task);
            }
            InputStream in = new ByteArrayInputStream(bytes.toByteArray());
            try (ObjectInputStream objects = new ObjectInputStream(in) {
                @Override
                protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
                    return Class.forName(desc.getName(), false, ShippedClassLoader.this);
                }
            }) {
                return objects.readObject();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }
}
