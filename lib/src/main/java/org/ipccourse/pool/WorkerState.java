package org.ipccourse.pool;

import java.util.EnumSet;
import java.util.Set;

/**
 * The life of one worker as the owner sees it; the {@link Scheduler} moves a worker from state to
 * state under its lock, and only through {@link #to}, which refuses a transition not listed here.
 *
 * <pre>
 *   STARTING --READY frame--> READY --task limit / OOM--> RETIRING
 *      |                        |                            |
 *      |   (input closed: idle and not needed)               | (holds nothing)
 *      +------------------------+-----------> CLOSED <-------+
 *      |                        |               |
 *      +------- stream ended, process exited, or killed -----+--> DYING --exit reported--> EXITED
 * </pre>
 *
 * Invariants, each checked in one place of the scheduler:
 * <ul>
 *   <li>Tasks are sent only to a READY worker ({@code Scheduler.dispatch}).</li>
 *   <li>A worker's input is closed only in CLOSED, and a CLOSED worker holds no task and is sent
 *       nothing more: closing is the last frame in its outbox ({@code WorkerHandle.closeInput}).</li>
 *   <li>The pool kills a worker only after it has cancelled or taken back what that worker holds,
 *       or to fail exactly the task it runs (an ignored cancel, a broken stream).</li>
 *   <li>An EXITED worker has left the scheduler's list; what it held is requeued if it never
 *       started, and only the task it was running is blamed for its death.</li>
 * </ul>
 */
enum WorkerState {
    /** Process started and INIT sent; no tasks until it reports ready. */
    STARTING,
    /** Takes tasks, up to the prefetch of each. */
    READY,
    /** Takes no more tasks; closed once it holds none. */
    RETIRING,
    /** Its input is closed: it holds nothing and exits at once. */
    CLOSED,
    /** Its stream ended or broke, or its process exited or was killed; the exit is not yet reported. */
    DYING,
    /** Its exit is reported; it is out of the pool. */
    EXITED;

    private Set<WorkerState> next;

    static {
        STARTING.next = EnumSet.of(READY, CLOSED, DYING);
        READY.next = EnumSet.of(RETIRING, CLOSED, DYING);
        RETIRING.next = EnumSet.of(CLOSED, DYING);
        CLOSED.next = EnumSet.of(DYING);
        DYING.next = EnumSet.of(EXITED);
        EXITED.next = EnumSet.noneOf(WorkerState.class);
    }

    /** The state after a transition to {@code target}; throws if the diagram above has no such arrow. */
    WorkerState to(WorkerState target) {
        if (!next.contains(target)) {
            throw new IllegalStateException("a worker cannot go from " + this + " to " + target);
        }
        return target;
    }

    /** The process may still be running and reading what it is sent. */
    boolean alive() {
        return this == STARTING || this == READY || this == RETIRING;
    }
}
