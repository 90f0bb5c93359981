package org.ipccourse.pool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A task's arguments are the values as of its submit: a caller that changes an array after
 * {@code submit} returned does not change what the worker gets, whether the task was written to
 * an idle worker at once (no copy: the pipe holds the bytes), held behind another task, taken back
 * and sent again, or queued (copied at submit).
 */
@Timeout(60)
class SubmitSnapshotTest {
    /** 4 MiB: far more than a pipe holds, so its frame cannot be written before the worker reads it. */
    private static final int N = 1 << 19;

    @RegisterExtension
    static final TwoWorkerPool POOL = new TwoWorkerPool();

    private static double[] filled(double v) {
        double[] xs = new double[N];
        Arrays.fill(xs, v);
        return xs;
    }

    static double sum(double[] xs) {
        double s = 0;
        for (double x : xs) {
            s += x;
        }
        return s;
    }

    @Test
    void aTaskWrittenToAnIdleWorkerSeesTheArrayAsOfSubmit() throws Exception {
        POOL.assertWorkersFree();
        double[] xs = filled(1);
        CompletableFuture<Double> f = POOL.pool().submit(() -> sum(xs));
        Arrays.fill(xs, 2);
        assertEquals(N, f.get(20, TimeUnit.SECONDS));
    }

    @Test
    void tasksHeldBehindOthersTakenBackOrQueuedSeeTheArrayAsOfSubmit() throws Exception {
        POOL.assertWorkersFree();
        ProcessPool pool = POOL.pool();
        double[] xs = filled(1);
        CompletableFuture<Integer> longOne = pool.submit(() -> pause(1500));
        CompletableFuture<Integer> shortOne = pool.submit(() -> pause(200));
        // Each worker holds one now: the next two are held behind them (one is taken back for the
        // worker that finishes first, and sent again), the last two wait in the queue.
        List<CompletableFuture<Double>> sums = List.of(pool.submit(() -> sum(xs)), pool.submit(() -> sum(xs)),
                pool.submit(() -> sum(xs)), pool.submit(() -> sum(xs)));
        Arrays.fill(xs, 2);
        for (CompletableFuture<Double> s : sums) {
            assertEquals(N, s.get(20, TimeUnit.SECONDS));
        }
        assertEquals(1500, longOne.get(20, TimeUnit.SECONDS));
        assertEquals(200, shortOne.get(20, TimeUnit.SECONDS));
    }

    private static int pause(int millis) throws InterruptedException {
        Thread.sleep(millis);
        return millis;
    }

    @Test
    void aTaskPayloadSettledBeforeItWasWrittenIsACopy() throws Exception {
        double[] xs = filled(1);
        ChunkedBytes payload = Payloads.encodeTask(3, new Holder(xs));
        payload.settle(false); // not written yet: copies, whatever comes next
        Arrays.fill(xs, 2);
        assertArrayEquals(filled(1), decode(frame(payload)).xs());
        assertArrayEquals(filled(1), decode(frame(payload)).xs(), "and again");
    }

    @Test
    void aTaskPayloadWrittenInFullAndNotToBeSentAgainIsNotCopiedAndCannotBeWrittenAgain() throws Exception {
        double[] xs = filled(1);
        ChunkedBytes payload = Payloads.encodeTask(3, new Holder(xs));
        byte[] sent = frame(payload); // from the array itself
        payload.settle(false);
        assertFalse(payload.canBeSent());
        Arrays.fill(xs, 2);
        assertArrayEquals(filled(1), decode(sent).xs());
        IOException e = assertThrows(IOException.class, () -> frame(payload));
        assertTrue(e.getMessage().contains("without a copy"), e.getMessage());
    }

    @Test
    void aTaskPayloadThatMayBeSentAgainIsCopiedWhenSettledEvenAfterAWrite() throws Exception {
        double[] xs = filled(1);
        ChunkedBytes payload = Payloads.encodeTask(3, new Holder(xs));
        byte[] first = frame(payload);
        payload.settle(true);
        assertTrue(payload.canBeSent());
        Arrays.fill(xs, 2);
        byte[] again = frame(payload);
        assertArrayEquals(first, again, "sent again: the same bytes, from the copy");
        assertArrayEquals(filled(1), decode(again).xs());
    }

    /** A task-like value holding an array. */
    record Holder(double[] xs) implements java.io.Serializable {
    }

    private static byte[] frame(ChunkedBytes payload) throws IOException {
        ByteArrayOutputStream pipe = new ByteArrayOutputStream();
        new FrameEncoder(pipe).write(MessageType.TASK, 1, payload);
        return pipe.toByteArray();
    }

    private static Holder decode(byte[] frame) throws Exception {
        Frame f = new FrameDecoder(new ByteArrayInputStream(frame)).read();
        return (Holder) new ObjectCodec("").deserialize(f.payload(), Payloads.TASK_HEADER, f.arrays(),
                List.of(SubmitSnapshotTest.class.getClassLoader()));
    }
}
