package org.ipccourse.pool;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.ipccourse.threads.LibraryThreads;

/**
 * Who reads one worker's protocol stream, and when. One thread at a time holds the reading role:
 * the worker's reader thread, or a caller waiting for the worker's only task ({@link #readFor}).
 * The second makes a round trip a ping-pong of two threads, caller and worker, as over a bare
 * pipe; with a reader thread in between every answer would wake a third. So when a task is
 * submitted to a worker that holds no other, the reader thread is not woken: its submitter will
 * probably wait for it at once. For any other task sent, and when a dependent stage is attached or
 * {@code get} is called with a timeout, it is woken and reads. Otherwise it looks every
 * {@link Timing#READER_TICK_NANOS} whether an answer waits with nobody reading it (as after
 * {@code CompletableFuture.allOf}), and after {@link Timing#READER_QUIET_TICKS} ticks without a
 * task sent it blocks in the read, as it does whenever the worker holds two tasks.
 *
 * <p>No user code runs while the role is held: a caller completes its own future only after it
 * has given the role up, and answers the reader thread reads are completed on the pool's
 * completion threads ({@link Completer}). Whatever ends the reading (end of file, a malformed
 * frame, any {@link Throwable} including {@link OutOfMemoryError}) ends the stream exactly once,
 * reported by the reader thread to the {@link Sink}.
 */
final class PipeReader {
    /** Where frames go. */
    interface Sink {
        /**
         * Handles one frame on the reading thread. {@code callersOwn}: the task whose caller is
         * reading (null on the reader thread); the result is an action completing that task, to be
         * run after the role is released, or null.
         */
        Runnable onFrame(WorkerHandle w, Frame frame, TaskFuture<?> callersOwn) throws IOException;

        /** The stream ended ({@code problem} null) or broke; called once, on the reader thread. */
        void onStreamEnd(WorkerHandle w, String problem);
    }

    /** What the JDK's process reaper makes a blocked read throw when it closes the pipe of an exited process. */
    private static final String STREAM_CLOSED = "Stream closed";

    private final FrameDecoder decoder;
    private final Sink sink;
    private final WorkerHandle worker;
    private final AtomicReference<Thread> reading = new AtomicReference<>();
    private final Thread thread;
    /** Tasks the worker holds ({@code inFlight.size()}), for threads without the scheduler's lock. */
    private volatile int inFlight;
    /** Frames are due with no task in flight (READY, or the rest of a dead worker's stream). */
    private volatile boolean eager = true;
    private volatile boolean taskSentSinceTick;
    private volatile boolean ended;
    private volatile String problem;
    private volatile long framesReadByCallers;
    /** From the write of the last awaited task this worker answered to the read of its answer. */
    private volatile long lastAnswerNanos = Long.MAX_VALUE;
    /** Callers' reads left that block at once, without a spin (written by the role's holder only). */
    private volatile int pausedReadsLeft;
    /** Callers' spins in a row that did not find their answer (only the role's holder touches it). */
    private int emptySpinsInARow;
    /** The caller blocked in a read of this stream, and the task it waits for; null while none is. */
    private volatile Thread blockedCaller;
    private volatile TaskFuture<?> blockedFor;
    /** A WAKE was sent for the current blocked read. */
    private volatile boolean wakeSent;

    PipeReader(WorkerHandle worker, FrameDecoder decoder, Sink sink, String name) {
        this.worker = worker;
        this.decoder = decoder;
        this.sink = sink;
        this.thread = LibraryThreads.daemon(this::run, name);
    }

    void start() {
        thread.start();
    }

