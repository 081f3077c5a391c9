package dev.wharf.cli.output;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Columns aligned with spaces, headers in capitals, as kubectl prints them. The last column is not
 * padded, so no line ends in spaces. Empty cells are shown as {@code -}.
 */
public final class Table {
  private static final String GAP = "   ";

  private final List<String> headers;
  private final List<List<String>> rows = new ArrayList<>();

  public Table(String... headers) {
    this.headers = List.of(headers);
  }

  public Table row(Object... cells) {
    if (cells.length != headers.size()) {
      throw new IllegalArgumentException(
          "row of " + cells.length + " cells (expected: " + headers.size() + ")");
    }
    List<String> row = new ArrayList<>();
    for (Object cell : cells) {
      String text = cell == null ? "" : String.valueOf(cell);
      row.add(text.isEmpty() ? "-" : text);
    }
    rows.add(row);
    return this;
  }

  /** The text of a cell as printed ({@code -} when empty); for tables built from others. */
  String cell(int row, int column) {
    return rows.get(row).get(column);
  }

  boolean isEmpty() {
    return rows.isEmpty();
  }

  public void print(PrintWriter out) {
    int[] widths = new int[headers.size()];
    for (int i = 0; i < widths.length; i++) {
      widths[i] = headers.get(i).length();
      for (List<String> row : rows) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    line(headers, widths, out);
    rows.forEach(row -> line(row, widths, out));
  }

  private static void line(List<String> cells, int[] widths, PrintWriter out) {
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      String cell = cells.get(i);
      line.append(cell);
      if (i < cells.size() - 1) {
        line.append(" ".repeat(widths[i] - cell.length())).append(GAP);
      }
    }
    out.println(line);
  }
}
