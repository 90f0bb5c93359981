package org.ipccourse.classes;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * Refuses a task that uses a notebook variable, before it is sent to a worker JVM. A top-level
 * variable of a notebook cell ({@code int n = 5;}) is a static field of a class the kernel compiled
 * for that cell; a worker gets the class but not the kernel's value, so there {@code n} is 0. A
 * task that reads {@code n} would return a silently wrong answer, and one that assigns it would
 * change only the worker's copy; {@link #requireNoneUsed} turns both into an exception that names
 * the variable.
 *
 * <pre>{@code
 * NotebookVariables.requireNoneUsed(task);   // the pool calls this in submit, before serializing
 * }</pre>
 *
 * <p>The check reads the bytecode of the task and of every notebook-cell method it can reach
 * (calls, lambdas), so a cell method that reads a notebook variable is caught too. It looks only at
 * classes compiled from cells ({@code REPL.*}); any other task returns at once. A variable used on
 * a path the task never takes is still reported. Costs: the first check in a JVM loads the bytecode
 * reader (once, 25-40 ms measured); then well under a millisecond for a new lambda calling a few cell
 * methods, and a few microseconds for a lambda class seen before (results are kept per class).
 */
public final class NotebookVariables {
    // Per task class (a lambda's class stands for its call site); filled on first use.
    private static final ClassValue<AtomicReference<List<VariableUse>>> USES = new ClassValue<>() {
        @Override
        protected AtomicReference<List<VariableUse>> computeValue(Class<?> type) {
            return new AtomicReference<>();
        }
    };

    private NotebookVariables() {
    }

    /**
     * Throws when {@code task} reads or assigns a top-level notebook variable.
     *
     * @param task a task about to be sent to a worker JVM
     * @throws IllegalArgumentException naming the variables, saying how to pass them instead
     */
    public static void requireNoneUsed(Object task) {
        List<VariableUse> uses = uses(task);
        if (!uses.isEmpty()) {
            throw new IllegalArgumentException(message(uses));
        }
    }

    /** The notebook variables {@code task} reads or assigns, in the order first met; empty for non-cell code. */
    static List<VariableUse> uses(Object task) {
        Class<?> type = task.getClass();
        if (!type.getName().startsWith(CellCodeScanner.CELL_PACKAGE)) {
            return List.of();
        }
        AtomicReference<List<VariableUse>> cached = USES.get(type);
        List<VariableUse> uses = cached.get();
        if (uses == null) {
            uses = CellCodeScanner.variablesUsedBy(task);
            cached.set(uses);
        }
        return uses;
    }

    private static String message(List<VariableUse> uses) {
        String reads = uses.stream().filter(u -> !u.assigned())
                .map(u -> "`" + u.name() + "` (" + u.defaultValue() + " in a worker)")
                .collect(Collectors.joining(", "));
        String writes = uses.stream().filter(VariableUse::assigned)
                .map(u -> "`" + u.name() + "`").collect(Collectors.joining(", "));
        StringBuilder m = new StringBuilder("The task uses notebook variables, which are not copied to worker JVMs: ");
        if (!reads.isEmpty()) {
            m.append("it reads ").append(reads);
        }
        if (!writes.isEmpty()) {
            m.append(reads.isEmpty() ? "it assigns " : "; it assigns ").append(writes)
                    .append(" (only the worker's copy would change)");
        }
        return m.append(". Pass values to the task instead: as method parameters captured by the lambda,"
                + " e.g. `SerializableCallable<Long> task(int n) { return () -> computeHash(n); }`,"
                + " and return results from the task rather than storing them in variables.").toString();
    }

    /** One notebook variable the task's code uses. */
    record VariableUse(String name, String descriptor, boolean assigned) {
        String defaultValue() {
            return switch (descriptor.charAt(0)) {
                case 'Z' -> "false";
                case 'L', '[' -> "null";
                default -> "0";
            };
        }
    }
}
