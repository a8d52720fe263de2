package io.keyferry.cli.kubectl;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** kubectl's column layout: a header, cells padded to the widest, three spaces apart; colour after padding. */
final class Table {
    private final String indent;
    private final List<String[]> rows = new ArrayList<>();
    private final Map<Integer, Function<String, Terminal.Style>> styles = new HashMap<>();

    Table(String indent, String... header) {
        this.indent = indent;
        rows.add(header);
    }

    Table row(String... cells) {
        rows.add(cells);
        return this;
    }

    /** How a column's cells (not its header) are painted; a null style leaves a cell plain. */
    Table style(int column, Function<String, Terminal.Style> style) {
        styles.put(column, style);
        return this;
    }

    String render(Terminal terminal) {
        int columns = rows.get(0).length;
        int[] widths = new int[columns];
        for (String[] r : rows) {
            for (int i = 0; i < columns; i++) {
                widths[i] = Math.max(widths[i], r[i].length());
            }
        }
        StringBuilder b = new StringBuilder();
        for (int n = 0; n < rows.size(); n++) {
            StringBuilder line = new StringBuilder(indent);
            for (int i = 0; i < columns; i++) {
                String cell = rows.get(n)[i];
                String padded = i == columns - 1 ? cell : cell + " ".repeat(widths[i] - cell.length() + 3);
                Terminal.Style s = n == 0 || !styles.containsKey(i) ? null : styles.get(i).apply(cell);
                line.append(s == null ? padded : terminal.paint(cell, s) + padded.substring(cell.length()));
            }
            b.append(line.toString().stripTrailing()).append('\n');
        }
        return b.toString();
    }
}
