package org.ipccourse.pool;

/**
 * The message types of the pool protocol; the package documentation says who sends each one and
 * what its id and payload hold.
 */
enum MessageType {
    INIT(1), READY(2), INIT_FAILED(3), TASK(4), RESULT(5), FAILURE(6), CANCEL(7),
    CLASS_REQUEST(8), CLASS_BYTES(9), OUTPUT(10), SKIPPED(11), AWAITED_TASK(12), EXIT_AFTER_OOM(13),
    WAKE(14), AWAKE(15);

    private static final MessageType[] BY_CODE = new MessageType[16];

    static {
        for (MessageType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    final byte code;

    MessageType(int code) {
        this.code = (byte) code;
    }

    /** TASK or AWAITED_TASK. */
    public boolean isTask() {
        return this == TASK || this == AWAITED_TASK;
    }

    static MessageType of(int code) {
        return code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
