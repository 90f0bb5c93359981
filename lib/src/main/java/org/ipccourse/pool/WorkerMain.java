package org.ipccourse.pool;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.NotSerializableException;
import java.io.PrintStream;
import java.util.List;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.Set;
import org.ipccourse.classes.NotebookState;

/**
 * The main class of a worker JVM. Two threads take turns: one holds the reader role and reads
 * frames from standard input (halting the JVM at end of file); when it reads a task and no task is
 * running, it drops the reader role and runs the task itself, so a task starts on the thread that
 * read it, with no hand-off on the way. If the task runs longer than a millisecond, or needs a
 * class from the owner, the other thread takes the reader role and watches standard input for
 * cancellation, class bytes and end of file. Tasks run one at a time, in order.
 */
final class WorkerMain {
    private final FrameEncoder encoder;
    private final FrameDecoder decoder;
    private final RemoteClassLoader loader;
    /**
     * The last task run was an AWAITED_TASK: spin for {@link Timing#WORKER_SPIN_NANOS} before
     * blocking, if the last such wait was short ({@link Timing#WORKER_SPIN_WORTH_NANOS}).
     */
    private volatile boolean spinForNext;
    /** How long the wait for the next frame after an AWAITED_TASK took last time. */
    private volatile long lastWaitNanos = Long.MAX_VALUE;

