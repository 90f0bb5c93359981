package org.ipccourse.wire;

/**
 * One protocol message: its type, its id (task id, request id or stream number) and its payload.
 *
 * @param type the message type
 * @param id the id whose meaning depends on the type
 * @param payload the payload bytes, never null
 */
public record Frame(MessageType type, long id, byte[] payload) {
}
