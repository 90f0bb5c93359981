package org.ipccourse.display;

import org.dflib.jjava.jupyter.Extension;
import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.display.Renderer;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.knowm.xchart.internal.chartpart.Chart;
import tech.tablesaw.api.Table;

/**
 * Teaches the JJava kernel to show Tablesaw tables as HTML tables and XChart charts as PNG
 * images, so that a cell whose last expression is a {@link Table} or a chart renders inline.
 * The kernel finds this class through {@code META-INF/services/org.dflib.jjava.jupyter.Extension}
 * when the library is on its classpath; notebooks need no set-up line.
 *
 * <p>Costs: a table is rendered in full (keep notebook tables to a screenful); a chart is drawn
 * once into a bitmap, about 10-50 ms for the sizes the course uses.
 */
public final class CourseDisplayExtension implements Extension {

    /** Creates the extension; the kernel calls this through {@link java.util.ServiceLoader}. */
    public CourseDisplayExtension() {
    }

    @Override
    public void install(BaseKernel kernel) {
        register(kernel.getRenderer());
    }

    /** Registers the course's render functions with {@code renderer}. */
    static void register(Renderer renderer) {
        renderer.createRegistration(Table.class)
                .preferring(MIMEType.TEXT_HTML)
                .supporting(MIMEType.TEXT_PLAIN)
                .register((table, context) -> {
                    context.renderIfRequested(MIMEType.TEXT_HTML, () -> TableHtml.render(table));
                    context.renderIfRequested(MIMEType.TEXT_PLAIN, table::printAll);
                });
        renderer.createRegistration(Tabular.class)
                .preferring(MIMEType.TEXT_HTML)
                .supporting(MIMEType.TEXT_PLAIN)
                .register((result, context) -> {
                    Table table = result.table();
                    context.renderIfRequested(MIMEType.TEXT_HTML, () -> TableHtml.render(table));
                    context.renderIfRequested(MIMEType.TEXT_PLAIN, table::printAll);
                });
        @SuppressWarnings("rawtypes")
        Class<Chart> chartType = Chart.class;
        renderer.createRegistration(chartType)
                .preferring(MIMEType.IMAGE_PNG)
                .register((chart, context) ->
                        context.renderIfRequested(MIMEType.IMAGE_PNG,
                                () -> ChartImages.pngBase64(Charts.readable(chart))));
    }
}
