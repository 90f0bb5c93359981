package org.ipccourse.display;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.ServiceLoader;
import org.dflib.jjava.jupyter.Extension;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.Renderer;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

class CourseDisplayExtensionTest {
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private final Renderer renderer = new Renderer();

    CourseDisplayExtensionTest() {
        CourseDisplayExtension.register(renderer);
    }

    @Test
    void kernelFindsTheExtensionThroughServiceLoader() {
        boolean found = ServiceLoader.load(Extension.class).stream()
                .anyMatch(provider -> provider.type() == CourseDisplayExtension.class);
        assertTrue(found, "META-INF/services must list CourseDisplayExtension");
    }

    @Test
    void tableRendersAsAnHtmlTableWithEveryCellEscaped() {
        Table table = Table.create("costs").addColumns(
                StringColumn.create("variant", "sequential", "<process>"),
                DoubleColumn.create("median ms", 1.5, 20.25));
        DisplayData data = renderer.render(table);
        String html = (String) data.getData(MIMEType.TEXT_HTML);
        assertTrue(html.startsWith("<table"), "expected an HTML table, got: " + html);
        assertTrue(html.contains("<caption>costs</caption>"), html);
        assertTrue(html.contains("&lt;process&gt;") && !html.contains("<process>"), "cells must be escaped: " + html);
        assertTrue(html.contains("20.25"), html);
        assertTrue(data.hasDataForType(MIMEType.TEXT_PLAIN), "a plain-text form is needed for non-HTML front ends");
    }

    @Test
    void harnessTableRendersItsNumbersAsPrintedNotWithEveryDigit() {
        Table t = org.ipccourse.measure.Harness.over(List.of(0.123456789)).variant("sequential", p -> Thread.sleep(1))
                .warmup(0).repetitions(3).run().table();
        String html = (String) renderer.render(t).getData(MIMEType.TEXT_HTML);
        String median = t.doubleColumn("median_ms").getString(0);
        assertTrue(median.replaceAll("[^0-9]", "").replaceFirst("^0+", "").length() <= 4,
                "median printed with few digits: " + median);
        assertTrue(html.contains(">" + median + "<"), "the cell shows the printed median " + median + ": " + html);
        assertTrue(html.contains(">0.123<") && !html.contains("0.123456789"), "parameter as printed: " + html);
        assertTrue(html.contains(">1.00<"), "baseline speedup with two decimals: " + html);
    }

    @Test
    void everyKindOfChartRendersAsPng() {
        CategoryChart bars = new CategoryChartBuilder().width(300).height(200).title("bars").build();
        bars.addSeries("s", List.of("a", "b"), List.of(1, 2));
        XYChart lines = new XYChartBuilder().width(300).height(200).title("lines").build();
        lines.addSeries("s", new double[] {1, 2, 3}, new double[] {1, 4, 9});
        for (Object chart : List.of(bars, lines)) {
            String base64 = (String) renderer.render(chart).getData(MIMEType.IMAGE_PNG);
            byte[] png = Base64.getDecoder().decode(base64);
            assertArrayEquals(PNG_SIGNATURE, Arrays.copyOf(png, 8), "not a PNG for " + chart.getClass().getSimpleName());
        }
    }

    @Test
    void liveDisplayOutsideAKernelIsSilentAndCheap() {
        assertFalse(Notebook.isKernel());
        try (LiveDisplay display = LiveDisplay.show("start")) {
            display.update("step 1");
        }
    }
}
