package org.ipccourse.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The default pool size follows IPC_COURSE_POOL_WORKERS (a class sharing one machine), else the
 * cores. Each case runs in a child JVM, since a JVM cannot change its own environment.
 */
@Timeout(60)
class DefaultWorkersTest {

    /** Prints the default, then the size of a pool built without a count; or the error's message. */
    public static void main(String[] args) {
        try {
            System.out.print(ProcessPool.defaultWorkers());
            if (args.length > 0) {
                try (ProcessPool pool = ProcessPool.builder().workerJvmOptions(java.util.List.of("-Xmx64m")).build()) {
                    System.out.print(" " + pool.workerPids().size());
                }
            }
        } catch (IllegalStateException e) {
            System.out.print(e.getMessage());
        }
    }

    private static String run(String value, String... args) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(WorkerLauncher.javaCommand(), "-cp", System.getProperty("java.class.path"),
                DefaultWorkersTest.class.getName());
        builder.command().addAll(java.util.List.of(args));
        if (value == null) {
            builder.environment().remove("IPC_COURSE_POOL_WORKERS");
        } else {
            builder.environment().put("IPC_COURSE_POOL_WORKERS", value);
        }
        Process child = builder.redirectErrorStream(true).start();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        child.waitFor(30, TimeUnit.SECONDS);
        return out;
    }

    @Test
    void withoutTheVariableOneWorkerPerCore() throws Exception {
        assertEquals(String.valueOf(Runtime.getRuntime().availableProcessors()), run(null));
    }

    @Test
    void theVariableSetsTheSizeOfAPoolBuiltWithoutACount() throws Exception {
        assertEquals("1 1", run("1", "build"));
        assertEquals("3", run(" 3 "));
    }

    @Test
    void aBadValueSaysWhatToSet() throws Exception {
        for (String bad : new String[] {"0", "-2", "two"}) {
            assertEquals("IPC_COURSE_POOL_WORKERS=" + bad + " is not a positive number of workers;"
                    + " set it to 1 or more, or unset it for one worker per core", run(bad));
        }
    }
}
