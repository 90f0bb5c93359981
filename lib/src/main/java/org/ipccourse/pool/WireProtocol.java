package org.ipccourse.pool;

/**
 * The wire protocol between a {@link ProcessPool} (the <em>owner</em>) and its worker JVMs:
 * framing, message types, the encoder and decoder, and the deserialization filter. This page is
 * the one description of the protocol; {@link Frame}, {@link MessageType}, {@link FrameEncoder},
 * {@link FrameDecoder}, {@link ObjectCodec}, {@link Values}, {@link BulkArrays}, {@link Payloads}
 * and {@link SerialFilter} implement exactly it. None of them is API: they are package-private,
 * and they change with the protocol.
 *
 * <h2>Transport</h2>
 * Each worker is a child process of the owner. The protocol runs over the worker's inherited pipes
 * only: owner to worker over the worker's standard input, worker to owner over its standard output.
 * No socket is ever opened. The worker's standard error is not part of the protocol (see "Logs").
 *
 * <h2>Framing</h2>
 * Every message is one frame, written by {@link FrameEncoder} and read by
 * {@link FrameDecoder}:
 * <pre>
 *   int32  length    number of bytes that follow this field (9 + payload length), big-endian
 *   int8   type      a {@link MessageType} code
 *   int64  id        task id, class-request id, or stream number, depending on the type
 *   byte[] payload   length - 9 bytes
 * </pre>
 * A frame longer than the reader's limit (at most {@link FrameDecoder#MAX_FRAME}
 * bytes; the owner's limit follows its heap), a negative length or an unknown type is a protocol
 * error: the reader stops and the connection is treated as dead. A reader allocates a large
 * payload only after its first 64 KiB have arrived, so a header that lies costs little; a frame
 * that stops arriving is the owner's watchdog's business (see the pool's timing constants).
 * Objects inside payloads are encoded by {@link ObjectCodec} (next section).
 *
 * <h2>Payload encoding</h2>
 * A task, result, failure or initializer payload starts with one tag byte. Tag 11, when present,
 * opens the payload with its bulk section: the primitive arrays of 8 KiB or more that Java
 * serialization meets anywhere in the value (nested values included), in the order they were
 * written, as int32 count, count times (int8 kind: 0 byte[], 1 short[], 2 char[], 3 int[],
 * 4 long[], 5 float[], 6 double[]; int32 length), then the elements of each array, little-endian,
 * copied in bulk; the value's own tag follows. A serialization stream holds only such an array's
 * kind and length and takes the next array of the section, which must match. The arrays come
 * first so that a receiver reads their elements from the pipe straight into the arrays (for a
 * task, result or failure the frame reader does; the frame's payload then holds the rest), never
 * holding a frame of their bytes beside them, and every array is complete before user code in
 * the stream ({@code readObject}, a record's constructor) sees it. In a task's payload the
 * section follows the epoch. Tag 0 is Java serialization: a complete serialization stream
 * follows. The other tags carry the values the pool sends all the time directly, big-endian:
 * <pre>
 *   1 null      2 int (4 bytes)   3 long (8)   4 double (8, IEEE bits)   5 boolean (1)
 *   6 String    int32 n, n Latin-1 bytes      10 String   int32 n, n UTF-16 chars (2 bytes each)
 *   7 byte[]    int32 n, n bytes (fewer than 8 KiB: a larger byte[] goes as tag 0, so that its bytes
 *               travel in the bulk section and are read straight into the array)
 *   8 ArrayList int32 n, n elements, each a tag 1-6 or 10 and its value
 *   9 lambda    a serializable lambda: capturing class, functional interface class, method
 *               name and signature, implementation kind (1 byte), class, name and signature,
 *               instantiated type (each a String as tag 6 or 10), int32 n, then n captured values,
 *               each direct, or tag 0 followed by int32 length and what tag 0 carries
 * </pre>
 * Only an exact {@code ArrayList} whose elements are all direct scalars is written as tag 8; other
 * lists keep their class through Java serialization. A lambda is rebuilt in the receiver through
 * its capturing class's {@code $deserializeLambda$}, as Java serialization would do.
 *
 * <h2>Messages</h2>
 * <table>
 *   <caption>Message types</caption>
 *   <tr><th>type</th><th>sender</th><th>id</th><th>payload</th></tr>
 *   <tr><td>INIT</td><td>owner</td><td>worker number</td><td>UTF filter pattern, then the
 *       serialized initializer ({@code SerializableRunnable}) or nothing (int32 length, bytes), then
 *       int32: the largest result payload the owner accepts (a larger result fails its task with a
 *       message naming both sizes), then a boolean: whether the owner runs notebook cells (the
 *       worker then also prepares the path of cell classes before its first task), then the two
 *       warm-up tasks, each a TASK payload or nothing (int32 length, bytes): the one every worker
 *       decodes and runs after READY while no frame waits, and the cell-like one of a kernel's
 *       worker. Always the first frame.</td></tr>
 *   <tr><td>READY</td><td>worker</td><td>0</td><td>empty: the initializer ran; tasks may follow</td></tr>
 *   <tr><td>INIT_FAILED</td><td>worker</td><td>0</td><td>the initializer's serialized throwable;
 *       the worker exits after sending it</td></tr>
 *   <tr><td>TASK</td><td>owner</td><td>task id</td><td>int64 epoch, then a serialized
 *       {@code Callable}; the worker runs tasks one at a time, in the order they arrive. The epoch
 *       is the kernel's notebook-state epoch when the task was submitted (for a chunk of
 *       {@code map}, when {@code map} was called): a worker keeps its copies of static fields of
 *       cell classes while tasks carry the epoch they were fetched under, and drops them for a
 *       task of another epoch ({@code org.ipccourse.classes.NotebookState})</td></tr>
 *   <tr><td>AWAITED_TASK</td><td>owner</td><td>task id</td><td>as TASK, for a task submitted alone
 *       whose caller waits for it at once: the next task usually follows the answer within
 *       microseconds, so the worker watches its pipe for a while before it sleeps (when it has a
 *       spare CPU). Chunks of {@code map} go as TASK: there, a spinning worker takes CPU time the
 *       owner needs. So does such a task while the callers waiting on this worker block instead of
 *       spinning (their spins found nothing: no CPU to spare), so that both ends block, as over a
 *       bare pipe.</td></tr>
 *   <tr><td>RESULT</td><td>worker</td><td>task id</td><td>the serialized return value</td></tr>
 *   <tr><td>FAILURE</td><td>worker</td><td>task id</td><td>the serialized throwable the task threw
 *       (or a stand-in carrying its class name, message and stack frames when it cannot be
 *       serialized)</td></tr>
 *   <tr><td>CANCEL</td><td>owner</td><td>task id</td><td>one byte: 1 = interrupt the task if it is
 *       running, 0 = do not; either way a task not yet started is skipped and answered with
 *       SKIPPED. The owner also uses 0 to take back a queued task for an idle worker.</td></tr>
 *   <tr><td>SKIPPED</td><td>worker</td><td>task id</td><td>empty: the task was cancelled before it
 *       started; the owner runs it elsewhere unless its future is cancelled</td></tr>
 *   <tr><td>CLASS_REQUEST</td><td>worker</td><td>request id</td><td>UTF binary class name the worker
 *       could not find on its class path while deserializing; or {@code notebook-value:} and a
 *       cell class's name, a dot and a static field's name, asking for the kernel's value of that
 *       field (notebook state)</td></tr>
 *   <tr><td>CLASS_BYTES</td><td>owner</td><td>request id</td><td>UTF class name, boolean found,
 *       int length and the class file bytes when found; for a notebook value, one tag byte
 *       (0 value, 1 not serializable, 2 other failure) and the value's payload or the error
 *       message in UTF-8</td></tr>
 *   <tr><td>OUTPUT</td><td>worker</td><td>1 = System.out, 2 = System.err</td><td>bytes the task
 *       printed; the owner writes them to its own System.out or System.err</td></tr>
 *   <tr><td>EXIT_AFTER_OOM</td><td>worker</td><td>0</td><td>empty: the task answered next (the
 *       frame right after this one) threw {@code OutOfMemoryError}; the worker halts after that
 *       answer, and nothing else it holds has started, so the owner runs those tasks elsewhere and
 *       sends this worker nothing more (sent before the answer, so that no task submitted after
 *       it reaches a worker about to halt). If the worker is gone before that answer arrives,
 *       the task it holds first is the one that ran out of memory: it fails, and is not run
 *       again. A frame, not an exit status, because a task's own {@code System.exit(n)} can give
 *       any status.</td></tr>
 *   <tr><td>WAKE</td><td>owner</td><td>0</td><td>empty: answer with AWAKE at once, also while a
 *       task runs. The owner sends it when a caller blocked reading this worker's stream must look
 *       up (it was interrupted, or its task was cancelled): a blocked read cannot be interrupted,
 *       so something must arrive.</td></tr>
 *   <tr><td>AWAKE</td><td>worker</td><td>0</td><td>empty: the answer to WAKE; the owner does nothing
 *       with it.</td></tr>
 * </table>
 * Every TASK and AWAITED_TASK is answered by exactly one RESULT, FAILURE or SKIPPED, unless the worker dies first. A worker
 * flushes its output streams before it sends a task's answer, so printed text precedes the answer.
 *
 * <h2>End of stream</h2>
 * End of file on the worker's standard input means the owner is gone or is closing the pool: the
 * worker halts at once ({@code Runtime.halt}), whatever it is running. That is how a worker never
 * outlives its owner, even when the owner is killed with SIGKILL: the kernel closes the owner's end
 * of the pipe. End of file on the worker's standard output means the worker is gone; the owner
 * fails the task the worker was running and starts a replacement.
 *
 * <h2>Logs</h2>
 * In the worker, {@code System.out} and {@code System.err} are replaced before anything else runs
 * by streams that send OUTPUT frames, so printing never corrupts the protocol. The JVM's own
 * messages and its logging go to the real standard error ({@code -XX:+DisplayVMOutputToStderr},
 * {@code -Xlog:all=warning:stderr}), and a native crash report goes to an error file in the
 * temporary directory ({@code -XX:ErrorFile}); the owner copies the worker's standard error to its
 * own {@code System.err} and keeps the last lines to explain a worker's death. Two things still
 * reach file descriptor 1 and cannot be redirected from Java: the JVM's fatal-error banner and
 * the message of {@code -XX:StartFlightRecording}. The owner then reads bytes that are not a frame,
 * stops reading, gives the worker a second to exit and reports its exit status and crash report.
 *
 * <h2>Deserialization filter</h2>
 * Both sides deserialize through {@link SerialFilter}; for a direct payload the
 * filter judges each class it names (the scalar's class, {@code ArrayList}, {@code byte[]},
 * {@code SerializedLambda} and a lambda's capturing class) as if it were in a serialization stream. Policy: the peer is the
 * owner's own child over a private pipe, so user classes must be admitted (tasks and results are
 * arbitrary user types), and the filter is defence in depth: it rejects classes from packages used
 * by known deserialization gadget chains (JNDI, RMI, JMX, XSLT templates, scripting engines,
 * commons-collections functors and the like), bounds graph depth and array length, and admits the
 * rest. A user pattern ({@code ProcessPool.Builder.deserializationFilter}, JDK
 * {@code ObjectInputFilter} syntax) is consulted first. A rejected class raises an
 * {@link java.io.InvalidClassException} that names the class, the rule, and how to admit it.
 */
final class WireProtocol {
    private WireProtocol() {
    }
}
