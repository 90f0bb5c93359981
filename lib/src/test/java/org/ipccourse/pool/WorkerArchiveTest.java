package org.ipccourse.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The workers' class-data archive: made from the library jar by a training run, named after the
 * jar and the JVM so a changed jar finds none, mapped by the workers, and never fatal when a JVM
 * cannot use an archive it is given.
 */
@Timeout(120)
class WorkerArchiveTest {
    @TempDir
    Path dir;

    /** Run in a child JVM whose class path starts with a library jar: a task in a pool of that jar. */
    public static void main(String[] args) {
        try (ProcessPool pool = ProcessPool.builder().workers(1).workerJvmOptions(List.of(args)).build()) {
            System.out.print(WorkerArchive.options().isEmpty() ? "no archive " : "archive ");
            System.out.print(pool.submit(() -> 6 * 7).join());
        }
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(child.waitFor(90, TimeUnit.SECONDS), "the child JVM did not end: " + out);
        return out;
    }

    /** A copy of the library jar (the agent jar holds the same classes) in the temporary directory. */
    private Path libraryJar() throws IOException {
        Path jar = dir.resolve("ipc-course-lib.jar");
        Files.copy(Path.of("target", "ipc-course-lib-agent.jar"), jar, StandardCopyOption.REPLACE_EXISTING);
        return jar;
    }

    private List<Path> archives() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".jsa")).toList();
        }
    }

    @Test
    void theArchiveIsNamedAfterTheJarSoAChangedJarFindsNone() throws IOException {
        Path jar = Files.write(dir.resolve("lib.jar"), new byte[] {1, 2, 3});
        Path first = WorkerArchive.archiveFor(jar);
        assertEquals(dir, first.getParent());
        assertTrue(first.getFileName().toString().matches("lib\\.worker-[0-9a-f]{8}\\.jsa"), first.toString());
        assertEquals(first, WorkerArchive.archiveFor(jar));
        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 2000));
        assertNotEquals(first, WorkerArchive.archiveFor(jar));
    }

    @Test
    void classDirectoriesGetNoArchive() {
        // the tests load the pool classes from target/classes
        assertEquals(null, WorkerLauncher.libraryJar());
        assertEquals(List.of(), WorkerArchive.options());
    }

    @Test
    void setUpMakesAnArchiveThatWorkersMapAndMakesItOnce() throws Exception {
        Path jar = libraryJar();
        List<String> make = List.of(WorkerLauncher.javaCommand(), "-cp", jar.toString(), WorkerArchive.class.getName());
        String said = run(make);
        assertTrue(said.contains("worker class-data archive"), said);
        assertEquals(List.of(WorkerArchive.archiveFor(jar)), archives());
        assertEquals("", run(make), "a second run finds the archive and does nothing");

        // -Xshare:on: a worker that cannot map the archive does not start, so the task proves it is used.
        String cp = jar + java.io.File.pathSeparator + Path.of("target", "test-classes").toAbsolutePath();
        List<String> byDefault = List.of(WorkerLauncher.javaCommand(), "-cp", cp, WorkerArchiveTest.class.getName());
        assertEquals("no archive 42", run(byDefault), "workers use the archive only when asked to");
        List<String> pool = new ArrayList<>(List.of(WorkerLauncher.javaCommand(), "-D" + WorkerArchive.ON_PROPERTY + "=true",
                "-cp", cp, WorkerArchiveTest.class.getName()));
        assertEquals("archive 42", run(concat(pool, "-Xshare:on")));

        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 2000));
        assertEquals("no archive 42", run(pool), "a changed jar runs without the old archive");
    }

    @Test
    void aWorkerGivenAnArchiveItCannotUseStartsWithout() throws Exception {
        Path garbage = Files.write(dir.resolve("garbage.jsa"), "not an archive".getBytes(StandardCharsets.UTF_8));
        try (ProcessPool pool = ProcessPool.builder().workers(1)
                .workerJvmOptions(List.of("-XX:SharedArchiveFile=" + garbage)).build()) {
            assertEquals(42, pool.submit(() -> 6 * 7).join());
        }
    }

    @Test
    void aWorkersClassPathNamesEveryEntryAbsolutelyWhateverSpellingTheOwnerWasStartedWith() {
        String saved = System.getProperty("java.class.path");
        try {
            System.setProperty("java.class.path", "relative/lib.jar" + java.io.File.pathSeparator + "./classes/../other");
            for (String entry : WorkerLauncher.classPath().split(java.io.File.pathSeparator)) {
                assertTrue(Path.of(entry).isAbsolute() && Path.of(entry).normalize().toString().equals(entry), entry);
            }
            assertTrue(WorkerLauncher.classPath().endsWith(Path.of("other").toAbsolutePath().toString()),
                    WorkerLauncher.classPath());
        } finally {
            System.setProperty("java.class.path", saved);
        }
    }

    private static List<String> concat(List<String> command, String option) {
        List<String> c = new ArrayList<>(command);
        c.add(option);
        return c;
    }
}
