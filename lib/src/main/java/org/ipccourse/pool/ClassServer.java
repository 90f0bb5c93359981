package org.ipccourse.pool;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.WeakHashMap;
import org.ipccourse.classes.ClassBytes;

/**
 * Owner side of class shipping: answers a worker's CLASS_REQUEST with the class file found through
 * {@link ClassBytes#find}, asking in turn the loaders of the tasks the worker holds, the loaders of
 * every task submitted so far (weakly held), the pool creator's context loader and the current one.
 */
final class ClassServer {
    final ClassLoader creatorLoader = Thread.currentThread().getContextClassLoader();
    private final Set<ClassLoader> loaders = Collections.newSetFromMap(new WeakHashMap<>());
    /** Answers requests for notebook values (same frames, a name with {@link NotebookValues#PREFIX}). */
    final NotebookValues notebookValues = new NotebookValues();

    void remember(ClassLoader loader) {
        if (loader != null) {
            synchronized (loaders) {
                loaders.add(loader);
            }
        }
    }

    /** The CLASS_BYTES payload answering the CLASS_REQUEST {@code request}. */
    byte[] answer(byte[] request, List<ClassLoader> taskLoaders) throws IOException {
        String name = Payloads.decodeClassRequest(request);
        List<ClassLoader> candidates = new ArrayList<>(taskLoaders);
        synchronized (loaders) {
            candidates.addAll(loaders);
        }
        candidates.add(creatorLoader);
        candidates.add(Thread.currentThread().getContextClassLoader());
        if (NotebookValues.isRequest(name)) {
            return Payloads.encodeClassBytes(new Payloads.ClassBytes(name,
                    Optional.of(notebookValues.answer(name, candidates))));
        }
        Optional<byte[]> bytes = Optional.empty();
        for (ClassLoader loader : candidates) {
            try {
                bytes = ClassBytes.find(name, loader);
            } catch (UncheckedIOException e) {
                continue;
            }
            if (bytes.isPresent()) {
                break;
            }
        }
        return Payloads.encodeClassBytes(new Payloads.ClassBytes(name, bytes));
    }
}
