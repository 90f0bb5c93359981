package org.ipccourse.classes;

/**
 * Which classes were compiled from notebook cells: JShell puts them in package {@code REPL}. Costs
 * a string comparison and loads nothing else, so a worker can ask it for every class it loads.
 */
public final class CellClasses {
    private CellClasses() {
    }

    /** Whether {@code binaryName} (as {@code REPL.$JShell$12}) is a class compiled from a notebook cell. */
    public static boolean isCellClass(String binaryName) {
        return binaryName.startsWith("REPL.");
    }

    /** The same rule for an internal name, as a class file spells it ({@code REPL/$JShell$12}). */
    static boolean isCellClassInternal(String internalName) {
        return internalName.startsWith("REPL/");
    }
}
