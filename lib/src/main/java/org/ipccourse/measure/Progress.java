package org.ipccourse.measure;

import java.lang.reflect.Method;

/**
 * One line of live progress, updated in place through the display layer's {@code LiveDisplay}
 * when it is on the classpath (in a notebook); quiet otherwise. Reached reflectively so that the
 * measurement package does not depend on the notebook kernel's API.
 */
final class Progress implements AutoCloseable {
    private final Object display;
    private final Method update;
    private final Method close;

    private Progress(Object display, Method update, Method close) {
        this.display = display;
        this.update = update;
        this.close = close;
    }

    static Progress show(String initial) {
        try {
            Class<?> type = Class.forName("org.ipccourse.display.LiveDisplay");
            Object display = type.getMethod("show", Object.class).invoke(null, initial);
            return new Progress(display, type.getMethod("update", Object.class),
                    type.getMethod("close"));
        } catch (ReflectiveOperationException | LinkageError e) {
            return new Progress(null, null, null);
        }
    }

    void update(Object value) {
        invoke(update, value);
    }

    @Override
    public void close() {
        invoke(close);
    }

    private void invoke(Method method, Object... args) {
        if (display == null) {
            return;
        }
        try {
            method.invoke(display, args);
        } catch (ReflectiveOperationException e) {
            // progress is a courtesy; a display that fails must not fail the measurement
        }
    }
}
