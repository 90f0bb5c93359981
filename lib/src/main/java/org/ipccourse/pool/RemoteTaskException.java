package org.ipccourse.pool;

/**
 * Stands in for an exception thrown by a task in a worker JVM when that exception itself could not
 * be serialized. It carries the original class name, message and the worker's stack frames.
 *
 * <pre>{@code
 * catch (ExecutionException e) {
 *     if (e.getCause() instanceof RemoteTaskException r) System.out.println(r.remoteClassName());
 * }
 * }</pre>
 */
public final class RemoteTaskException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String remoteClassName;

    RemoteTaskException(Throwable original, String whyNotSerialized) {
        super(original.getClass().getName() + ": " + original.getMessage()
                + " [the worker could not serialize this exception: " + whyNotSerialized + "]");
        this.remoteClassName = original.getClass().getName();
        setStackTrace(original.getStackTrace());
        if (original.getCause() != null && original.getCause() != original) {
            initCause(new RemoteTaskException(original.getCause(), whyNotSerialized));
        }
    }

    /** The binary name of the exception class the task threw. */
    public String remoteClassName() {
        return remoteClassName;
    }
}
