package org.ipccourse.threads;

/**
 * Makes the library's background threads (a pool's pipe readers, timer and completion threads,
 * the shared-memory sweeper, the cell-loop interrupt watcher): daemon threads in a thread group of
 * their own, {@code ipccourse}, directly under the JVM's top group, whichever thread asks for them.
 *
 * <pre>{@code
 * Thread t = LibraryThreads.daemon(this::readLoop, "ipc-pool-reader-1");
 * t.start();
 * }</pre>
 *
 * <p>Why a group of their own: a new thread joins the group of the thread that creates it, and
 * JShell's local execution (the {@code jshell} tool with {@code --execution local}, and the
 * course's JShell-level tests) waits, each time it has started a snippet, for every live thread of
 * its snippets' group. A pool created by one cell would then leave threads in that group that
 * never end, and the next cell that started while they were counted would wait for ever. Costs:
 * none beyond the threads themselves.
 */
public final class LibraryThreads {
    private static final ThreadGroup GROUP = new ThreadGroup(topGroup(), "ipccourse");

    private LibraryThreads() {
    }

    /** A daemon thread, not started, that runs {@code task} in the library's thread group. */
    public static Thread daemon(Runnable task, String name) {
        Thread t = new Thread(GROUP, task, name);
        t.setDaemon(true);
        return t;
    }

    /** The library's thread group (for tests and diagnostics). */
    public static ThreadGroup group() {
        return GROUP;
    }

    /** The JVM's top thread group, the one every live thread is under (walked up from the caller's group). */
    public static ThreadGroup topGroup() {
        ThreadGroup g = Thread.currentThread().getThreadGroup();
        while (g.getParent() != null) {
            g = g.getParent();
        }
        return g;
    }
}
