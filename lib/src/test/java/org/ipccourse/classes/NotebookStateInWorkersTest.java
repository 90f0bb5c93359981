package org.ipccourse.classes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.ipccourse.pool.ProcessPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Notebook state and cell lambdas in workers, at the JShell level: every cell below is typed as a
 * notebook user would type it, the pool is created in a cell, and answers are compared with the
 * kernel's. Each "silently wrong" case of the past (reads behind interface calls, anonymous
 * classes, lambdas in lambdas, static fields of cell classes) has its test.
 */
@Timeout(120)
class NotebookStateInWorkersTest {
    private static final long KERNEL_PID = ProcessHandle.current().pid();
    private static CellShell cells;
    private static ProcessPool pool;

    @BeforeAll
    static void start() {
        List<String> classPath = new ArrayList<>(TestCells.classPath());
        classPath.add(CellShell.location(tech.tablesaw.api.Table.class));
        cells = new CellShell(classPath);
        cells.run("import java.util.*;");
        cells.run("import java.util.concurrent.*;");
        cells.run("import org.ipccourse.pool.*;");
        cells.run("ProcessPool pool = ProcessPool.builder().workers(1).workerJvmOptions(List.of(\"-Xmx64m\")).build();");
        pool = cells.value("pool");
        // What a failing task threw, as "class: message", or "no failure".
        cells.run("String failure(Callable<?> c) { try { c.call(); return \"no failure\"; } catch (Throwable t) {"
                + " Throwable x = t instanceof ExecutionException ? t.getCause() : t;"
                + " return x.getClass().getName() + \": \" + x.getMessage(); } }");
    }

    @AfterAll
    static void stop() {
        pool.close();
        cells.close();
    }

    private static <T> T inKernel(String expression) {
        return cells.value(expression);
    }

    @Test
    void aTopLevelVariableTravelsToMapAsWithThreads() {
        cells.run("int k = 5;");
        long readsBefore = pool.notebookStateReads();
        long bytesBefore = pool.notebookStateBytesSent();
        assertEquals(List.of(5, 10, 15), inKernel("pool.map(x -> x * k, List.of(1, 2, 3))"));
        assertTrue(pool.notebookStateReads() > readsBefore, "the read of k was not counted");
        assertTrue(pool.notebookStateBytesSent() > bytesBefore, "the bytes of k were not counted");

        cells.run("k = 6;");
        assertEquals(List.of(6, 12, 18), inKernel("pool.map(x -> x * k, List.of(1, 2, 3))"),
                "a new task sees the value the kernel holds now");
        cells.run("int copy = k;");
        assertEquals(12, (int) inKernel("pool.submit(() -> copy * 2).get()"));
    }

    @Test
    void readsBehindInterfaceCallsAnonymousClassesAndNestedLambdasGetTheKernelsValue() {
        cells.run("int factor = 10;");
        cells.run("interface Scale { int apply(int x); }");
        cells.run("class ByFactor implements Scale, java.io.Serializable { public int apply(int x) { return x * factor; } }");
        cells.run("Scale viaInterface = new ByFactor();");
        cells.run("Scale viaLambda = x -> x * factor;");
        cells.run("int readFactor() { return factor; }");
        assertEquals(10, (int) inKernel("pool.submit(() -> viaInterface.apply(1)).get()"), "interface call");
        assertEquals(20, (int) inKernel("pool.submit(() -> ((Scale) new ByFactor()).apply(2)).get()"), "virtual call");
        assertEquals(100, (int) inKernel("pool.submit(() -> viaLambda.apply(10)).get()"), "a lambda held by a variable");
        assertEquals(10, (int) inKernel("pool.submit(() -> readFactor()).get()"), "cell method");
        assertEquals(100, (int) inKernel("pool.submit(() -> new Object() { int get() { return factor * 10; } }.get()).get()"),
                "anonymous class");
        assertEquals(30, (int) inKernel("pool.submit(() -> java.util.stream.IntStream.of(1, 2).map(x -> x * factor).sum()).get()"),
                "lambda inside a lambda");
        cells.run("java.util.function.IntSupplier inner = () -> factor;");
        assertEquals(10, (int) inKernel("pool.submit(() -> inner.getAsInt()).get()"), "a lambda captured by a lambda");
    }

