package dev.wharf.dataplane.exchange;

import dev.wharf.dataplane.http.HeaderRuleSet;
import dev.wharf.dataplane.http.RequestRecord;
import dev.wharf.dataplane.http.RequestTarget;
import io.netty.handler.codec.http.HttpRequest;
import java.util.regex.MatchResult;

/**
 * A request and what its route decided for every kind of exchange: the facts routing hands an
 * exchange, so exchanges never read the compiled route themselves.
 *
 * @param target the request target as parsed (path decoded, query apart)
 * @param groups the captures of the route's regex, or an empty match
 * @param record the request's timeline, variables and outcome, for the access log and metrics
 * @param maxBodySize largest request body accepted, in bytes; 0 means no limit
 * @param responseHeaders the route's header rules for every response
 */
public record RoutedRequest(
    HttpRequest request,
    RequestTarget target,
    MatchResult groups,
    RequestRecord record,
    String route,
    long maxBodySize,
    HeaderRuleSet responseHeaders) {}
