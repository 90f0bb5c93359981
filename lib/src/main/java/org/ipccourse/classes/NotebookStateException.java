package org.ipccourse.classes;

/**
 * A task in a worker JVM read notebook state the kernel cannot send (a value that is not
 * serializable, such as a {@code Scanner}), or assigned notebook state, which a worker cannot
 * change. The message names the variable or field, its type, and what to write instead. The task
 * fails; the pool goes on.
 */
public final class NotebookStateException extends IllegalStateException {
    private static final long serialVersionUID = 1L;
    private final boolean notSerializable;

    /** @param message what was read or assigned and what to do instead */
    public NotebookStateException(String message) {
        this(message, false);
    }

    /**
     * @param message what was read or assigned and what to do instead
     * @param notSerializable whether the kernel's value could not be serialized
     */
    public NotebookStateException(String message, boolean notSerializable) {
        super(message);
        this.notSerializable = notSerializable;
    }

    /** @param message what failed; @param cause why */
    public NotebookStateException(String message, Throwable cause) {
        super(message, cause);
        this.notSerializable = false;
    }

    /** Whether the kernel's value could not be serialized (rather than not found). */
    public boolean notSerializable() {
        return notSerializable;
    }
}