    /** Waits, until {@code deadline} ({@link System#nanoTime}), for the reader thread to end. */
    void awaitEnd(long deadline) throws InterruptedException {
        long left = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left > 0) {
            thread.join(left);
        }
    }

    /** Call under the scheduler's lock after the worker's in-flight list changed. */
    void inFlightChanged(int count) {
        inFlight = count;
    }

    /** Whether frames are due without a task in flight; the reader thread is woken. */
    void eager(boolean value) {
        eager = value;
        wake();
    }

    /**
     * A task was sent. {@code callerMayRead}: its submitter may wait for it at once; unless it is
     * the worker's only task, the reader thread is woken.
     */
    void taskSent(boolean callerMayRead) {
        taskSentSinceTick = true;
        if (inFlight > 1 || !callerMayRead) {
            wake();
        }
    }

    /** Someone will want this worker's answers without reading them: the reader thread reads now. */
    void wake() {
        LockSupport.unpark(thread);
    }

    /** The worker answered an awaited task {@code nanos} after it was written to it. */
    void answeredAfter(long nanos) {
        lastAnswerNanos = nanos;
    }

    /**
     * Whether a caller waiting for its task would spin for the answer now ({@link #readFor}), so
     * that the worker should spin for the next task too; else both block, as over a bare pipe.
     */
    boolean callerSpins() {
        return Timing.CALLER_SPIN_NANOS > 0 && pausedReadsLeft == 0;
    }

    /** Whether the last answer came soon enough for a waiting caller to spin for the next one. */
    boolean answersQuickly() {
        return lastAnswerNanos <= Timing.CALLER_SPIN_WORTH_NANOS;
    }

    long bytesRead() {
        return decoder.bytesRead();
    }

    int frameInProgress() {
        return decoder.frameInProgress();
    }

    long framesReadByCallers() {
        return framesReadByCallers;
    }

    private boolean framesDueWithoutTask() {
        try {
            return eager || decoder.hasBytes();
        } catch (IOException e) {
            return true; // reading reports it
        }
    }

    private void run() {
        Thread me = Thread.currentThread();
        int quietTicks = 0;
        while (!ended) {
            if (reading.get() == null
                    && (inFlight > 0 || quietTicks >= Timing.READER_QUIET_TICKS || framesDueWithoutTask())
                    && reading.compareAndSet(null, me)) {
                try {
                    do {
                        readOne(null);
                    } while (!ended && (inFlight > 0 || framesDueWithoutTask()));
                } catch (Throwable t) {
                    end(t);
                } finally {
                    reading.set(null);
                }
                quietTicks = 0;
                continue;
            }
            boolean watching = watchBlockedCaller();
            LockSupport.parkNanos(this, watching ? Timing.BLOCKED_CALLER_WATCH_NANOS : Timing.READER_TICK_NANOS);
            quietTicks = taskSentSinceTick ? 0 : quietTicks + 1;
            taskSentSinceTick = false;
        }
        sink.onStreamEnd(worker, problem);
    }

    /**
     * The reader thread, while a caller is blocked reading: if that caller was interrupted or its
     * task is done (cancelled), asks the worker for an AWAKE frame, which ends the blocked read.
     *
     * @return whether a caller is blocked
     */
    private boolean watchBlockedCaller() {
        Thread caller = blockedCaller;
        TaskFuture<?> task = blockedFor;
        if (caller == null || task == null) {
            return false;
        }
        if (!wakeSent && (caller.isInterrupted() || task.isDone())) {
            wakeSent = true;
            worker.post(MessageType.WAKE, 0, ChunkedBytes.EMPTY, null);
            worker.flush();
        }
        return true;
    }

    /**
     * Called by a thread about to wait for {@code f}: when {@code f} is this worker's only task
     * and nobody reads the protocol, reads and handles frames on this thread until {@code f} is
     * done, the stream ends or this thread is interrupted. It first spins for the answer for up to
     * {@link Timing#CALLER_SPIN_NANOS}, on two CPUs or more and unless a caller's spin found
     * nothing within the last {@link Timing#CALLER_SPIN_PAUSE_READS} reads; then it blocks in the
     * read, as a plain pipe's reader does, while the reader thread watches for an interrupt or a
     * cancellation and then has the worker send a frame that ends the read (WAKE). A frame that
     * has begun to arrive is read to its end, however long the worker takes to write it.
     *
     * @return whether this thread read (whether or not {@code f} is done)
     */
    boolean readFor(TaskFuture<?> f) {
        Thread me = Thread.currentThread();
        if (inFlight != 1 || f.worker != worker || !reading.compareAndSet(null, me)) {
            return false;
        }
        Runnable own = null;
        try {
            boolean spin = callerSpins();
            long end = System.nanoTime() + (spin ? Timing.CALLER_SPIN_NANOS : 0);
            if (!spin && pausedReadsLeft > 0) {
                pausedReadsLeft--;
            }
            while (own == null && !f.isDone() && !ended && f.worker == worker && !me.isInterrupted()) {
                if (decoder.hasBytes()) {
                    own = readOne(f);
                    framesReadByCallers++;
                    if (spin && (own != null || f.isDone())) { // its answer, not an OUTPUT frame before it
                        emptySpinsInARow = 0;
                    }
                } else if (System.nanoTime() - end < 0) {
                    Thread.onSpinWait();
                } else {
                    if (spin) {
                        spin = false;
                        if (++emptySpinsInARow >= Timing.CALLER_EMPTY_SPINS_BEFORE_PAUSE) {
                            emptySpinsInARow = 0;
                            pausedReadsLeft = Timing.CALLER_SPIN_PAUSE_READS;
                        }
                    }
                    own = blockedRead(f, me);
                }
            }
        } catch (Throwable t) {
            end(t);
        } finally {
            reading.set(null);
            if (inFlight > 0 || ended) {
                wake(); // it takes over, or reports the end of the stream
            }
        }
        if (own != null) {
            own.run();
        }
        return true;
    }

    /** Reads one frame, blocking, with the reader thread watching ({@link #watchBlockedCaller}). */
    private Runnable blockedRead(TaskFuture<?> f, Thread me) throws IOException {
        wakeSent = false;
        blockedFor = f;
        blockedCaller = me;
        try {
            if (me.isInterrupted() || f.isDone()) { // after publishing: the watcher sees any later change
                return null;
            }
            framesReadByCallers++;
            return readOne(f);
        } finally {
            blockedCaller = null;
            blockedFor = null;
        }
    }

    private Runnable readOne(TaskFuture<?> callersOwn) throws IOException {
        Frame f = decoder.read();
        if (f == null) {
            ended = true;
            return null;
        }
        return sink.onFrame(worker, f, callersOwn);
    }

    private void end(Throwable t) {
        int frame = decoder.frameInProgress();
        problem = t instanceof OutOfMemoryError
                ? "the owner ran out of memory reading a frame of " + frame + " bytes from it: " + t
                : STREAM_CLOSED.equals(t.getMessage()) ? null // the JDK closed it: the process has exited
                : t instanceof IOException ? t.getMessage() : String.valueOf(t);
        ended = true;
    }
}
