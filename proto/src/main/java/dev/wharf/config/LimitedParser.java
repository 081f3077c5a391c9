package dev.wharf.config;

import java.util.HashSet;
import java.util.Set;
import org.snakeyaml.engine.v2.common.Anchor;
import org.snakeyaml.engine.v2.events.AliasEvent;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.NodeEvent;
import org.snakeyaml.engine.v2.events.ScalarEvent;
import org.snakeyaml.engine.v2.parser.Parser;

/**
 * A YAML parser that stops at the first event breaking one of the {@link DocumentLimits} that must
 * hold before the composer builds its tree: nesting depth, the number of values and the length of
 * one, which snakeyaml-engine has no setting for, and aliases of collections, which it has ({@code
 * setMaxAliasesForCollections}, kept as a backstop) but refuses without a line.
 *
 * <p>The parser itself is not recursive; the composer reading from it is, so counting depth here,
 * event by event, keeps a deep document from ever reaching the recursion.
 */
final class LimitedParser implements Parser {
  private final Parser parser;

  /** Anchors that currently name a list or a mapping (an anchor may be defined again). */
  private final Set<Anchor> collections = new HashSet<>();

  private int depth;
  private int values;
  private int collectionAliases;

  LimitedParser(Parser parser) {
    this.parser = parser;
  }

  @Override
  public boolean checkEvent(Event.ID id) {
    return parser.checkEvent(id);
  }

  @Override
  public Event peekEvent() {
    return parser.peekEvent();
  }

  @Override
  public boolean hasNext() {
    return parser.hasNext();
  }

  @Override
  public Event next() {
    Event event = parser.next();
    switch (event.getEventId()) {
      case MappingStart, SequenceStart -> {
        if (++depth > DocumentLimits.MAX_DEPTH) {
          throw new DocumentLimits.Exceeded(DocumentLimits.tooDeep(line(event)));
        }
        count(event);
        anchor(event, true);
      }
      case MappingEnd, SequenceEnd -> depth--;
      case Scalar -> {
        count(event);
        if (((ScalarEvent) event).getValue().length() > DocumentLimits.MAX_VALUE_CHARS) {
          throw new DocumentLimits.Exceeded(DocumentLimits.valueTooLong(line(event)));
        }
        anchor(event, false);
      }
      case Alias -> {
        if (collections.contains(((AliasEvent) event).getAlias())
            && ++collectionAliases > DocumentLimits.MAX_COLLECTION_ALIASES) {
          throw new DocumentLimits.Exceeded(DocumentLimits.tooManyAliases(line(event)));
        }
      }
      default -> {
        // stream and document boundaries, comments
      }
    }
    return event;
  }

  private void count(Event event) {
    if (++values > DocumentLimits.MAX_VALUES) {
      throw new DocumentLimits.Exceeded(DocumentLimits.tooManyValues(line(event)));
    }
  }

  private void anchor(Event event, boolean collection) {
    ((NodeEvent) event)
        .getAnchor()
        .ifPresent(
            a -> {
              if (collection) {
                collections.add(a);
              } else {
                collections.remove(a);
              }
            });
  }

  private static int line(Event event) {
    return event.getStartMark().map(m -> m.getLine() + 1).orElse(0);
  }
}
