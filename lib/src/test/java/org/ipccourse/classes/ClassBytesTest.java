package org.ipccourse.classes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.WeakReference;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ClassBytesTest {
    private static CellShell cells;

    @BeforeAll
    static void startKernel() {
        cells = TestCells.start();
    }

    @AfterAll
    static void stopKernel() {
        cells.close();
    }

    @Test
    void agentRunsInTheTestJvmAndSharesItsRegistryWithClassBytes() {
        assertTrue(CellClassAgent.installed(),
                "the test JVM must run with -javaagent:target/ipc-course-lib-agent.jar (surefire argLine)");
    }

    @Test
    void findReturnsTheClassFileOfEveryClassACellLoaderDefinedFromMemory() {
        cells.run("long hashOf(long x) { return x * 0x9E3779B97F4A7C15L; }");
        cells.run("record Point(int x, int y) {}");
        Map<String, byte[]> defined = cells.definedClasses();
        assertTrue(defined.keySet().stream().anyMatch(n -> n.matches("REPL\\.\\$JShell\\$\\d+\\$Point")), defined.keySet().toString());
        for (Map.Entry<String, byte[]> c : defined.entrySet()) {
            String resource = c.getKey().replace('.', '/') + ".class";
            assertNull(cells.loader().getResource(resource), "the cell loader, like JJava's, serves no class files");
            byte[] found = ClassBytes.find(c.getKey(), cells.loader()).orElseThrow(
                    () -> new AssertionError("no bytes for " + c.getKey()));
            TestCells.assertSameBytes(c.getValue(), found, c.getKey());
        }
    }

    @Test
    void findReadsClassesOfJarsAndDirectoriesAsResources() throws Exception {
        byte[] fromJar = ClassBytes.find("org.junit.jupiter.api.Test", null).orElseThrow();
        try (var in = Test.class.getResourceAsStream("Test.class")) {
            TestCells.assertSameBytes(in.readAllBytes(), fromJar, "a class from a jar");
        }
        assertTrue(ClassBytes.find("org.ipccourse.classes.NoSuchClass", cells.loader()).isEmpty());
    }

    @Test
    void findAsksTheParentsOfTheGivenLoaderToo() {
        cells.run("int twice(int x) { return 2 * x; }");
        String name = cells.definedClasses().keySet().iterator().next();
        ClassLoader child = new ClassLoader(cells.loader()) { };
        TestCells.assertSameBytes(cells.definedClasses().get(name), ClassBytes.find(name, child).orElseThrow(), name);
    }

    @Test
    void aTaskFromCellsRunsInALoaderThatHasOnlyTheShippedBytes() throws Exception {
        cells.run("long mix(long x) { return (x ^ (x >>> 31)) * 0xBF58476D1CE4E5B9L; }");
        cells.run("record Digest(long seed, long value) {}");
        cells.run("Digest digest(long seed) { long v = seed; for (int i = 0; i < 10; i++) v = mix(v); return new Digest(seed, v); }");
        Callable<?> task = cells.value("(org.ipccourse.classes.TestTask<Digest>) () -> digest(42)");
        Object inKernel = task.call();

        ShippedClassLoader worker = new ShippedClassLoader(cells.loader());
        Callable<?> received = (Callable<?>) worker.receive(task);
        Object inWorker = received.call();

        assertSame(worker, inWorker.getClass().getClassLoader(), "the record was defined from shipped bytes");
        assertNotSame(inKernel.getClass(), inWorker.getClass());
        assertEquals(inKernel.toString(), inWorker.toString());
        assertTrue(worker.shipped.size() >= 3, "the lambda's class, digest, mix and the record: " + worker.shipped);
    }

    @Test
    void aRedefinedMethodIsShippedUnderANewNameAndNewLambdasUseIt() throws Exception {
        cells.run("long scramble(long x) { return x + 1; }");
        Callable<?> before = cells.value("(org.ipccourse.classes.TestTask<Long>) () -> scramble(10)");
        cells.run("long scramble(long x) { return x * 100; }");
        Callable<?> after = cells.value("(org.ipccourse.classes.TestTask<Long>) () -> scramble(10)");

        ShippedClassLoader worker = new ShippedClassLoader(cells.loader());
        assertEquals(11L, ((Callable<?>) worker.receive(before)).call(), "an old lambda keeps the old definition");
        assertEquals(1000L, ((Callable<?>) worker.receive(after)).call(), "a new lambda calls the new definition");
        assertNotEquals(before.getClass().getName(), after.getClass().getName());
    }

    @Test
    void aNotebookVariableHoldsItsDefaultValueWhereTheCellClassesAreShipped() throws Exception {
        cells.run("int width = 640;");
        cells.run("String unit = \"px\";");
        Callable<?> task = cells.value("(org.ipccourse.classes.TestTask<String>) () -> width + unit");
        assertEquals("640px", task.call());
        assertEquals("0null", ((Callable<?>) new ShippedClassLoader(cells.loader()).receive(task)).call(),
                "a shipped class has the variables' default values, which is why workers rewrite such reads into fetches from the kernel (NotebookState)");
    }

    @Test
    void recordedClassesDoNotKeepTheirLoaderAlive() throws Exception {
        WeakReference<ClassLoader> loader;
        try (CellShell shortLived = TestCells.start()) {
            shortLived.run("int unused(int x) { return x; }");
            assertFalse(shortLived.definedClasses().isEmpty());
            String name = shortLived.definedClasses().keySet().iterator().next();
            assertTrue(ClassBytes.find(name, shortLived.loader()).isPresent());
            loader = new WeakReference<>(shortLived.loader());
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (loader.get() != null && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        assertNull(loader.get(), "the cell loader is still reachable after its shell closed");
    }

    @Test
    void jshellsOwnLocalLoaderIsServedToo() throws Exception {
        try (jdk.jshell.JShell shell = jdk.jshell.JShell.builder().executionEngine("local").build()) {
            shell.addToClasspath(String.join(java.io.File.pathSeparator, TestCells.classPath()));
            shell.eval("long cube(long x) { return x * x * x; }");
            var events = shell.eval("org.ipccourse.classes.Handoff.value = (org.ipccourse.classes.TestTask<Long>) () -> cube(7);");
            assertNull(events.get(0).exception());
            Object task = Handoff.value;
            Handoff.value = null;
            assertNotNull(task);
            ShippedClassLoader worker = new ShippedClassLoader(task.getClass().getClassLoader());
            assertEquals(343L, ((Callable<?>) worker.receive(task)).call());
        }
    }
}
