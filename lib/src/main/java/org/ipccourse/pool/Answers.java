package org.ipccourse.pool;

import java.io.IOException;
import java.io.InvalidClassException;
import java.util.ArrayList;
import java.util.List;

/**
 * What the {@link Scheduler} does with each frame a worker sends: answers leave the worker's
 * in-flight list under the scheduler's lock and are decoded and completed after it, on the waiting
 * caller (its own task), here (a {@code map} chunk, which only the pool's code waits on) or on the
 * {@link Completer} (any other); SKIPPED puts a task back at the head of the queue; CLASS_REQUEST
 * is answered through the worker's outbox; printed text goes to this JVM's streams.
 */
final class Answers implements PipeReader.Sink {
    private final Scheduler s;

    Answers(Scheduler scheduler) {
        this.s = scheduler;
    }

    @Override
    public Runnable onFrame(WorkerHandle w, Frame f, TaskFuture<?> callersOwn) throws IOException {
        switch (f.type()) {
            case RESULT -> {
                return answered(w, f.id(), f.payload(), f.arrays(), false, callersOwn);
            }
            case FAILURE -> {
                return answered(w, f.id(), f.payload(), f.arrays(), true, callersOwn);
            }
            case SKIPPED -> skipped(w, f.id());
            case EXIT_AFTER_OOM -> w.exitsAfterOom = true;
            case AWAKE -> {
                // its arrival has ended a caller's blocked read (PipeReader#readFor): nothing else to do
            }
            case OUTPUT -> {
                var out = f.id() == Payloads.STDERR ? System.err : System.out;
                out.write(f.payload(), 0, f.payload().length);
                out.flush();
            }
            case CLASS_REQUEST -> serveClass(w, f.id(), f.payload());
            case READY -> s.exits.ready(w);
            case INIT_FAILED -> s.exits.initFailed(w, s.codec.thrown(f.payload(), f.arrays(), List.of(s.creatorLoader)));
            default -> throw new IOException("unexpected " + f.type() + " frame from " + w);
        }
        return null;
    }

    @Override
    public void onStreamEnd(WorkerHandle w, String problem) {
        s.exits.streamEnded(w, problem);
    }

    private TaskFuture<?> removeHeld(WorkerHandle w, long id) {
        for (var it = w.inFlight.iterator(); it.hasNext(); ) {
            TaskFuture<?> f = it.next();
            if (f.id == id) {
                it.remove();
                w.reader.inFlightChanged(w.inFlight.size());
                return f;
            }
        }
        return null;
    }

    private void skipped(WorkerHandle w, long id) {
        synchronized (s) {
            TaskFuture<?> f = removeHeld(w, id);
            if (f != null && !f.isDone()) {
                f.worker = null;
                f.takeBackAsked = false;
                if (s.state == Scheduler.State.STOPPED) {
                    s.handedBack.add(f);
                } else {
                    s.queue.addFirst(f);
                }
            }
            s.notifyAll();
            s.dispatch();
        }
        s.flushAll();
    }

    /** A task's answer: the future is completed by its waiting caller, here (a chunk) or by the s.completer. */
    private Runnable answered(WorkerHandle w, long id, byte[] payload, Object[] arrays, boolean failure, TaskFuture<?> callersOwn) {
        TaskFuture<?> f;
        synchronized (s) {
            f = removeHeld(w, id);
            if (w.exitsAfterOom) {
                w.oomTaskAnswered = true;
            }
            if (f != null && !f.chunk) {
                w.reader.answeredAfter(System.nanoTime() - f.sentAt);
            }
            if (s.state == Scheduler.State.STOPPED) {
                s.notifyAll();
            }
            s.dispatch();
        }
        s.flushAll();
        if (f == null || f.isDone()) {
            return null;
        }
        Runnable complete = new Settle(f, w, id, payload, arrays, failure);
        if (f == callersOwn) {
            return complete;
        }
        if (f.chunk) {
            complete.run(); // only the pool's own code waits on a chunk
        } else {
            s.completer.execute(complete);
        }
        return null;
    }

    /**
     * Completes a task's future from its answer. A class rather than a lambda: a fresh JVM links a
     * lambda at its first use, which cost several ms of the first task's round trip.
     */
    private final class Settle implements Runnable {
        private final TaskFuture<?> f;
        private final WorkerHandle w;
        private final long id;
        private final byte[] payload;
        private final Object[] arrays;
        private final boolean failure;

        Settle(TaskFuture<?> f, WorkerHandle w, long id, byte[] payload, Object[] arrays, boolean failure) {
            this.f = f;
            this.w = w;
            this.id = id;
            this.payload = payload;
            this.arrays = arrays;
            this.failure = failure;
        }

        @Override
        public void run() {
            settle(f, w, id, payload, arrays, failure);
        }
    }

    private void settle(TaskFuture<?> f, WorkerHandle w, long id, byte[] payload, Object[] arrays, boolean failure) {
        try {
            if (failure) {
                f.completeExceptionally(s.codec.thrown(payload, arrays, f.loaders));
            } else {
                complete(f, s.codec.result(payload, arrays, f.loaders, id, w));
            }
        } catch (InvalidClassException e) {
            f.completeExceptionally(e);
        } catch (Throwable t) { // decoding ran user code (readObject) that threw an Error
            f.completeExceptionally(new InvalidClassException("the result of task " + id + " from " + w
                    + " could not be read: " + t));
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> void complete(TaskFuture<T> f, Object value) {
        f.complete((T) value);
    }

    private void serveClass(WorkerHandle w, long requestId, byte[] payload) throws IOException {
        List<ClassLoader> taskLoaders = new ArrayList<>();
        synchronized (s) {
            for (TaskFuture<?> f : w.inFlight) {
                taskLoaders.addAll(f.loaders);
            }
        }
        w.post(MessageType.CLASS_BYTES, requestId, s.classes.answer(payload, taskLoaders), null);
        w.flush();
    }
}
