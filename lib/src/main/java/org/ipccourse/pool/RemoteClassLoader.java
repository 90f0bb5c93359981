package org.ipccourse.pool;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.ipccourse.classes.CellClasses;
import org.ipccourse.classes.CellRewriter;

/**
 * Worker side: defines classes the worker's class path lacks (classes of notebook cells, of
 * in-memory loaders) from bytes the owner sends. Asks with CLASS_REQUEST and waits for the
 * CLASS_BYTES answer, which the worker's reader thread hands over through {@link #answer}.
 * Classes are cached by name: a redefined notebook class arrives under a new name. Cell classes
 * are rewritten as they are defined ({@link CellRewriter#forWorker}): their lambdas become
 * serializable and their reads of notebook state ask the owner for its value, over the same frames.
 */
final class RemoteClassLoader extends ClassLoader {
    static {
        registerAsParallelCapable();
    }

    private final FrameEncoder encoder;
    private final AtomicLong requests = new AtomicLong();
    private final Map<Long, CompletableFuture<Payloads.ClassBytes>> pending = new ConcurrentHashMap<>();

    private final Runnable wantReader;

    RemoteClassLoader(ClassLoader parent, FrameEncoder encoder, Runnable wantReader) {
        super("ipc-pool-remote", parent);
        this.encoder = encoder;
        this.wantReader = wantReader;
    }

    void answer(long requestId, Payloads.ClassBytes reply) {
        CompletableFuture<Payloads.ClassBytes> waiting = pending.remove(requestId);
        if (waiting != null) {
            waiting.complete(reply);
        }
    }

    /**
     * Cell classes come from the owner without asking the parent first: no class path has them,
     * and a parent that misses a class searches every jar of its class path, opening each one
     * the first time (tens of ms for the kernel's class path). Other classes: parent first.
     */
    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (!CellClasses.isCellClass(name)) {
            return super.loadClass(name, resolve);
        }
        synchronized (getClassLoadingLock(name)) {
            Class<?> c = findLoadedClass(name);
            if (c == null) {
                c = findClass(name);
            }
            if (resolve) {
                resolveClass(c);
            }
            return c;
        }
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        Optional<byte[]> bytes;
        try {
            bytes = ask(name);
        } catch (IOException | ExecutionException | TimeoutException e) {
            throw new ClassNotFoundException(name + " (asking the owner for it failed: " + e + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClassNotFoundException(name + " (interrupted while asking the owner for it)", e);
        }
        if (bytes.isEmpty()) {
            throw new ClassNotFoundException(name + " (neither the worker's class path nor the owner's"
                    + " class loaders have it)");
        }
        byte[] b = CellClasses.isCellClass(name) ? CellRewriter.forWorker(bytes.get()) : bytes.get();
        return defineClass(name, b, 0, b.length);
    }

    /** The kernel's value of a static field of a cell class ({@link NotebookValues}). */
    Object notebookValue(String className, String field, ObjectCodec codec) throws Exception {
        return NotebookValues.decode(ask(NotebookValues.request(className, field)), codec, this);
    }

    /** Sends a CLASS_REQUEST for {@code name} and waits for the answer's bytes. */
    private Optional<byte[]> ask(String name)
            throws IOException, ExecutionException, TimeoutException, InterruptedException {
        long id = requests.incrementAndGet();
        CompletableFuture<Payloads.ClassBytes> reply = new CompletableFuture<>();
        pending.put(id, reply);
        try {
            encoder.write(MessageType.CLASS_REQUEST, id, Payloads.encodeClassRequest(name));
            wantReader.run();
            return reply.get(60, TimeUnit.SECONDS).bytes();
        } finally {
            pending.remove(id);
        }
    }
}
