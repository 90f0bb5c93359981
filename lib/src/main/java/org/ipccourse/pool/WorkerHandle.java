package org.ipccourse.pool;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.ipccourse.wire.ChunkedBytes;
import org.ipccourse.wire.Frame;
import org.ipccourse.wire.FrameDecoder;
import org.ipccourse.wire.FrameEncoder;
import org.ipccourse.wire.MessageType;

/**
 * Owner side of one worker JVM: the process, the encoder for its standard input, the reading of
 * its standard output (the protocol), and a thread that copies its standard error. Fields marked
 * "guarded" belong to the {@link Scheduler}'s lock.
 *
 * <p>One thread at a time reads the protocol: the worker's reader thread, or a caller waiting for
 * the worker's only task ({@link #readFor}). The second makes a round trip a plain ping-pong of two
 * threads, caller and worker, as over a bare pipe; with a reader thread in between, every answer
 * would wake a third. So when a task is submitted to a worker that holds no other, the reader
 * thread is not woken: its submitter will probably wait for it at once. For any other task sent,
 * and when a dependent stage is attached or {@code get} is called with a timeout, it is woken and
 * reads. Otherwise it looks every {@link #TICK_NANOS} whether an answer waits with nobody reading
 * it (as after {@code CompletableFuture.allOf}), and after {@link #QUIET_TICKS} ticks without a
 * task sent it blocks in the read, as it does whenever the worker holds two tasks.
 */
final class WorkerHandle {
    private static final int STDERR_LINES_KEPT = 12;
    /** How often the reader thread looks for answers nobody reads while it steps aside. */
    static final long TICK_NANOS = 1_000_000;
    /** Ticks without a task sent after which the reader thread reads (blocking) again. */
    static final int QUIET_TICKS = 100;
    /**
     * How long a caller reads for its task before it leaves the reading to the reader thread and
     * parks: long enough for a short task, even while the JIT compilers still take CPU time.
     */
    static final long CALLER_READS_NANOS = 500_000;
    private static final boolean ONE_CPU = Runtime.getRuntime().availableProcessors() == 1;

    final int number;
    final Process process;
    private final FrameEncoder encoder;
    private final Scheduler scheduler;
    private final Deque<String> stderrTail = new ArrayDeque<>();
    private final FrameDecoder decoder;
    /** The thread reading the protocol now, or null. */
    private final AtomicReference<Thread> reading = new AtomicReference<>();
    private final Thread reader;
    private final Thread stderrPump;
    /** {@code inFlight.size()}, for threads without the scheduler's lock. */
    private volatile int inFlightCount;
    /** A task was sent since the reader thread's last tick. */
    private volatile boolean taskSentSinceTick;
    private volatile boolean processGone;
    /** Set by the thread that read the end of the protocol stream, or found it broken. */
    private volatile boolean streamEnded;
    private volatile String streamProblem;
    /** Frames read by waiting callers rather than the reader thread (written by the reading thread only). */
    private volatile long framesReadByCallers;

    // guarded by the scheduler
    final Deque<TaskFuture<?>> inFlight = new ArrayDeque<>();
    int sent;
    volatile boolean ready; // also read without the lock, by whoever reads the protocol
    boolean retiring;
    /** The worker announced it will exit (it reported an OutOfMemoryError): nothing it holds has started. */
    boolean expectExit;
    boolean exited;

    WorkerHandle(int number, List<String> command, Scheduler scheduler) throws IOException {
        this.number = number;
        this.scheduler = scheduler;
        this.process = new ProcessBuilder(command).start();
        this.encoder = new FrameEncoder(process.getOutputStream());
        this.decoder = new FrameDecoder(process.getInputStream());
        this.reader = daemon(this::readProtocol, "ipc-pool-reader-" + number);
        this.stderrPump = daemon(this::pumpStderr, "ipc-pool-stderr-" + number);
    }

    /** Starts the reader threads; call once, after the scheduler has registered this worker. */
    void start() {
        reader.start();
        stderrPump.start();
        process.onExit().thenRun(() -> {
            processGone = true;
            LockSupport.unpark(reader); // it reads what is left, then reports the exit
            try {
                reader.join(1000); // the reader normally sees end of file first and reports the exit
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            scheduler.workerExited(this, null);
        });
    }

    private static Thread daemon(Runnable body, String name) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        return t;
    }

    long pid() {
        return process.pid();
    }

    void send(MessageType type, long id, byte[] payload) throws IOException {
        encoder.write(type, id, payload);
    }

    void send(MessageType type, long id, ChunkedBytes payload) throws IOException {
        encoder.write(type, id, payload);
    }

    /** End of file on the worker's standard input: the worker halts. */
    void closeInput() {
        try {
            encoder.close();
        } catch (IOException e) {
            // already gone
        }
    }

