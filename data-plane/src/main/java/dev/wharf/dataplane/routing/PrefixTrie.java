package dev.wharf.dataplane.routing;

import java.util.HashMap;
import java.util.Map;

/**
 * Longest-prefix lookup over strings, character by character as nginx compares prefix locations
 * ({@code /api} is a prefix of {@code /apiary}). A lookup costs the length of the path, whatever
 * the number of prefixes. Built once, then read-only: safe to share between threads once published.
 */
final class PrefixTrie<T> {
  private static final class Node<T> {
    final Map<Character, Node<T>> children = new HashMap<>(4);
    T value;
  }

  private final Node<T> root = new Node<>();

  /** Adds {@code prefix}; returns false, changing nothing, when it is already there. */
  boolean put(String prefix, T value) {
    Node<T> node = root;
    for (int i = 0; i < prefix.length(); i++) {
      node = node.children.computeIfAbsent(prefix.charAt(i), c -> new Node<>());
    }
    if (node.value != null) {
      return false;
    }
    node.value = value;
    return true;
  }

  /** The value of the longest prefix of {@code path}, or null. */
  T longestPrefixOf(String path) {
    Node<T> node = root;
    T best = root.value;
    for (int i = 0; i < path.length() && node != null; i++) {
      node = node.children.get(path.charAt(i));
      if (node != null && node.value != null) {
        best = node.value;
      }
    }
    return best;
  }

  /** The value of exactly {@code prefix}, or null. */
  T get(String prefix) {
    Node<T> node = root;
    for (int i = 0; i < prefix.length() && node != null; i++) {
      node = node.children.get(prefix.charAt(i));
    }
    return node == null ? null : node.value;
  }
}
