package org.ipccourse.pool;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.ipccourse.wire.ChunkedBytes;
import org.ipccourse.wire.Frame;
import org.ipccourse.wire.FrameDecoder;
import org.ipccourse.wire.FrameEncoder;
import org.ipccourse.wire.MessageType;

/**
 * Owner side of one worker JVM: the process, the encoder for its standard input, a reader thread
 * for its standard output (the protocol) and one that copies its standard error. Fields marked
 * "guarded" belong to the {@link Scheduler}'s lock.
 */
final class WorkerHandle {
    private static final int STDERR_LINES_KEPT = 12;

    final int number;
    final Process process;
    private final FrameEncoder encoder;
    private final Scheduler scheduler;
    private final Deque<String> stderrTail = new ArrayDeque<>();
    private final Thread reader;
    private final Thread stderrPump;

    // guarded by the scheduler
    final Deque<TaskFuture<?>> inFlight = new ArrayDeque<>();
    int sent;
    boolean ready;
    boolean retiring;
    /** The worker announced it will exit (it reported an OutOfMemoryError): nothing it holds has started. */
    boolean expectExit;
    boolean exited;

    WorkerHandle(int number, List<String> command, Scheduler scheduler) throws IOException {
        this.number = number;
        this.scheduler = scheduler;
        this.process = new ProcessBuilder(command).start();
        this.encoder = new FrameEncoder(process.getOutputStream());
        this.reader = daemon(this::readProtocol, "ipc-pool-reader-" + number);
        this.stderrPump = daemon(this::pumpStderr, "ipc-pool-stderr-" + number);
    }

    /** Starts the reader threads; call once, after the scheduler has registered this worker. */
    void start() {
        reader.start();
        stderrPump.start();
        process.onExit().thenRun(() -> {
            try {
                reader.join(1000); // the reader normally sees end of file first and reports the exit
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            scheduler.workerExited(this, null);
        });
    }

    private static Thread daemon(Runnable body, String name) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        return t;
    }

    long pid() {
        return process.pid();
    }

    void send(MessageType type, long id, byte[] payload) throws IOException {
        encoder.write(type, id, payload);
    }

    void send(MessageType type, long id, ChunkedBytes payload) throws IOException {
        encoder.write(type, id, payload);
    }

    /** End of file on the worker's standard input: the worker halts. */
    void closeInput() {
        try {
            encoder.close();
        } catch (IOException e) {
            // already gone
        }
    }

    void kill() {
        closeInput();
        process.destroyForcibly();
    }

    private void readProtocol() {
        FrameDecoder decoder = new FrameDecoder(process.getInputStream());
        String problem = null;
        try {
            for (Frame f; (f = decoder.read()) != null; ) {
                switch (f.type()) {
                    case RESULT -> scheduler.answered(this, f.id(), f.payload(), false);
                    case FAILURE -> scheduler.answered(this, f.id(), f.payload(), true);
                    case SKIPPED -> scheduler.skipped(this, f.id());
                    case OUTPUT -> print(f.id() == 2 ? System.err : System.out, f.payload());
                    case CLASS_REQUEST -> scheduler.serveClass(this, f.id(), f.payload());
                    case READY -> scheduler.ready(this);
                    case INIT_FAILED -> scheduler.initFailed(this, f.payload());
                    default -> throw new IOException("unexpected " + f.type() + " frame from worker " + number);
                }
            }
        } catch (IOException | RuntimeException e) {
            problem = e.getMessage(); // e.g. a JVM crash report printed to fd 1; the exit status comes next
        }
        scheduler.workerExited(this, problem);
    }

    private static void print(PrintStream out, byte[] bytes) {
        out.write(bytes, 0, bytes.length);
        out.flush();
    }

    private void pumpStderr() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getErrorStream(), Charset.defaultCharset()))) {
            for (String line; (line = in.readLine()) != null; ) {
                System.err.println("[worker " + number + "] " + line);
                synchronized (stderrTail) {
                    if (stderrTail.size() == STDERR_LINES_KEPT) {
                        stderrTail.removeFirst();
                    }
                    stderrTail.addLast(line);
                }
            }
        } catch (IOException e) {
            // the worker is gone
        }
    }

    /** Waits (at most about a second) for the exit status and the rest of the worker's stderr. */
    int awaitExitStatus() {
        try {
            if (!process.waitFor(1, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(1, TimeUnit.SECONDS);
            }
            stderrPump.join(300);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return process.isAlive() ? -1 : process.exitValue();
    }

    /** What the worker last wrote to its standard error, and its crash report if there is one. */
    String lastWords() {
        StringBuilder text = new StringBuilder();
        synchronized (stderrTail) {
            if (!stderrTail.isEmpty()) {
                text.append("; last lines on its standard error:\n  ").append(String.join("\n  ", stderrTail));
            }
        }
        Path crash = Path.of(System.getProperty("java.io.tmpdir"), "ipc-pool-worker-hs_err_pid" + pid() + ".log");
        if (Files.exists(crash)) {
            text.append("; crash report: ").append(crash);
        }
        return text.toString();
    }

    @Override
    public String toString() {
        return "worker " + number + " (pid " + pid() + ")";
    }
}
