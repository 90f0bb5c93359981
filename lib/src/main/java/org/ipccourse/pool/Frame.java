package org.ipccourse.pool;

/**
 * One protocol message: its type, its id (task id, request id or stream number) and its payload.
 * A task's or result's large primitive arrays arrive already decoded, in {@code arrays}; the
 * payload then holds the rest ({@link ObjectCodec#deserialize(byte[], int, Object[], java.util.List)}
 * puts them back together).
 *
 * @param type the message type
 * @param id the id whose meaning depends on the type
 * @param payload the payload bytes, never null; without the bulk section when {@code arrays} holds it
 * @param arrays the arrays of the payload's bulk section, in order, never null
 */
record Frame(MessageType type, long id, byte[] payload, Object[] arrays) {
    /** A frame without a bulk section read apart. */
    public Frame(MessageType type, long id, byte[] payload) {
        this(type, id, payload, BulkArrays.NONE);
    }
}