    @Test
    void staticFieldsOfCellClassesHoldWhatTheKernelSet() {
        cells.run("class Config { static int level = 1; static List<String> names = new ArrayList<>(); }");
        cells.run("Config.level = 42;");
        cells.run("Config.names.add(\"alice\");");
        assertEquals("level=42 names=[alice]", inKernel("pool.submit(() -> \"level=\" + Config.level + \" names=\" + Config.names).get()"));
        cells.run("enum Color { RED, GREEN }");
        assertEquals("GREEN", inKernel("pool.submit(() -> Color.values()[1].name()).get()"), "enum constants stay the worker's own");
    }

    @Test
    void assigningNotebookStateInAWorkerFailsSayingToReturnTheValue() {
        cells.run("int counter = 0;");
        String failure = inKernel("failure(() -> pool.submit(() -> { counter++; return counter; }).get())");
        assertTrue(failure.startsWith(NotebookStateException.class.getName()), failure);
        assertTrue(failure.contains("notebook variable `counter`") && failure.contains("Return the value"), failure);
        assertEquals(0, (int) inKernel("counter"));
        runCodeExamplesIn(failure);
    }

    @Test
    void aStaticFieldOfACellClassIsPerWorkerStateOnceTheWorkerAssignsIt() {
        cells.run("class Tally { static int n = 7; static final List<Integer> seen = new ArrayList<>(); }");
        assertEquals(7, (int) inKernel("pool.submit(() -> Tally.n).get()"), "first read: the kernel's value");
        assertEquals(3, (int) inKernel("pool.submit(() -> { Tally.n = 3; return Tally.n; }).get()"));
        assertEquals(3, (int) inKernel("pool.submit(() -> Tally.n).get()"), "the worker keeps what it assigned");
        assertEquals(7, (int) inKernel("Tally.n"), "the kernel's field is untouched");
        cells.run("for (int i = 0; i < 2; i++) pool.submit(() -> Tally.seen.add(1)).get();");
        assertEquals(2, (int) inKernel("pool.submit(() -> Tally.seen.size()).get()"), "a worker's own list grows across tasks");
        assertEquals(0, (int) inKernel("Tally.seen.size()"));
    }

    @Test
    void aStaticFieldTheKernelAssignsAfterAWorkerReadItReachesTheNextTask() {
        cells.run("class Setting { static int level = 1; }");
        assertEquals(1, (int) inKernel("pool.submit(() -> Setting.level).get()"), "the worker fetches 1");
        cells.run("Setting.level = 42;");
        assertEquals(42, (int) inKernel("pool.submit(() -> Setting.level).get()"), "not the worker's old copy");
        cells.run("Setting.level = 43;");
        assertEquals(List.of(43, 43), inKernel("pool.map(x -> Setting.level, List.of(1, 2))"), "map carries the epoch too");
        cells.run("Setting.level = 44;");
        assertEquals(44, (int) inKernel("pool.imap(x -> Setting.level, List.of(1)).next()"), "imap carries the epoch too");
    }

    @Test
    void aChangeToTheContentsOfAStaticFieldInALaterCellReachesTheWorkers() {
        cells.run("class Roster { static final List<String> names = new ArrayList<>(); static final int[] counts = new int[2]; }");
        assertEquals("[] 0", inKernel("pool.submit(() -> Roster.names + \" \" + Roster.counts[1]).get()"));
        cells.run("Roster.names.add(\"alice\");");
        cells.run("Roster.counts[1] = 5;");
        assertEquals("[alice] 5", inKernel("pool.submit(() -> Roster.names + \" \" + Roster.counts[1]).get()"));
        long reads = pool.notebookStateReads();
        assertEquals("[alice] 5", inKernel("pool.submit(() -> Roster.names + \" \" + Roster.counts[1]).get()"));
        assertEquals(reads, pool.notebookStateReads(), "unchanged contents are not fetched again");
    }

    @Test
    void aChangeToTheContentsOfAStaticFieldBetweenTwoSubmitsOfOneCellReachesEachTask() {
        cells.run("class Ledger { static final List<String> names = new ArrayList<>(); static final long[] counts = new long[1000]; }");
        cells.run("String ledger() { return Ledger.names.size() + \" \" + Ledger.counts[999]; }");
        assertEquals("0 0", inKernel("pool.submit(() -> ledger()).get()"), "the worker now holds both fields");
        cells.run("List<String> ledgerSeen = new ArrayList<>();");
        // One cell: no class is defined between its submits, and no static field is assigned.
        cells.run("for (int i = 1; i <= 3; i++) {"
                + " Ledger.names.add(\"n\" + i); Ledger.counts[999] = i;"
                + " ledgerSeen.add(ledger() + \" / \" + pool.submit(() -> ledger()).get());"
                + " Ledger.counts[999] += 10;"
                + " ledgerSeen.add(ledger() + \" / \" + pool.map(x -> ledger(), List.of(1)).get(0));"
                + " Ledger.names.add(\"m\" + i);"
                + " ledgerSeen.add(ledger() + \" / \" + pool.invokeAll(List.of(() -> ledger())).get(0).get());"
                + " }");
        List<String> seen = inKernel("ledgerSeen");
        assertEquals(9, seen.size(), seen.toString());
        for (String pair : seen) {
            String[] kernelAndWorker = pair.split(" / ");
            assertEquals(kernelAndWorker[0], kernelAndWorker[1], "kernel / worker in " + seen);
        }
        assertEquals("6 13", seen.get(8).split(" / ")[1]);
    }

