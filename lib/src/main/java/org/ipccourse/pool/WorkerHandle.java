package org.ipccourse.pool;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.ipccourse.threads.LibraryThreads;

/**
 * Owner side of one worker JVM: the process, its outbox (the frames for its standard input), its
 * {@link PipeReader} (the protocol on its standard output) and a thread that copies its standard
 * error. Fields marked "guarded" belong to the {@link Scheduler}'s lock, which alone changes
 * {@link #state}.
 *
 * <p>Frames are posted to the outbox under the scheduler's lock, in the order the scheduler
 * decides them, and written after that lock is released, by whichever thread finds the outbox
 * non-empty and the write lock free ({@link #flush}); a thread that finds another writing leaves
 * its frames to that one. So no pipe write happens under the scheduler's lock, a large task being
 * written stalls no other worker, and frames reach the worker in the order they were posted.
 */
final class WorkerHandle {
    private static final int STDERR_LINES_KEPT = 12;

    /** What has ended of a worker: the exit is reported when all have, or a grace period after the process. */
    enum End { STREAM, PROCESS, STDERR }

    /** One frame for the worker, or (type null) the end of its input. */
    private record Out(MessageType type, long id, Object payload, TaskFuture<?> task) {
    }

    final int number;
    final Process process;
    final PipeReader reader;
    private final FrameEncoder encoder;
    private final Deque<String> stderrTail = new ArrayDeque<>();
    private final Thread stderrPump;
    private final ConcurrentLinkedQueue<Out> outbox = new ConcurrentLinkedQueue<>();
    private final ReentrantLock writing = new ReentrantLock();
    private volatile boolean writeFailed;

    // guarded by the scheduler
    WorkerState state = WorkerState.STARTING;
    /** The state it was in when it began to die. */
    WorkerState diedFrom;
    /** The worker said it halts after a task's OutOfMemoryError: nothing it still holds has started. */
    volatile boolean exitsAfterOom;
    /**
     * The answer that followed EXIT_AFTER_OOM, that of the task that ran out of memory, has been
     * read; until then that task is the worker's first in flight, and it has run.
     */
    volatile boolean oomTaskAnswered;
    final EnumSet<End> ended = EnumSet.noneOf(End.class);
    /** Why its stream broke, or why the pool killed it; null for a plain exit. */
    String problem;
    final Deque<TaskFuture<?>> inFlight = new ArrayDeque<>();
    int sent;
    // read by the watchdog (the pool's timer thread) only
    long watchedBytes = -1;
    long stalledSince;

    WorkerHandle(int number, Process process, int maxFrame, PipeReader.Sink sink) {
        this.number = number;
        this.process = process;
        this.encoder = new FrameEncoder(process.getOutputStream());
        this.reader = new PipeReader(this, new FrameDecoder(process.getInputStream(), maxFrame), sink,
                "ipc-pool-reader-" + number);
        this.stderrPump = LibraryThreads.daemon(this::pumpStderr, "ipc-pool-stderr-" + number);
    }

    /** Starts the reading threads; {@code onStderrEnd} runs when the worker's stderr ends. */
    void start(Runnable onStderrEnd) {
        this.onStderrEnd = onStderrEnd;
        reader.start();
        stderrPump.start();
        LiveWorkers.add(this);
    }

    private volatile Runnable onStderrEnd;

    long pid() {
        return process.pid();
    }

    /** Posts a frame; call {@link #flush} after releasing the scheduler's lock. */
    void post(MessageType type, long id, Object payload, TaskFuture<?> task) {
        outbox.add(new Out(type, id, payload, task));
    }

    /** Posts the end of the worker's input: it halts when it reads it. */
    void postClose() {
        outbox.add(new Out(null, 0, null, null));
    }

    boolean hasPosts() {
        return !outbox.isEmpty();
    }

    /**
     * Writes what is posted, unless another thread is writing to this worker (it then writes these
     * frames too). A failed write kills the worker: its exit requeues or fails what it holds.
     */
    void flush() {
        while (!outbox.isEmpty() && writing.tryLock()) {
            try {
                for (Out o; (o = outbox.poll()) != null; ) {
                    write(o);
                }
            } finally {
                writing.unlock();
            }
        }
    }

    private void write(Out o) {
        if (writeFailed) {
            return;
        }
        try {
            if (o.type == null) {
                encoder.close();
                return;
            }
            if (o.task != null) {
                o.task.delivered = true; // before the write: the worker may answer before it returns
                o.task.sentAt = System.nanoTime();
            }
            if (o.payload instanceof ChunkedBytes c) {
                encoder.write(o.type, o.id, c);
            } else {
                encoder.write(o.type, o.id, (byte[]) o.payload);
            }
        } catch (IOException e) {
            // a task whose frame was begun stays delivered: the worker may have read enough to die of it
            writeFailed = true;
            process.destroyForcibly();
        }
    }

    void kill() {
        process.destroyForcibly();
    }

    /** Waits, until {@code deadline} ({@link System#nanoTime}), for the threads reading its pipes to end. */
    void awaitPipesEnded(long deadline) throws InterruptedException {
        reader.awaitEnd(deadline);
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left > 0) {
            stderrPump.join(left);
        }
    }

    private void pumpStderr() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getErrorStream(), Charset.defaultCharset()))) {
            for (String line; (line = in.readLine()) != null; ) {
                System.err.println("[worker " + number + "] " + line);
                synchronized (stderrTail) {
                    if (stderrTail.size() == STDERR_LINES_KEPT) {
                        stderrTail.removeFirst();
                    }
                    stderrTail.addLast(line);
                }
            }
        } catch (IOException e) {
            // the worker is gone
        } finally {
            Runnable r = onStderrEnd;
            if (r != null) {
                r.run();
            }
        }
    }

    /** The exit status, or -1 while the process runs. */
    int exitStatus() {
        return process.isAlive() ? -1 : process.exitValue();
    }

    /** What the worker last wrote to its standard error, and its crash report if there is one. */
    String lastWords() {
        StringBuilder text = new StringBuilder();
        synchronized (stderrTail) {
            if (!stderrTail.isEmpty()) {
                text.append("; last lines on its standard error:\n  ").append(String.join("\n  ", stderrTail));
            }
        }
        Path crash = Path.of(System.getProperty("java.io.tmpdir"), "ipc-pool-worker-hs_err_pid" + pid() + ".log");
        if (Files.exists(crash)) {
            text.append("; crash report: ").append(crash);
        }
        return text.toString();
    }

    @Override
    public String toString() {
        return "worker " + number + " (pid " + pid() + ")";
    }
}
