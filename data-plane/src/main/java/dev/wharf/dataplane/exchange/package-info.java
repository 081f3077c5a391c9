/**
 * The contract between a client connection and the exchange that answers one of its requests:
 * {@link dev.wharf.dataplane.exchange.ClientExchange} is what the connection tells the exchange,
 * {@link dev.wharf.dataplane.exchange.ExchangeOwner} what the exchange tells the connection, and
 * {@link dev.wharf.dataplane.exchange.RoutedRequest} the facts routing hands an exchange, so that
 * no feature needs the compiled route. Protocol-neutral: an HTTP/2 stream can own an exchange as an
 * HTTP/1 connection does.
 */
package dev.wharf.dataplane.exchange;