    @Test
    void aStaticFieldChangedByACellMethodInTheKernelReachesTheNextTask() {
        cells.run("class Limits { static int max = 1; static void setMax(int m) { max = m; } }");
        cells.run("void raiseTo(int m) { Limits.max = m; }");
        assertEquals(1, (int) inKernel("pool.submit(() -> Limits.max).get()"));
        cells.run("raiseTo(7);");
        assertEquals(7, (int) inKernel("pool.submit(() -> Limits.max).get()"), "set by a top-level method");
        cells.run("Limits.setMax(8);");
        assertEquals(8, (int) inKernel("pool.submit(() -> Limits.max).get()"), "set by the class's own method");
    }

    @Test
    void aWorkersOwnCacheLastsWhileTheKernelAssignsNoStaticFieldAndIsDroppedWhenItDoes() {
        cells.run("class Memo { static Map<Integer, Long> seen = new HashMap<>(); }");
        cells.run("int remember(int x) { Memo.seen.computeIfAbsent(x, k -> (long) k * k); return Memo.seen.size(); }");
        assertEquals(1, (int) inKernel("pool.submit(() -> remember(1)).get()"));
        long reads = pool.notebookStateReads();
        assertEquals(2, (int) inKernel("pool.submit(() -> remember(2)).get()"));
        cells.run("int unrelated = 5;"); // a top-level variable: workers fetch those per task anyway
        cells.run("unrelated = 6;");
        assertEquals(3, (int) inKernel("pool.submit(() -> remember(3)).get()"), "the worker's cache grows across tasks");
        assertEquals(reads, pool.notebookStateReads(), "the cache was fetched again");
        assertEquals(0, (int) inKernel("Memo.seen.size()"), "the kernel's map is untouched");
        cells.run("Memo.seen = new HashMap<>(Map.of(10, 100L));");
        assertEquals(2, (int) inKernel("pool.submit(() -> remember(4)).get()"), "the kernel's new map, not the worker's old one");
    }

    @Test
    void aWorkersOwnAssignmentGivesWayToTheKernelsNextAssignment() {
        cells.run("class Dial { static int n = 7; static int other; }");
        assertEquals(3, (int) inKernel("pool.submit(() -> { Dial.n = 3; return Dial.n; }).get()"));
        assertEquals(3, (int) inKernel("pool.submit(() -> Dial.n).get()"), "kept while the kernel assigns nothing");
        cells.run("Dial.other = 1;"); // any static field of a cell class: a new epoch
        assertEquals(7, (int) inKernel("pool.submit(() -> Dial.n).get()"), "the kernel's value again");
    }

    @Test
    void aStaticFinalTableBuiltByItsInitializerIsNotFetchedForEveryTask() {
        cells.run("class Squares { static final long[] TABLE = new long[1000];"
                + " static { for (int i = 0; i < TABLE.length; i++) TABLE[i] = (long) i * i; } }");
        long before = pool.notebookStateReads();
        assertEquals(144L, (long) inKernel("pool.submit(() -> Squares.TABLE[12]).get()"));
        assertEquals(1, pool.notebookStateReads() - before, "the first task fetches the table once");
        for (int i = 0; i < 5; i++) {
            assertEquals((long) i * i, (long) inKernel("pool.submit(() -> Squares.TABLE[" + i + "] + Squares.TABLE.length * 0).get()"));
        }
        assertEquals(144L, (long) inKernel("pool.map(i -> Squares.TABLE[i], List.of(12)).get(0)"));
        assertEquals(1, pool.notebookStateReads() - before, "later tasks read the worker's copy");
    }

