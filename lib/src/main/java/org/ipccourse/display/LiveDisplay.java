package org.ipccourse.display;

import java.util.UUID;
import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;

/**
 * One output area in a notebook that a long-running cell rewrites in place: a progress line, a
 * table that grows row by row. {@link #show} adds the area below the running cell;
 * {@link #update} replaces its content. Outside a notebook kernel (a unit test, a benchmark main)
 * nothing is shown and updates cost nothing.
 *
 * <pre>{@code
 * try (LiveDisplay progress = LiveDisplay.show("starting")) {
 *     for (int i = 1; i <= 10; i++) {
 *         work(i);
 *         progress.update("step " + i + " of 10");
 *     }
 * }
 * }</pre>
 *
 * <p>Updates are throttled to one every {@value #MIN_UPDATE_INTERVAL_MILLIS} ms, because each one is a
 * message to the browser; {@link #close()} always sends the last value. Call it from the cell's
 * own thread, as the kernel's output channel is not meant for concurrent writers.
 */
public final class LiveDisplay implements AutoCloseable {
    /** The shortest time between two updates that reach the notebook. */
    public static final long MIN_UPDATE_INTERVAL_MILLIS = 200;

    private final BaseKernel kernel;
    private final String id;
    private Object pending;
    private long lastSentNanos;

    private LiveDisplay(BaseKernel kernel, String id) {
        this.kernel = kernel;
        this.id = id;
    }

    /**
     * Shows {@code initial} below the running cell and returns a handle to rewrite it.
     *
     * @param initial what to show first: text, a Tablesaw table, an XChart chart, ...
     * @return the handle; a silent one when no notebook kernel is running
     */
    public static LiveDisplay show(Object initial) {
        BaseKernel kernel = Notebook.kernel();
        if (kernel == null) {
            return new LiveDisplay(null, null);
        }
        DisplayData data = kernel.getRenderer().render(initial);
        String id = UUID.randomUUID().toString();
        // what setDisplayId does, without calling it: it returns void in the jjava API we compile
        // against (1.0-a6) and DisplayData in the kernel we run (1.0a8), so a direct call is a
        // NoSuchMethodError in the notebook
        data.putTransientData("display_id", id);
        kernel.display(data);
        LiveDisplay display = new LiveDisplay(kernel, id);
        display.lastSentNanos = System.nanoTime();
        return display;
    }

    /** Replaces what this display shows, at most once per {@value #MIN_UPDATE_INTERVAL_MILLIS} ms. */
    public void update(Object value) {
        if (kernel == null) {
            return;
        }
        pending = value;
        if (System.nanoTime() - lastSentNanos >= MIN_UPDATE_INTERVAL_MILLIS * 1_000_000L) {
            flush();
        }
    }

    /** Sends the last value given to {@link #update}, if it has not been shown yet. */
    @Override
    public void close() {
        if (kernel != null && pending != null) {
            flush();
        }
    }

    private void flush() {
        kernel.getIO().display.updateDisplay(id, kernel.getRenderer().render(pending));
        pending = null;
        lastSentNanos = System.nanoTime();
    }
}
