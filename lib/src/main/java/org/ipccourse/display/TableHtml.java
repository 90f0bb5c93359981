package org.ipccourse.display;

import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/** Renders a Tablesaw table as a plain HTML table, numbers right-aligned. */
final class TableHtml {
    private TableHtml() {
    }

    static String render(Table table) {
        StringBuilder html = new StringBuilder(256 + table.rowCount() * table.columnCount() * 24);
        html.append("<table class=\"ipc-course-table\">");
        if (table.name() != null && !table.name().isBlank()) {
            html.append("<caption>").append(escape(table.name())).append("</caption>");
        }
        html.append("<thead><tr>");
        for (Column<?> column : table.columns()) {
            html.append("<th>").append(escape(column.name())).append("</th>");
        }
        html.append("</tr></thead><tbody>");
        for (int row = 0; row < table.rowCount(); row++) {
            html.append("<tr>");
            for (Column<?> column : table.columns()) {
                boolean numeric = column.type().name().matches("INTEGER|LONG|SHORT|DOUBLE|FLOAT");
                html.append(numeric ? "<td style=\"text-align:right\">" : "<td style=\"text-align:left\">")
                        .append(escape(column.getString(row)))
                        .append("</td>");
            }
            html.append("</tr>");
        }
        return html.append("</tbody></table>").toString();
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