    private final AtomicBoolean readerRole = new AtomicBoolean();
    private volatile long taskStarted;
    private volatile boolean readerWanted;
    /** The two threads that take turns at reading and running tasks. */
    private volatile Thread first;
    private volatile Thread second;
    private final Object state = new Object();
    // guarded by state
    private final ArrayDeque<Frame> pending = new ArrayDeque<>();
    private final Set<Long> skipped = new HashSet<>();
    private boolean busy;
    private long running = -1;
    private Thread runningThread;
    private volatile ObjectCodec codec = new ObjectCodec("");
    /** The largest result the owner accepts (from INIT). */
    private volatile int maxPayload = Integer.MAX_VALUE;
    private static volatile WorkerMain current;
    /** The functions of recent {@code map} calls by id, so each is deserialized once per worker. */
    private static final Map<Long, Object> FUNCTIONS = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Object> eldest) {
            return size() > 8;
        }
    };

    private WorkerMain(FrameEncoder encoder, FrameDecoder decoder) {
        this.encoder = encoder;
        this.decoder = decoder;
        // No lambdas before READY, here and in main: a fresh JVM's first lambda bootstraps the lambda
        // metafactory, measured at 15 ms, and each further one took 2-5 ms, about half the time from
        // main to READY. The warm-up after READY pays for it instead (WarmUp.worker).
        this.loader = new RemoteClassLoader(WorkerMain.class.getClassLoader(), encoder, new Runnable() {
            @Override
            public void run() {
                wantReader();
            }
        });
        NotebookState.install(new NotebookState.Fetcher() {
            @Override
            public Object fetch(String className, String field) throws Exception {
                return loader.notebookValue(className, field, codec);
            }
        });
    }

    public static void main(String[] args) {
        // Before anything else: keep fd 1 for the protocol, route printing to OUTPUT frames.
        FrameEncoder encoder = new FrameEncoder(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16));
        FrameDecoder decoder = new FrameDecoder(new PipeInput(new FileInputStream(FileDescriptor.in), 1 << 16));
        System.setOut(new PrintStream(new OutputForwarder(encoder, Payloads.STDOUT), true));
        System.setErr(new PrintStream(new OutputForwarder(encoder, Payloads.STDERR), true));
        System.setIn(InputStream.nullInputStream()); // fd 0 is the protocol: a task reading System.in sees end of input
        Thread.setDefaultUncaughtExceptionHandler(new Thread.UncaughtExceptionHandler() {
            @Override
            public void uncaughtException(Thread t, Throwable e) {
                e.printStackTrace(new PrintStream(new FileOutputStream(FileDescriptor.err), true));
                Runtime.getRuntime().halt(WorkerExit.UNCAUGHT);
            }
        });
        WorkerMain worker = new WorkerMain(encoder, decoder);
        current = worker;
        Thread other = new Thread(new Runnable() {
            @Override
            public void run() {
                worker.loop();
            }
        }, "ipc-pool-worker-2");
        worker.first = Thread.currentThread();
        worker.second = other;
        other.setContextClassLoader(worker.loader);
        other.setDaemon(true);
        other.start();
        Thread.currentThread().setContextClassLoader(worker.loader);
        worker.loop();
    }

    private void loop() {
        while (true) {
            if (!readerRole.compareAndSet(false, true)) {
                awaitReaderRole();
                continue;
            }
            Frame work = readUntilWork();
            readerRole.set(false); // released without waking anyone: a short task needs no hand-off
            while (work != null) {
                taskStarted = System.nanoTime();
                if (work.type() == MessageType.INIT) {
                    initialize(work);
                } else {
                    runTask(work.id(), work.payload(), work.arrays());
                    spinForNext = work.type() == MessageType.AWAITED_TASK;
                }
                taskStarted = 0;
                synchronized (state) {
                    work = pending.poll();
                    busy = work != null;
                }
            }
        }
    }

    /**
     * The thread without the reader role naps, and takes the role when a task has run for more
     * than {@link Timing#WORKER_TAKE_OVER_NANOS} (so cancellation and end of file are seen while it runs) or when
     * a class request needs an answer read.
     */
    private void awaitReaderRole() {
        while (true) {
            long started = taskStarted;
            boolean due = readerWanted || (started != 0 && System.nanoTime() - started > Timing.WORKER_TAKE_OVER_NANOS);
            if (due && !readerRole.get()) {
                readerWanted = false;
                return;
            }
            LockSupport.parkNanos(started != 0 ? Timing.WORKER_TAKE_OVER_NANOS : Timing.WORKER_IDLE_NAP_NANOS);
        }
    }

    /**
     * Called by the class loader after it sent a CLASS_REQUEST: someone must read the answer. The
     * calling thread is running a task, so the other one is woken, whichever of the two it is.
     */
    void wantReader() {
        readerWanted = true;
        Thread me = Thread.currentThread();
        for (Thread t : new Thread[] {first, second}) {
            if (t != null && t != me) {
                LockSupport.unpark(t);
            }
        }
    }

    /** Reads and handles frames until one is a task (or INIT) that this thread should run now. */
    private Frame readUntilWork() {
        try {
            for (Frame f; (f = awaitFrame()) != null; ) {
                switch (f.type()) {
                    case INIT, TASK, AWAITED_TASK -> {
                        synchronized (state) {
                            if (!busy) {
                                busy = true;
                                return f;
                            }
                            pending.add(f);
                        }
                    }
                    case CANCEL -> cancel(f.id(), Payloads.decodeCancel(f.payload()));
                    case WAKE -> send(MessageType.AWAKE, 0, ChunkedBytes.EMPTY);
                    case CLASS_BYTES -> loader.answer(f.id(), Payloads.decodeClassBytes(f.payload()));
                    default -> throw new IOException("unexpected " + f.type() + " frame from the owner");
                }
            }
        } catch (IOException | RuntimeException e) {
            new PrintStream(new FileOutputStream(FileDescriptor.err), true).println("ipc-pool worker: " + e);
            Runtime.getRuntime().halt(WorkerExit.PROTOCOL_ERROR);
        }
        Runtime.getRuntime().halt(WorkerExit.INPUT_CLOSED); // end of file: the owner is gone or closing the pool
        return null;
    }

    private Frame awaitFrame() throws IOException {
        if (!spinForNext) {
            return decoder.read();
        }
        spinForNext = false;
        long since = System.nanoTime();
        if (Timing.WORKER_SPIN_NANOS > 0 && lastWaitNanos <= Timing.WORKER_SPIN_WORTH_NANOS && !decoder.hasBytes()) {
            long end = since + Timing.WORKER_SPIN_NANOS;
            while (!decoder.hasBytes() && System.nanoTime() - end < 0) {
                Thread.onSpinWait();
            }
        }
        Frame f = decoder.read();
        lastWaitNanos = System.nanoTime() - since;
        return f;
    }

    private void cancel(long id, boolean interrupt) {
        synchronized (state) {
            if (running == id) {
                if (interrupt) {
                    runningThread.interrupt();
                }
            } else if (pending.removeIf(f -> f.type().isTask() && f.id() == id)) {
                send(MessageType.SKIPPED, id, ChunkedBytes.EMPTY); // answered now, not after the running task
            } else {
                skipped.add(id); // read but not started yet, or already answered
            }
        }
    }

    /** The deserialized function of {@code map} call {@code id}, cached per worker. */
    static Object function(long id, byte[] bytes) throws IOException, ClassNotFoundException {
        synchronized (FUNCTIONS) {
            Object fn = FUNCTIONS.get(id);
            if (fn == null) {
                fn = current.codec.deserialize(bytes, List.of(current.loader));
                FUNCTIONS.put(id, fn);
            }
            return fn;
        }
    }

    private void initialize(Frame f) {
        try {
            Payloads.Init init = Payloads.decodeInit(f.payload());
            codec = new ObjectCodec(init.filterPattern());
            maxPayload = init.maxPayload();
            if (init.initializer().length > 0) {
                ((Runnable) codec.deserialize(init.initializer(), List.of(loader))).run();
            }
            flushOutput();
            encoder.write(MessageType.READY, 0, new byte[0]);
            WarmUp.worker(codec, loader, init.warmUpTask(), this::frameWaiting); // before the first task's frame is read
            if (init.cells()) {
                WarmUp.cells(codec, init.warmUpCellTask(), this::frameWaiting);
            }
        } catch (Throwable t) {
            try {
                flushOutput();
                encoder.write(MessageType.INIT_FAILED, 0, serializeThrowable(t));
            } catch (Throwable ignored) {
                // the owner sees the exit status instead
            }
            Runtime.getRuntime().halt(WorkerExit.INIT_FAILED);
        }
    }

    /**
     * Whether a frame waits for this thread: read by the other thread (which takes the reader
     * role while this one works) and queued, or begun on the pipe while nobody reads it. The pipe
     * is looked at only while this thread holds the reader role: the stream's lock is held by a
     * reader blocked in it.
     */
    private boolean frameWaiting() {
        synchronized (state) {
            if (!pending.isEmpty()) {
                return true;
            }
        }
        if (!readerRole.compareAndSet(false, true)) {
            return false; // the other thread reads, and queues what it reads
        }
        try {
            return decoder.hasBytes();
        } catch (IOException e) {
            return true; // the read meets it and reports it
        } finally {
            readerRole.set(false);
        }
    }

    private void runTask(long id, byte[] payload, Object[] arrays) {
        synchronized (state) {
            if (skipped.remove(id)) {
                send(MessageType.SKIPPED, id, ChunkedBytes.EMPTY);
                return;
            }
            running = id;
            runningThread = Thread.currentThread();
        }
        boolean oom = false;
        MessageType type;
        ChunkedBytes answer;
        try {
            NotebookState.beginTask(Payloads.taskEpoch(payload)); // what the worker's copies of notebook state may keep
            Object task = codec.deserialize(payload, Payloads.TASK_HEADER, arrays, List.of(loader));
            Object result = ((Callable<?>) task).call();
            answer = serializeResult(id, result);
            if (answer.size() > maxPayload) {
                throw new IllegalStateException(TaskCodec.tooLarge("the result of task " + id + " (a "
                        + result.getClass().getName() + ")", answer.size(), maxPayload));
            }
            type = MessageType.RESULT;
        } catch (Throwable t) {
            oom = t instanceof OutOfMemoryError;
            type = MessageType.FAILURE;
            answer = serializeThrowable(t);
        } finally {
            synchronized (state) {
                running = -1;
                runningThread = null;
                Thread.interrupted();
            }
        }
        flushOutput();
        if (!oom) {
            send(type, id, answer);
            return;
        }
        try { // EXIT_AFTER_OOM before the answer: the owner then sends this worker no task after it
            send(MessageType.EXIT_AFTER_OOM, 0, ChunkedBytes.EMPTY);
            send(type, id, answer);
        } finally { // even if a write failed: the heap's state is unknown, let the owner replace us
            Runtime.getRuntime().halt(WorkerExit.AFTER_OOM);
        }
    }

    private static ChunkedBytes serializeResult(long id, Object result) throws IOException {
        try {
            return ObjectCodec.serializeChunked(result);
        } catch (NotSerializableException e) {
            throw new NotSerializableException("the result of task " + id + " (a "
                    + result.getClass().getName() + ") cannot be sent back: " + e.getMessage()
                    + " is not Serializable; return a Serializable value (a record or class implementing"
                    + " Serializable, a String, a List of such, ...)");
        }
    }

    private static ChunkedBytes serializeThrowable(Throwable t) {
        try {
            return ObjectCodec.serializeChunked(t);
        } catch (Throwable e) {
            try {
                return ObjectCodec.serializeChunked(new RemoteTaskException(t, String.valueOf(e)));
            } catch (Throwable again) {
                return ChunkedBytes.EMPTY; // the owner reports an undecodable failure
            }
        }
    }

    private void send(MessageType type, long id, ChunkedBytes payload) {
        try {
            encoder.write(type, id, payload);
        } catch (IOException e) {
            Runtime.getRuntime().halt(WorkerExit.INPUT_CLOSED); // the owner is gone
        }
    }

    private static void flushOutput() {
        System.out.flush();
        System.err.flush();
    }
}
