package org.ipccourse.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When a worker is given the class-data archive: one of this JVM, beside the worker jar, newer than it. */
class WorkerArchiveTest {
    @TempDir
    Path dir;

    @Test
    void anArchiveNewerThanTheWorkerJarIsGivenToTheWorker() throws IOException {
        Path jar = Files.createFile(dir.resolve("ipc-course-lib-worker.jar"));
        Path archive = WorkerArchive.archiveFor(jar);
        assertEquals(dir, archive.getParent());
        assertTrue(archive.getFileName().toString().startsWith("ipc-course-lib-worker."), archive.toString());
        assertEquals(List.of(), WorkerArchive.options(jar), "no archive yet");
        Files.createFile(archive);
        Files.setLastModifiedTime(archive, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 1000));
        assertEquals(List.of("-XX:SharedArchiveFile=" + archive), WorkerArchive.options(jar));
        Files.setLastModifiedTime(archive, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() - 1000));
        assertEquals(List.of(), WorkerArchive.options(jar), "an archive older than the jar is stale");
        assertEquals(List.of(), WorkerArchive.options(null), "no worker jar, no archive");
    }

    @Test
    void theArchiveCanBeTurnedOff() throws IOException {
        Path jar = Files.createFile(dir.resolve("ipc-course-lib-worker.jar"));
        Path archive = Files.createFile(WorkerArchive.archiveFor(jar));
        Files.setLastModifiedTime(archive, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 1000));
        System.setProperty(WorkerArchive.PROPERTY, "false");
        try {
            assertEquals(List.of(), WorkerArchive.options(jar));
        } finally {
            System.clearProperty(WorkerArchive.PROPERTY);
        }
        assertEquals(List.of("-XX:SharedArchiveFile=" + archive), WorkerArchive.options(jar));
    }

    @Test
    void archivesOfAnotherJvmHaveAnotherName() {
        Path jar = dir.resolve("ipc-course-lib-worker.jar");
        String vm = System.getProperty("java.vm.version");
        try {
            System.setProperty("java.vm.version", "99.0.1+2");
            Path other = WorkerArchive.archiveFor(jar);
            System.setProperty("java.vm.version", vm);
            assertTrue(!other.equals(WorkerArchive.archiveFor(jar)), other + " is this JVM's name too");
        } finally {
            System.setProperty("java.vm.version", vm);
        }
    }
}
