package org.ipccourse.pool;

/**
 * The cause of the {@link java.util.concurrent.ExecutionException} of a task whose worker JVM died
 * while running it (System.exit, a signal such as kill -9, a native crash). The message names the
 * worker, its process id, its exit status and the last lines it wrote to its standard error.
 *
 * <pre>{@code
 * try { future.get(); }
 * catch (ExecutionException e) { if (e.getCause() instanceof WorkerDiedException d) System.out.println(d.exitStatus()); }
 * }</pre>
 */
public final class WorkerDiedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int worker;
    private final long pid;
    private final int exitStatus;

    WorkerDiedException(String message, int worker, long pid, int exitStatus) {
        super(message);
        this.worker = worker;
        this.pid = pid;
        this.exitStatus = exitStatus;
    }

    /** The pool's number for the worker, counting from 1 in the order workers were started. */
    public int worker() {
        return worker;
    }

    /** The operating system's process id of the worker. */
    public long pid() {
        return pid;
    }

    /** The worker's exit status; 128 + n when signal n ended it (137 for SIGKILL). */
    public int exitStatus() {
        return exitStatus;
    }

    static String describeStatus(int status) {
        if (status > 128 && status < 160) {
            int signal = status - 128;
            String name = switch (signal) {
                case 6 -> "SIGABRT";
                case 9 -> "SIGKILL";
                case 11 -> "SIGSEGV";
                case 15 -> "SIGTERM";
                default -> "signal " + signal;
            };
            return "exit status " + status + " (killed by " + name + ")";
        }
        return "exit status " + status;
    }
}
