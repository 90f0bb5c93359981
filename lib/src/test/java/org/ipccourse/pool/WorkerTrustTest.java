package org.ipccourse.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Pins what ProcessPool's javadoc says a worker can do to its owner (it isolates faults, not
 * trust) and the one hardening the JDK offers: workers refuse the attach mechanism.
 */
@Timeout(60)
class WorkerTrustTest {
    @RegisterExtension
    static final TwoWorkerPool POOL = new TwoWorkerPool();

    /** The Yama ptrace scope, or -1 without the Yama module. */
    static int ptraceScope() throws IOException {
        Path yama = Path.of("/proc/sys/kernel/yama/ptrace_scope");
        return Files.exists(yama) ? Integer.parseInt(Files.readString(yama).trim()) : -1;
    }

    static boolean runsAsRoot() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/status")).stream()
                .anyMatch(l -> l.matches("Uid:\\s+\\d+\\s+0\\s.*"));
    }

    /** Reads 16 bytes of the owner's first readable mapping through /proc/owner/mem. */
    static int readOwnerMemory(long owner) throws IOException {
        String mapping = Files.readAllLines(Path.of("/proc/" + owner + "/maps")).stream()
                .filter(l -> l.split("\\s+")[1].startsWith("r")).findFirst().orElseThrow();
        long start = Long.parseUnsignedLong(mapping.substring(0, mapping.indexOf('-')), 16);
        try (RandomAccessFile mem = new RandomAccessFile("/proc/" + owner + "/mem", "r")) {
            mem.seek(start);
            return mem.read(new byte[16]);
        }
    }

    @Test
    void aWorkerCanReadItsOwnersMemoryWhereThePtracePolicyAllows() throws Exception {
        long owner = ProcessHandle.current().pid();
        SerializableCallable<String> read = () -> {
            try {
                return "read " + readOwnerMemory(owner);
            } catch (IOException e) {
                return "refused: " + e.getMessage();
            }
        };
        String outcome = POOL.pool().submit(read).get(20, TimeUnit.SECONDS);
        int scope = ptraceScope();
        boolean allowed = scope <= 0 || (runsAsRoot() && scope < 3);
        assertEquals(allowed ? "read 16" : "refused", allowed ? outcome : outcome.split(":")[0],
                "ptrace_scope " + scope + ": " + outcome);
    }

    @Test
    void aWorkerCanAttachToItsOwnerThroughTheAttachApi() throws Exception {
        String owner = Long.toString(ProcessHandle.current().pid());
        SerializableCallable<String> attach = () -> {
            VirtualMachine vm = VirtualMachine.attach(owner);
            try {
                return vm.getSystemProperties().getProperty("java.home");
            } finally {
                vm.detach();
            }
        };
        assertEquals(System.getProperty("java.home"), POOL.pool().submit(attach).get(30, TimeUnit.SECONDS),
                "a worker reads the owner's system properties through the attach API");
    }

    @Test
    void workersRefuseTheAttachMechanism() {
        // read once, when the attach classes load: wait 1 s for a worker's answer, not the default 10 s
        System.setProperty("sun.tools.attach.attachTimeout", "1000");
        long worker = POOL.pool().workerPids().get(0);
        Exception e = assertThrows(Exception.class, () -> VirtualMachine.attach(Long.toString(worker)).detach());
        assertTrue(e instanceof IOException || e instanceof com.sun.tools.attach.AttachNotSupportedException,
                "attaching to a worker should fail, threw " + e);
    }
}
