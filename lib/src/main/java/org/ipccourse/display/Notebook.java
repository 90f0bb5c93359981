package org.ipccourse.display;

import org.dflib.jjava.jupyter.kernel.BaseKernel;

/**
 * Whether this JVM is a notebook kernel, and the kernel if so. The kernel API is on the classpath
 * only inside the kernel, so every call here tolerates its absence.
 */
public final class Notebook {
    private Notebook() {
    }

    /** Returns true when this code runs inside a JJava notebook kernel. */
    public static boolean isKernel() {
        return kernel() != null;
    }

    static BaseKernel kernel() {
        try {
            return BaseKernel.notebookKernel();
        } catch (NullPointerException | LinkageError noKernel) {
            return null;
        }
    }
}
