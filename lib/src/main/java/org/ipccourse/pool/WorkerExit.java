package org.ipccourse.pool;

/**
 * The exit statuses a worker JVM gives itself; any other status comes from outside (a signal is
 * 128 + its number) or from the JVM (1 when it refuses an option).
 */
final class WorkerExit {
    private WorkerExit() {
    }

    /** End of file on standard input: the owner is gone or closed the pool. */
    static final int INPUT_CLOSED = 0;
    /** The initializer threw; an INIT_FAILED frame went first. */
    static final int INIT_FAILED = 1;
    /** The owner sent something the worker could not read. */
    static final int PROTOCOL_ERROR = 2;
    /**
     * A task threw OutOfMemoryError: an EXIT_AFTER_OOM frame and the task's FAILURE went first. The owner
     * trusts the frame, not this status, which a task's own {@code System.exit(3)} also gives.
     */
    static final int AFTER_OOM = 3;
    /** A thread of the worker died of an uncaught exception. */
    static final int UNCAUGHT = 70;

    /** Whether a worker that exited with {@code status} was killed by a signal. */
    static boolean bySignal(int status) {
        return status > 128 && status < 160;
    }
}
