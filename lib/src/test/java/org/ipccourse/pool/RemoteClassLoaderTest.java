package org.ipccourse.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Which classes a worker asks its class path for, and which it asks the owner for. */
class RemoteClassLoaderTest {
    /** A parent that records every name it is asked for. */
    static final class RecordingParent extends ClassLoader {
        final List<String> asked = new CopyOnWriteArrayList<>();

        RecordingParent() {
            super(RemoteClassLoaderTest.class.getClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            asked.add(name);
            return super.loadClass(name, resolve);
        }
    }

    @Test
    void cellClassesGoToTheOwnerWithoutSearchingTheClassPath() throws Exception {
        RecordingParent parent = new RecordingParent();
        AtomicReference<RemoteClassLoader> loader = new AtomicReference<>();
        AtomicLong requests = new AtomicLong();
        // the owner answers every request at once: it has no such class
        loader.set(new RemoteClassLoader(parent, new FrameEncoder(new ByteArrayOutputStream()),
                () -> loader.get().answer(requests.incrementAndGet(), new Payloads.ClassBytes("", Optional.empty()))));

        ClassNotFoundException e = assertThrows(ClassNotFoundException.class,
                () -> Class.forName("REPL.$JShell$7", false, loader.get()));
        assertTrue(e.getMessage().contains("neither the worker's class path nor the owner's"), e.getMessage());
        assertEquals(List.of(), parent.asked, "a cell class was looked up on the worker's class path");
        assertEquals(1, requests.get(), "the owner was not asked for the cell class");

        assertEquals(String.class, Class.forName("java.lang.String", false, loader.get()));
        assertEquals(List.of("java.lang.String"), parent.asked, "other classes: the class path first");
        assertEquals(1, requests.get());
    }
}
