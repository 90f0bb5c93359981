package org.ipccourse.pool;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.Set;
import org.ipccourse.wire.Frame;
import org.ipccourse.wire.FrameDecoder;
import org.ipccourse.wire.FrameEncoder;
import org.ipccourse.wire.MessageType;
import org.ipccourse.wire.ObjectCodec;
import org.ipccourse.wire.Payloads;

/**
 * The main class of a worker JVM. The main thread reads frames from standard input and halts the
 * JVM at end of file; a task thread runs the initializer and then the tasks, one at a time.
 */
final class WorkerMain {
    /** Exit status of a worker that retires itself after an OutOfMemoryError. */
    static final int EXIT_AFTER_OOM = 3;

    private final FrameEncoder encoder;
    private final FrameDecoder decoder;
    private final RemoteClassLoader loader;
    private final BlockingQueue<Frame> work = new LinkedBlockingQueue<>();
    private final Set<Long> skipped = ConcurrentHashMap.newKeySet();
    private final Object runningLock = new Object();
    private long running = -1;
    private Thread taskThread;
    private volatile ObjectCodec codec = new ObjectCodec("");

    private WorkerMain(FrameEncoder encoder, FrameDecoder decoder) {
        this.encoder = encoder;
        this.decoder = decoder;
        this.loader = new RemoteClassLoader(WorkerMain.class.getClassLoader(), encoder);
    }

    public static void main(String[] args) {
        // Before anything else: keep fd 1 for the protocol, route printing to OUTPUT frames.
        FrameEncoder encoder = new FrameEncoder(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16));
        FrameDecoder decoder = new FrameDecoder(new BufferedInputStream(new FileInputStream(FileDescriptor.in), 1 << 16));
        System.setOut(new PrintStream(new OutputForwarder(encoder, 1), true));
        System.setErr(new PrintStream(new OutputForwarder(encoder, 2), true));
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
            e.printStackTrace(new PrintStream(new FileOutputStream(FileDescriptor.err), true));
            Runtime.getRuntime().halt(70);
        });
        new WorkerMain(encoder, decoder).run();
    }

    private void run() {
        taskThread = new Thread(this::runTasks, "ipc-pool-task");
        taskThread.setContextClassLoader(loader);
        taskThread.start();
        try {
            for (Frame f; (f = decoder.read()) != null; ) {
                switch (f.type()) {
                    case INIT, TASK -> work.add(f);
                    case CANCEL -> cancel(f.id(), f.payload().length > 0 && f.payload()[0] == 1);
                    case CLASS_BYTES -> loader.answer(f.id(), Payloads.decodeClassBytes(f.payload()));
                    default -> throw new IOException("unexpected " + f.type() + " frame from the owner");
                }
            }
        } catch (IOException | RuntimeException e) {
            new PrintStream(new FileOutputStream(FileDescriptor.err), true).println("ipc-pool worker: " + e);
            Runtime.getRuntime().halt(2);
        }
        Runtime.getRuntime().halt(0); // end of file: the owner is gone or closing the pool
    }

    private void cancel(long id, boolean interrupt) {
        synchronized (runningLock) {
            if (running == id) {
                if (interrupt) {
                    taskThread.interrupt();
                }
            } else {
                skipped.add(id);
            }
        }
    }

    private void runTasks() {
        while (true) {
            Frame f;
            try {
                f = work.take();
            } catch (InterruptedException e) {
                continue; // a late cancel; the interrupt is meant for a task that has finished
            }
            if (f.type() == MessageType.INIT) {
                initialize(f);
            } else {
                runTask(f.id(), f.payload());
            }
        }
    }

    private void initialize(Frame f) {
        try {
            Payloads.Init init = Payloads.decodeInit(f.payload());
            codec = new ObjectCodec(init.filterPattern());
            if (init.initializer().length > 0) {
                ((Runnable) codec.deserialize(init.initializer(), List.of(loader))).run();
            }
            flushOutput();
            encoder.write(MessageType.READY, 0, new byte[0]);
        } catch (Throwable t) {
            try {
                flushOutput();
                encoder.write(MessageType.INIT_FAILED, 0, serializeThrowable(t));
            } catch (Throwable ignored) {
                // the owner sees the exit status instead
            }
            Runtime.getRuntime().halt(1);
        }
    }

    private void runTask(long id, byte[] payload) {
        synchronized (runningLock) {
            if (skipped.remove(id)) {
                send(MessageType.FAILURE, id, serializeThrowable(new CancellationException("task " + id + " was cancelled")));
                return;
            }
            running = id;
        }
        boolean oom = false;
        MessageType type;
        byte[] answer;
        try {
            Object task = codec.deserialize(payload, List.of(loader));
            Object result = ((Callable<?>) task).call();
            answer = serializeResult(id, result);
            type = MessageType.RESULT;
        } catch (Throwable t) {
            oom = t instanceof OutOfMemoryError;
            type = MessageType.FAILURE;
            answer = serializeThrowable(t);
        } finally {
            synchronized (runningLock) {
                running = -1;
                Thread.interrupted();
            }
        }
        flushOutput();
        send(type, id, answer);
        if (oom) {
            Runtime.getRuntime().halt(EXIT_AFTER_OOM); // the heap's state is unknown: let the owner replace us
        }
    }

    private static byte[] serializeResult(long id, Object result) throws IOException {
        try {
            return ObjectCodec.serialize(result);
        } catch (NotSerializableException e) {
            throw new NotSerializableException("the result of task " + id + " (a "
                    + result.getClass().getName() + ") cannot be sent back: " + e.getMessage()
                    + " is not Serializable; return a Serializable value (a record or class implementing"
                    + " Serializable, a String, a List of such, ...)");
        }
    }

    private static byte[] serializeThrowable(Throwable t) {
        try {
            return ObjectCodec.serialize(t);
        } catch (Throwable e) {
            try {
                return ObjectCodec.serialize(new RemoteTaskException(t, String.valueOf(e)));
            } catch (Throwable again) {
                return new byte[0]; // the owner reports an undecodable failure
            }
        }
    }

    private void send(MessageType type, long id, byte[] payload) {
        try {
            encoder.write(type, id, payload);
        } catch (IOException e) {
            Runtime.getRuntime().halt(0); // the owner is gone
        }
    }

    private static void flushOutput() {
        System.out.flush();
        System.err.flush();
    }
}
