package dev.wharf.dataplane.tls;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The certificate meters of one listener: seconds until the served certificate ends ({@code
 * wharf_tls_certificate_expiry_seconds{listener,name}}, negative once it has ended) and reloads by
 * result ({@code wharf_tls_certificate_reloads_total{listener,result}}, both results from zero so
 * {@code increase()} works before the first reload).
 */
final class CertificateMeters {
  static final String SUCCESS = "success";
  static final String REFUSED = "refused";

  private final MeterRegistry registry;
  private final String listener;
  private final Counter successes;
  private final Counter refusals;

  CertificateMeters(MeterRegistry registry, String listener) {
    this.registry = registry;
    this.listener = listener;
    this.successes = reloads(SUCCESS);
    this.refusals = reloads(REFUSED);
  }

  private Counter reloads(String result) {
    return Counter.builder("wharf.tls.certificate.reloads")
        .description("Certificate reloads after a file changed: success, or refused (old one kept)")
        .tag("listener", listener)
        .tag("result", result)
        .register(registry);
  }

  /** Reports the expiry of whatever {@code served} returns when scraped. */
  Gauge expiry(String name, Supplier<CertificateMaterial> served, Clock clock) {
    return Gauge.builder(
            "wharf.tls.certificate.expiry",
            () -> Duration.between(clock.instant(), served.get().notAfter()).toMillis() / 1000.0)
        .description("Seconds until the certificate served ends (its notAfter)")
        .baseUnit("seconds")
        .tag("listener", listener)
        .tag("name", name)
        .strongReference(true)
        .register(registry);
  }

  void remove(Gauge gauge) {
    registry.remove(gauge);
  }

  void reloaded() {
    successes.increment();
  }

  void refused() {
    refusals.increment();
  }
}
