package org.ipccourse.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The worker's class path: the worker jar first and the library jar (with its manifest's jars) last. */
class WorkerClassPathTest {
    @TempDir
    Path dir;

    private static String path(Path... entries) {
        return String.join(File.pathSeparator, List.of(entries).stream().map(Path::toString).toList());
    }

    @Test
    void theWorkerJarComesFirstAndTheLibraryJarLast() throws IOException {
        Path lib = Files.createFile(dir.resolve("ipc-course-lib.jar"));
        Path worker = Files.createFile(dir.resolve("ipc-course-lib-worker.jar"));
        Files.setLastModifiedTime(worker, FileTime.fromMillis(Files.getLastModifiedTime(lib).toMillis() + 1000));
        Path app = dir.resolve("app.jar");
        Path classes = dir.resolve("classes");
        assertEquals(path(worker, app, classes, lib), WorkerLauncher.classPath(lib, path(app, lib, classes)));
        assertEquals(path(worker, app, lib), WorkerLauncher.classPath(lib, path(app)));
    }

    @Test
    void aWorkerJarOlderThanTheLibraryJarIsNotUsed() throws IOException {
        Path lib = Files.createFile(dir.resolve("ipc-course-lib.jar"));
        Path worker = Files.createFile(dir.resolve("ipc-course-lib-worker.jar"));
        Files.setLastModifiedTime(worker, FileTime.fromMillis(Files.getLastModifiedTime(lib).toMillis() - 1000));
        Path app = dir.resolve("app.jar");
        assertEquals(path(lib, app), WorkerLauncher.classPath(lib, path(app, lib)));
    }

    @Test
    void withoutAWorkerJarThePoolClassesComeFirstAndEntriesAreAbsolute() throws IOException {
        Path lib = Files.createFile(dir.resolve("ipc-course-lib.jar"));
        String relative = "some/relative/dir";
        assertEquals(path(lib, Path.of(relative).toAbsolutePath()), WorkerLauncher.classPath(lib, relative + File.pathSeparator + lib));
        Path classes = Files.createDirectory(dir.resolve("target-classes"));
        assertEquals(path(classes, lib), WorkerLauncher.classPath(classes, path(lib)));
    }
}
