package org.ipccourse.classes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.RecordComponent;
import java.util.List;
import java.util.concurrent.Callable;
import org.ipccourse.pool.ProcessPool;
import org.ipccourse.pool.SerializableCallable;
import org.ipccourse.pool.SerializableFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Code typed into cells runs in worker JVMs: the kernel stand-in with the agent, and a real pool. */
class CellCodeInWorkersTest {
    private static final long KERNEL_PID = ProcessHandle.current().pid();
    private static CellShell cells;
    private static ProcessPool pool;

    @BeforeAll
    static void start() {
        cells = TestCells.start();
        pool = ProcessPool.builder().workers(1).workerJvmOptions(List.of("-Xmx64m")).build();
        cells.run("long mix(long x) { x ^= x >>> 33; x *= 0xFF51AFD7ED558CCDL; return x ^ (x >>> 33); }");
        cells.run("long computeHash(long seed, int rounds) { long h = seed; for (int i = 0; i < rounds; i++) h = mix(h + i); return h; }");
    }

    @AfterAll
    static void stop() {
        pool.close();
        cells.close();
    }

    private static long[] pidAndHash(String task) throws Exception {
        SerializableCallable<long[]> t = cells.value("(org.ipccourse.pool.SerializableCallable<long[]>) " + task);
        return pool.submit(t).get();
    }

    @Test
    void aLambdaCallingACellMethodThatCallsAnotherCellsMethodRunsInAWorker() throws Exception {
        long[] answer = pidAndHash("() -> new long[] {ProcessHandle.current().pid(), computeHash(7, 1000)}");
        long expected = cells.<Long>value("computeHash(7, 1000)");
        assertNotEquals(KERNEL_PID, answer[0], "the task ran in the kernel's own process");
        assertTrue(pool.workerPids().contains(answer[0]), "the task ran outside the pool's workers");
        assertEquals(expected, answer[1], "the worker computed another hash than the kernel");
    }

    @Test
    void recordsDefinedInCellsTravelAsArgumentsAndResults() throws Exception {
        cells.run("record Job(long seed, int rounds) implements java.io.Serializable {}");
        cells.run("record Hashed(Job job, long hash, long pid) implements java.io.Serializable {}");
        SerializableFunction<Object, Object> fn = cells.value(
                "(org.ipccourse.pool.SerializableFunction<Job, Hashed>) j -> new Hashed(j, computeHash(j.seed(), j.rounds()), ProcessHandle.current().pid())");
        List<Object> jobs = cells.value("java.util.List.of(new Job(1, 10), new Job(2, 20), new Job(3, 30))");

        List<Object> results = pool.map(fn, jobs);

        assertEquals(3, results.size());
        for (int i = 0; i < 3; i++) {
            Object r = results.get(i);
            assertEquals("Hashed", r.getClass().getSimpleName());
            assertSame(cells.loader(), r.getClass().getClassLoader(), "results come back as the kernel's own record class");
            assertEquals(jobs.get(i), component(r, "job"));
            long seed = i + 1;
            assertEquals(cells.<Long>value("computeHash(" + seed + ", " + 10 * seed + ")"), component(r, "hash"));
            assertNotEquals(KERNEL_PID, component(r, "pid"));
        }
    }

    @Test
    void redefiningAMethodAndRecreatingTheLambdaUsesTheNewDefinitionInTheWorker() throws Exception {
        cells.run("long score(long x) { return x + 1; }");
        Callable<Long> before = cells.value("(org.ipccourse.pool.SerializableCallable<Long>) () -> score(41)");
        assertEquals(42L, pool.submit(before).get());

        cells.run("long score(long x) { return x * 1000; }");
        Callable<Long> after = cells.value("(org.ipccourse.pool.SerializableCallable<Long>) () -> score(41)");
        assertEquals(41_000L, pool.submit(after).get(), "the worker kept the old definition");
        assertEquals(42L, pool.submit(before).get(), "a lambda made before the change keeps the old method, as in the kernel");
    }

    private static Object component(Object record, String name) throws ReflectiveOperationException {
        for (RecordComponent c : record.getClass().getRecordComponents()) {
            if (c.getName().equals(name)) {
                var accessor = c.getAccessor();
                accessor.setAccessible(true);
                return accessor.invoke(record);
            }
        }
        throw new AssertionError(record.getClass() + " has no component " + name);
    }
}