    @Test
    void whatThePoolsInitializerAssignsStaysTheWorkersOwn() {
        cells.run("class Prepared { static long[] table; static int unrelated; }");
        cells.run("ProcessPool prepared = ProcessPool.builder().workers(1).workerJvmOptions(List.of(\"-Xmx64m\"))"
                + ".initializer(() -> { Prepared.table = new long[] {4, 5}; }).build();");
        try {
            assertEquals(2, (int) inKernel("prepared.submit(() -> Prepared.table.length).get()"));
            cells.run("Prepared.unrelated = 1;");
            assertEquals(2, (int) inKernel("prepared.submit(() -> Prepared.table.length).get()"),
                    "a new epoch does not undo the initializer");
        } finally {
            cells.run("prepared.close();");
        }
    }

    @Test
    void aNotSerializableVariableGivesOneClearErrorAndThePoolGoesOn() {
        cells.run("Scanner sc = new Scanner(\"a b\");");
        String scanner = inKernel("failure(() -> pool.submit(() -> sc.hasNext()).get())");
        assertTrue(scanner.contains("notebook variable `sc` (a java.util.Scanner)"), scanner);
        assertTrue(scanner.contains("java.util.Scanner is not Serializable"), scanner);
        assertFalse(scanner.contains("implements java.io.Serializable"), "advice that cannot be followed: " + scanner);

        cells.run("tech.tablesaw.api.Table table = tech.tablesaw.api.Table.create(\"t\");");
        String table = inKernel("failure(() -> pool.submit(() -> table.rowCount()).get())");
        assertTrue(table.contains("`table` (a tech.tablesaw.api.Table)"), table);
        assertFalse(table.contains("implements java.io.Serializable"), table);

        cells.run("class Holder { Object lock = new Object(); }");
        cells.run("Holder holder = new Holder();");
        String own = inKernel("failure(() -> pool.submit(() -> holder.lock.hashCode()).get())");
        assertTrue(own.contains("Declare that class") || own.contains("it holds a java.lang.Object"), own);
        assertEquals(3, (int) inKernel("pool.submit(() -> 3).get()"), "the pool still runs tasks");
    }

    @Test
    void theOneLineSwitchWorksThroughExecutorServiceTypedVariables() {
        cells.run("ExecutorService ex = pool;");
        long pid = inKernel("ex.submit(() -> ProcessHandle.current().pid()).get()");
        assertNotEquals(KERNEL_PID, pid);
        assertTrue(pool.workerPids().contains(pid));
        assertEquals("no failure", inKernel("failure(() -> ex.submit(() -> System.out.print(\"\")).get())"), "submit(Runnable)");
        cells.run("ex.execute(() -> System.out.print(\"\"));");
        assertEquals(List.of(1, 2), inKernel("ex.invokeAll(List.of(() -> 1, () -> 2)).stream().map(f -> { try { return f.get(); }"
                + " catch (Exception e) { throw new RuntimeException(e); } }).toList()"));
        assertEquals(7, (int) inKernel("ex.invokeAny(List.of(() -> 7))"));
        cells.run("Executor plain = pool;");
        cells.run("plain.execute(() -> System.out.print(\"\"));");
    }

    @Test
    void completableFutureAsyncOnThePoolSaysWhatToWriteInstead() {
        String failure = inKernel("failure(() -> CompletableFuture.supplyAsync(() -> 1, pool).join())");
        assertTrue(failure.startsWith(IllegalArgumentException.class.getName()), failure);
        assertTrue(failure.contains("((ProcessPool) pool).submit("), failure);
        assertFalse(failure.contains("not Serializable. Capture"), "blames a capture: " + failure);
        runCodeExamplesIn(failure);
    }

    @Test
    void anAnonymousClassTaskIsToldToBeALambda() {
        String failure = inKernel("failure(() -> pool.submit(new Callable<Integer>() { public Integer call() { return 1; } }).get())");
        assertTrue(failure.contains("anonymous class") && failure.contains("Write it as a lambda"), failure);
        runCodeExamplesIn(failure);
    }

    @Test
    void aTaskReadingSystemInSeesEndOfInputAtOnce() {
        assertEquals(-1, (int) inKernel("pool.submit(() -> System.in.read()).get(10, TimeUnit.SECONDS)"));
    }

    /** Every `code` span of a message that calls something is run as a cell: it must compile and run. */
    static void runCodeExamplesIn(String message) {
        Matcher m = Pattern.compile("`([^`]+)`").matcher(message);
        int run = 0;
        while (m.find()) {
            String code = m.group(1);
            if (code.contains("(")) {
                cells.run(code.endsWith(";") ? code : code + ";");
                run++;
            }
        }
        assertTrue(run > 0, "no code example in: " + message);
    }
}
