package org.ipccourse.shm;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One tiny child process per segment directory that deletes this JVM's files the moment this JVM
 * dies, however it dies (SIGKILL included), whether or not any other JVM uses this package later.
 *
 * <p>How it knows: the watchdog is a {@code sh} whose standard input is a pipe from this JVM, on
 * which nothing is ever written. The shell's builtin {@code read} waits on it and sees end of file
 * when the kernel closes this JVM's end, which it does as the process exits: on {@code exit}, on a
 * crash, on SIGKILL. A zombie has closed its files too, so a creator that died but was not reaped
 * counts as dead, unlike {@code ProcessHandle.isAlive()}. The shell then removes every file named
 * {@code ipccourse-<pid>-<start>-*} in the directory and exits; it never outlives its owner for
 * longer than that {@code rm}. Where {@code setsid} exists the watchdog runs in its own session,
 * so that a signal to the kernel's process group (Jupyter kills a kernel that way) spares it.
 *
 * <p>Costs: one {@code sh} per JVM and directory (about 1 MB resident, a few milliseconds to
 * start, no CPU while it waits). Where no {@code sh} can be started, only the sweep in
 * {@link Registry} remains.
 */
final class Watchdog {
    private static final Map<Path, OutputStream> GUARDED = new ConcurrentHashMap<>();
    private static final OutputStream NONE = OutputStream.nullOutputStream();
    /** Reads until end of file (builtins only: no extra process), then deletes the owner's files. */
    static final String SCRIPT = "while read -r _; do :; done; rm -f -- \"$1\"/\"$2\"*";

    private Watchdog() {
    }

    /** Makes sure a watchdog guards this JVM's files in {@code directory}; idempotent. */
    static void guard(Path directory, String ownPrefix) {
        GUARDED.computeIfAbsent(directory.toAbsolutePath(), dir -> start(dir, ownPrefix));
    }

    /** Whether a watchdog was started for {@code directory} (false also if none could start). */
    static boolean guards(Path directory) {
        OutputStream pipe = GUARDED.get(directory.toAbsolutePath());
        return pipe != null && pipe != NONE;
    }

    private static OutputStream start(Path directory, String ownPrefix) {
        List<String> command = new ArrayList<>();
        Path setsid = Paths.get("/usr/bin/setsid");
        if (Files.isExecutable(setsid)) {
            command.add(setsid.toString());
        }
        command.addAll(List.of("/bin/sh", "-c", SCRIPT, "ipccourse-shm-watchdog",
                directory.toString(), ownPrefix));
        try {
            Process process = new ProcessBuilder(command)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            // Kept in GUARDED for the life of the JVM: the pipe must stay open until we die.
            return process.getOutputStream();
        } catch (IOException | UnsupportedOperationException e) {
            return NONE;
        }
    }
}
