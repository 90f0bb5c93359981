package org.ipccourse.display;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.Chart;

/** Draws XChart charts into PNG bytes, the form Jupyter shows as an inline image. */
final class ChartImages {
    private ChartImages() {
    }

    static byte[] png(Chart<?, ?> chart) {
        try {
            return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("could not draw the chart as PNG", e);
        } catch (Error e) {
            // AWT reports a machine without fonts as an Error deep inside the font code.
            throw new IllegalStateException("could not draw the chart: this machine seems to have no fonts "
                    + "(install one, e.g. `apt-get install fonts-dejavu-core`): " + e, e);
        }
    }

    static String pngBase64(Chart<?, ?> chart) {
        return Base64.getEncoder().encodeToString(png(chart));
    }
}
