package org.ipccourse.measure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.ipccourse.pool.ProcessPool;
import org.ipccourse.workloads.Workloads;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Table;

class IpcCostTest {
    private static final int MIB = 1024 * 1024;
    static ProcessPool pool;

    record Reading(String sensor, double value) implements Serializable {
    }

    @BeforeAll
    static void startPool() {
        pool = ProcessPool.builder().workers(1).workerJvmOptions(List.of("-Xmx128m")).build();
    }

    @AfterAll
    static void closePool() {
        pool.close();
    }

    @Test
    void measuresEachCopyAndTheMemoryEachSideAllocatedForEveryKindOfPayload() {
        List<Reading> readings = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            readings.add(new Reading("s" + i, i));
        }
        Map<String, Object> payloads = new LinkedHashMap<>();
        payloads.put("double[] 4 MiB", new double[4 * MIB / 8]);
        payloads.put("list(range(50_000))", Workloads.range(50_000));
        payloads.put("string", "x".repeat(100_000));
        payloads.put("records", readings);
        Table t = IpcCost.of(pool).warmup(1).repetitions(3).measure(payloads);
        assertEquals(4, t.rowCount());
        assertTrue(t.columnNames().containsAll(List.of("serialize_ms", "pipe_ms", "deserialize_ms",
                "total_ms", "spread_pct", "serialize_mad_ms", "pipe_mad_ms", "deserialize_mad_ms",
                "owner_alloc_mib", "worker_alloc_mib", "wire_bytes", "payload_bytes")), t.columnNames().toString());
        assertEquals(List.of("double[] 4 MiB", "list(range(50_000))", "string", "records"),
                t.stringColumn("payload").asList());
        Table raw = IpcCost.of(pool).codec(Codec.RAW).warmup(1).repetitions(2)
                .measure("double[] 4 MiB", new double[4 * MIB / 8]);
        assertTrue(raw.doubleColumn("deserialize_ms").get(0) > 0, raw.print());
        for (int row = 0; row < t.rowCount(); row++) {
            assertTrue(t.doubleColumn("serialize_ms").get(row) > 0, t.print());
            assertTrue(t.doubleColumn("deserialize_ms").get(row) > 0, t.print());
            assertTrue(t.longColumn("wire_bytes").get(row) >= t.longColumn("payload_bytes").get(row));
        }
        // the copies of a 4 MiB array: none in the owner (the task goes to an idle worker at once,
        // so its elements go from the array to the pipe), the kernel pipe, and the worker's decoded
        // array, read from the pipe straight into it (no frame of 4 MiB beside it)
        assertTrue(t.doubleColumn("owner_alloc_mib").get(0) < 1, "no copy in the owner: " + t.print());
        assertTrue(t.doubleColumn("worker_alloc_mib").get(0) >= 4, t.print());
        assertTrue(t.doubleColumn("worker_alloc_mib").get(0) <= 4 * 1.2, "one copy in the worker: " + t.print());
        assertTrue(t.longColumn("payload_bytes").get(1) > 50_000 * 4 * 2,
                "boxed integers cost more than twice their 4 bytes: " + t.print());
    }

    @Test
    void sharedMemorySendsOnlyASmallRefAndLeavesNoFile() throws Exception {
        long before = ourFiles();
        for (IpcCost.Transport transport : List.of(IpcCost.Transport.SHARED_MEMORY,
                IpcCost.Transport.SHARED_MEMORY_FRESH)) {
            Table t = IpcCost.of(pool).codec(Codec.RAW).transport(transport).warmup(1).repetitions(2)
                    .measure("double[] 4 MiB", new double[4 * MIB / 8]);
            assertTrue(t.longColumn("payload_bytes").get(0) > 4 * MIB - 1);
            assertTrue(t.longColumn("wire_bytes").get(0) < 2000, t.print());
            assertTrue(t.doubleColumn("worker_alloc_mib").get(0) < 1,
                    "the worker reads the segment in place: " + t.print());
        }
        Table javaOverShm = IpcCost.of(pool).transport(IpcCost.Transport.SHARED_MEMORY)
                .warmup(0).repetitions(1).measure("list", Workloads.range(1000));
        assertEquals(1, javaOverShm.rowCount());
        assertEquals(before, ourFiles(), "every segment was removed");
    }

    @Test
    void aThreadPoolPaysNoCopyOnThePipePath() {
        ExecutorService threads = Executors.newSingleThreadExecutor();
        try {
            Table t = IpcCost.of(threads).codec(Codec.RAW).warmup(0).repetitions(2)
                    .measure("double[]", new double[1000]);
            assertEquals(2, t.intColumn("runs").get(0));
            assertEquals(0.0, t.doubleColumn("serialize_ms").get(0), "threads share the array");
            assertEquals(0.0, t.doubleColumn("deserialize_ms").get(0));
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aPayloadOverTheCapIsRejectedBeforeAnythingIsSent() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> IpcCost.of(pool).maxPayloadBytes(1000).measure("big", new double[1000]));
        assertTrue(e.getMessage().contains("cap of 1000"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> IpcCost.of(pool).maxPayloadBytes(-1));
        assertThrows(IllegalArgumentException.class,
                () -> IpcCost.of(pool).codec(Codec.RAW).measure("list", List.of(1, 2)));
    }

    @Test
    void aClosedPoolIsRefusedWithAClearMessage() {
        ProcessPool closed = ProcessPool.builder().workers(1).workerJvmOptions(List.of("-Xmx32m")).build();
        closed.close();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> IpcCost.of(closed).measure("x", new double[10]));
        assertTrue(e.getMessage().contains("shut down"), e.getMessage());
    }

    @Test
    void aPayloadTooLargeForTheWorkersHeapFailsWithAHintAndTheWorkerIsReplaced() {
        try (ProcessPool small = ProcessPool.builder().workers(1)
                .workerJvmOptions(List.of("-Xmx32m")).build()) {
            long before = small.workerPids().get(0);
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> IpcCost.of(small).codec(Codec.RAW).warmup(0).repetitions(1)
                            .measure("48 MiB", new double[48 * MIB / 8]));
            assertTrue(e.getMessage().contains("OutOfMemoryError") && e.getMessage().contains("-Xmx"),
                    e.getMessage());
            Table ok = IpcCost.of(small).warmup(0).repetitions(1).measure("small", new double[10]);
            assertEquals(1, ok.rowCount(), "the pool still works after the failure");
            assertFalse(small.workerPids().contains(before), "the worker that ran out of heap is gone");
            assertFalse(ProcessHandle.of(before).map(ProcessHandle::isAlive).orElse(false));
        }
    }

    private static long ourFiles() throws Exception {
        Path dir = Paths.get(Files.isDirectory(Paths.get("/dev/shm")) ? "/dev/shm"
                : System.getProperty("java.io.tmpdir"));
        try (var files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith("ipccourse-")).count();
        }
    }
}