    void kill() {
        closeInput();
        process.destroyForcibly();
    }

    /** Call under the scheduler's lock after {@code inFlight} changed. */
    void inFlightChanged() {
        inFlightCount = inFlight.size();
    }

    /**
     * Call under the scheduler's lock after a task was sent. {@code callerMayRead}: its submitter
     * may wait for it at once; unless it is the worker's only task, the reader thread is woken.
     */
    void taskSent(boolean callerMayRead) {
        taskSentSinceTick = true;
        if (inFlightCount > 1 || !callerMayRead) {
            LockSupport.unpark(reader);
        }
    }

    /** Someone will want this worker's answers without reading them: the reader thread reads now. */
    void wakeReader() {
        LockSupport.unpark(reader);
    }

    /** Frames are due even with no task in flight: READY, what an idle worker printed, the end of the stream. */
    private boolean framesDueWithoutTask() {
        try {
            return !ready || processGone || decoder.hasBytes();
        } catch (IOException e) {
            return true; // reading reports it
        }
    }

    private void readProtocol() {
        Thread me = Thread.currentThread();
        int quietTicks = 0;
        while (!streamEnded) {
            if (reading.get() == null && (inFlightCount > 0 || quietTicks >= QUIET_TICKS || framesDueWithoutTask())
                    && reading.compareAndSet(null, me)) {
                try {
                    do {
                        readOne();
                    } while (!streamEnded && (inFlightCount > 0 || framesDueWithoutTask()));
                } catch (IOException | RuntimeException e) {
                    endStream(e);
                } finally {
                    reading.set(null);
                }
                quietTicks = 0;
                continue;
            }
            LockSupport.parkNanos(this, TICK_NANOS);
            quietTicks = taskSentSinceTick ? 0 : quietTicks + 1;
            taskSentSinceTick = false;
        }
        scheduler.workerExited(this, streamProblem);
    }

    /**
     * Called by a thread about to wait for {@code f}: when {@code f} is this worker's only task
     * and nobody reads the protocol, reads and handles frames on this thread until {@code f} is
     * done, for at most {@link #CALLER_READS_NANOS} (spinning, or yielding the CPU to the worker
     * on a one-CPU machine), or until this thread is interrupted. A frame that has begun to arrive
     * is read to its end, however long the worker takes to write it.
     *
     * @return whether this thread read (whether or not {@code f} is done)
     */
    boolean readFor(TaskFuture<?> f) {
        Thread me = Thread.currentThread();
        if (inFlightCount != 1 || f.worker != this || !reading.compareAndSet(null, me)) {
            return false;
        }
        try {
            long end = System.nanoTime() + CALLER_READS_NANOS;
            while (!f.isDone() && !streamEnded && f.worker == this) {
                if (decoder.hasBytes()) {
                    readOne();
                    framesReadByCallers++;
                } else if (System.nanoTime() - end > 0 || me.isInterrupted()) {
                    break;
                } else if (ONE_CPU) {
                    Thread.yield();
                } else {
                    Thread.onSpinWait();
                }
            }
        } catch (IOException | RuntimeException e) {
            endStream(e);
        } finally {
            reading.set(null);
            if (inFlightCount > 0 || streamEnded) {
                LockSupport.unpark(reader); // it takes over, or reports the end of the stream
            }
        }
        return true;
    }

    long framesReadByCallers() {
        return framesReadByCallers;
    }

    private void endStream(Exception e) {
        streamProblem = e.getMessage(); // e.g. a JVM crash report printed to fd 1; the exit status comes next
        streamEnded = true;
    }

    private void readOne() throws IOException {
        Frame f = decoder.read();
        if (f == null) {
            streamEnded = true;
            return;
        }
        switch (f.type()) {
            case RESULT -> scheduler.answered(this, f.id(), f.payload(), false);
            case FAILURE -> scheduler.answered(this, f.id(), f.payload(), true);
            case SKIPPED -> scheduler.skipped(this, f.id());
            case OUTPUT -> print(f.id() == 2 ? System.err : System.out, f.payload());
            case CLASS_REQUEST -> scheduler.serveClass(this, f.id(), f.payload());
            case READY -> scheduler.ready(this);
            case INIT_FAILED -> scheduler.initFailed(this, f.payload());
            default -> throw new IOException("unexpected " + f.type() + " frame from worker " + number);
        }
    }

    private static void print(PrintStream out, byte[] bytes) {
        out.write(bytes, 0, bytes.length);
        out.flush();
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
        }
    }

    /** Waits (at most about a second) for the exit status and the rest of the worker's stderr. */
    int awaitExitStatus() {
        try {
            if (!process.waitFor(1, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(1, TimeUnit.SECONDS);
            }
            stderrPump.join(300);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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
