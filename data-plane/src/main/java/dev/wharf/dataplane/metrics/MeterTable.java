package dev.wharf.dataplane.metrics;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/**
 * Meters cached by two tag values, looked up without allocating: a map of rows, each a map of
 * cells. Micrometer's own lookup builds an id and tags per call, too much for every request.
 *
 * <p>Thread-safe; a miss creates the cell once, under the map's bin lock, then never again.
 */
final class MeterTable<T> {
  private final ConcurrentHashMap<String, ConcurrentHashMap<String, T>> rows =
      new ConcurrentHashMap<>();
  private final BiFunction<String, String, T> create;

  MeterTable(BiFunction<String, String, T> create) {
    this.create = create;
  }

  T get(String row, String column) {
    ConcurrentHashMap<String, T> cells = rows.get(row);
    if (cells == null) {
      cells = rows.computeIfAbsent(row, r -> new ConcurrentHashMap<>());
    }
    T cell = cells.get(column);
    if (cell == null) {
      cell = cells.computeIfAbsent(column, c -> create.apply(row, c));
    }
    return cell;
  }
}
