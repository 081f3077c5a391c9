package dev.wharf.dataplane.metrics;

import io.micrometer.core.instrument.Counter;

/**
 * The message counters of one route's WebSockets, one per direction, and per direction the messages
 * dropped because nothing more could reach the other side (its connection was lost, or a close
 * frame had already gone to it). A relay gets them once, when it starts, and counts every message
 * as its last frame passes: a scrape shows the traffic of WebSockets still open, not only of those
 * that ended. {@link Counter#increment()} is an adder: no lock and no allocation per message.
 */
public record WebSocketMessageCounters(
    Counter fromClient,
    Counter fromUpstream,
    Counter droppedFromClient,
    Counter droppedFromUpstream) {}
