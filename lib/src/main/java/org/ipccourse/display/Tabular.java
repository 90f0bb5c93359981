package org.ipccourse.display;

import tech.tablesaw.api.Table;

/**
 * A result that shows as a table: a cell whose value implements it renders {@link #table()} as
 * the kernel renders any Tablesaw table (HTML, numbers as printed). The measurement results of the
 * library implement it, so a cell can end with the result itself.
 */
public interface Tabular {
    /** The table to show; built on each call, so keep it cheap. */
    Table table();
}
