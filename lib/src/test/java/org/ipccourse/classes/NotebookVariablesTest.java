package org.ipccourse.classes;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class NotebookVariablesTest {
    private static CellShell cells;

    @BeforeAll
    static void startKernel() {
        cells = TestCells.start();
        cells.run("int rounds = 1000;");
        cells.run("long step(long x) { return x * 31 + 7; }");
    }

    @AfterAll
    static void stopKernel() {
        cells.close();
    }

    private static Object task(String lambda) {
        return cells.value("(org.ipccourse.classes.TestTask<Object>) " + lambda);
    }

    private static List<String> names(Object task) {
        return NotebookVariables.uses(task).stream().map(u -> u.name() + (u.assigned() ? "=" : "")).toList();
    }

    @Test
    void aTaskReadingANotebookVariableIsRefusedWithItsName() {
        Object task = task("() -> step(rounds)");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NotebookVariables.requireNoneUsed(task));
        assertTrue(e.getMessage().contains("`rounds` (0 in a worker)"), e.getMessage());
        assertTrue(e.getMessage().contains("Pass values to the task"), e.getMessage());
    }

    @Test
    void aTaskCallingACellMethodThatReadsANotebookVariableIsRefused() {
        cells.run("String label = \"run\";");
        cells.run("String tag(long x) { return label + x; }");
        cells.run("String tagged(long x) { return tag(step(x)); }");
        assertEquals(List.of("label"), names(task("() -> tagged(3)")));
    }

    @Test
    void aNotebookVariableReadInsideANestedLambdaIsFound() {
        cells.run("double scale = 2.5;");
        Object task = task("() -> java.util.stream.LongStream.range(0, 10).mapToDouble(i -> i * scale).sum()");
        assertEquals(List.of("scale"), names(task));
    }

    @Test
    void aTaskAssigningANotebookVariableIsRefused() {
        cells.run("long lastResult;");
        Object task = task("() -> { lastResult = step(1); return lastResult; }");
        assertEquals(List.of("lastResult=", "lastResult"), names(task));
        String message = assertThrows(IllegalArgumentException.class, () -> NotebookVariables.requireNoneUsed(task)).getMessage();
        assertTrue(message.contains("assigns `lastResult` (only the worker's copy would change)"), message);
    }

    @Test
    void anInstanceOfACellClassReadingANotebookVariableIsRefused() {
        cells.run("class Job implements org.ipccourse.classes.TestTask<Object> { public Object call() { return step(rounds); } }");
        assertEquals(List.of("rounds"), names(cells.value("new Job()")));
    }

    @Test
    void aTaskUsingParametersCellMethodsAndRecordsIsAccepted() {
        cells.run("record Seeded(long seed, long value) {}");
        cells.run("org.ipccourse.classes.TestTask<Object> job(long seed, int n) { return () -> { long v = seed; for (int i = 0; i < n; i++) v = step(v); return new Seeded(seed, v); }; }");
        Object task = cells.value("job(1, rounds)");
        assertDoesNotThrow(() -> NotebookVariables.requireNoneUsed(task));
        assertEquals(List.of(), names(task));
    }

    @Test
    void staticFieldsOfClassesDeclaredInCellsAreOrdinaryPerJvmState() {
        cells.run("class Counter { static int count; static int next() { return ++count; } }");
        assertEquals(List.of(), names(task("() -> Counter.next()")));
    }

    @Test
    void tasksFromCompiledCodeAreNotInspected() {
        TestTask<Integer> compiled = () -> 42;
        assertEquals(List.of(), NotebookVariables.uses(compiled));
        assertDoesNotThrow(() -> NotebookVariables.requireNoneUsed(compiled));
    }

    @Test
    void theSameLambdaSubmittedAgainIsAnsweredFromTheCache() {
        cells.run("org.ipccourse.classes.TestTask<Object> readsRounds() { return () -> rounds; }");
        Object first = cells.value("readsRounds()");
        Object second = cells.value("readsRounds()");
        assertEquals(first.getClass(), second.getClass());
        assertTrue(NotebookVariables.uses(first) == NotebookVariables.uses(second), "one inspection per lambda class");
    }
}
