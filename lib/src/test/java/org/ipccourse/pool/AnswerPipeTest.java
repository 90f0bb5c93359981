package org.ipccourse.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a spinning worker asks of its output pipe ({@link WorkerMain#answerUnread}): whether the
 * bytes it wrote are still there. A child JVM writes to a pipe nobody reads yet and reports what
 * it sees before and after the write. Linux's behaviour, which the course's machines have;
 * elsewhere the worker cannot tell, and spins its full time.
 */
class AnswerPipeTest {
    /** The child: "before after" on standard error, then exits; standard output is the pipe under test. */
    public static void main(String[] args) throws Exception {
        boolean before = WorkerMain.answerUnread();
        FileOutputStream out = new FileOutputStream(FileDescriptor.out);
        out.write(new byte[100]);
        out.flush();
        boolean after = WorkerMain.answerUnread();
        System.err.println(before + " " + after);
    }

    @Test
    @Timeout(60)
    void aWorkerSeesTheBytesItWroteUntilTheyAreRead() throws Exception {
        Process child = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-cp", System.getProperty("java.class.path"), AnswerPipeTest.class.getName()).start();
        try {
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the child did not exit");
            String seen = new String(child.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertEquals("false true", seen, "unread answer before and after a write nobody read");
            assertEquals(100, child.getInputStream().readAllBytes().length);
        } finally {
            child.destroyForcibly();
        }
    }
}
