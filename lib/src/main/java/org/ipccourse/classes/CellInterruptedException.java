package org.ipccourse.classes;

/**
 * Thrown inside code written in a notebook cell when its thread has been interrupted, at the next
 * turn of a loop: this is how "Interrupt Kernel" stops a CPU loop that never checks the interrupt
 * flag itself. The thread's interrupt flag stays set, so code up the stack still sees it.
 *
 * <pre>{@code
 * try { spin(Long.MAX_VALUE); } catch (CellInterruptedException e) { ... } // e.g. after Future.cancel(true)
 * }</pre>
 *
 * <p>Costs nothing until thrown; see {@link CellInterrupts} for the checks that throw it.
 */
public final class CellInterruptedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CellInterruptedException() {
        super("interrupted: the cell was stopped from the notebook (its thread was interrupted"
                + " while a loop in cell code was running)");
    }
}
