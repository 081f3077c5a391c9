package dev.wharf.dataplane.testing;

import dev.wharf.testkit.CommandRunner;
import dev.wharf.testkit.MissingTool;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throw-away PKI made with the real {@code /usr/bin/openssl}: a test CA and leaf certificates
 * (RSA or ECDSA P-256, with DNS names and 127.0.0.1 as subjectAltNames) it signs, as PEM files in a
 * directory. Keys are unencrypted PKCS#8, as {@code openssl req -newkey} writes them.
 *
 * <p>Every openssl call is bounded ({@link #BOUND}); without openssl the test is {@link MissingTool
 * missing} (a failure under {@code CI=true}).
 */
public final class TestPki {
  /** How long one openssl call may take on a loaded machine (RSA key generation included). */
  public static final Duration BOUND = Duration.ofSeconds(60);

  private static final String OPENSSL = "/usr/bin/openssl";

  private final Path dir;
  private final Issued ca;

  /** A certificate and its key. */
  public record Issued(Path certificate, Path key) {}

  private TestPki(Path dir, Issued ca) {
    this.dir = dir;
    this.ca = ca;
  }

  /** A new CA ({@code CN=Wharf Test CA}, RSA) with its files in {@code dir}. */
  public static TestPki create(Path dir) {
    if (!Files.isExecutable(Path.of(OPENSSL))) {
      MissingTool.missing(OPENSSL + " is not installed (apt-get install openssl)");
    }
    Issued ca = new Issued(dir.resolve("ca.crt"), dir.resolve("ca.key"));
    openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "30",
        "-keyout",
        ca.key().toString(),
        "-out",
        ca.certificate().toString(),
        "-subj",
        "/CN=Wharf Test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign");
    return new TestPki(dir, ca);
  }

  /** The CA's certificate, for clients to trust. */
  public Path caCertificate() {
    return ca.certificate();
  }

  /** An RSA 2048 server certificate {@code CN=cn} for {@code dnsNames} and 127.0.0.1. */
  public Issued rsa(String cn, String... dnsNames) {
    return issue(cn, List.of("-newkey", "rsa:2048"), serverExtensions(dnsNames));
  }

  /** An ECDSA P-256 server certificate {@code CN=cn} for {@code dnsNames} and 127.0.0.1. */
  public Issued ecdsa(String cn, String... dnsNames) {
    return issue(
        cn,
        List.of("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"),
        serverExtensions(dnsNames));
  }

  /**
   * An ECDSA P-256 server certificate {@code CN=cn}, valid for {@code days} from now (the others
   * are valid for 30), for {@code dnsNames} and 127.0.0.1.
   */
  public Issued ecdsa(String cn, int days, String... dnsNames) {
    return issue(
        cn,
        List.of("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"),
        serverExtensions(dnsNames),
        days);
  }

  /** A client certificate {@code CN=cn} (ECDSA), for mutual TLS. */
  public Issued client(String cn) {
    return issue(
        cn,
        List.of("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"),
        "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n");
  }

  /** A client certificate from another CA, which this one's listeners must not accept. */
  public static Issued selfSignedClient(Path dir, String cn) {
    Issued self = new Issued(dir.resolve(cn + "-self.crt"), dir.resolve(cn + "-self.key"));
    openssl(
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-days",
        "30",
        "-keyout",
        self.key().toString(),
        "-out",
        self.certificate().toString(),
        "-subj",
        "/CN=" + cn);
    return self;
  }

  /**
   * A DER OCSP response, signed by the CA, saying {@code issued} is good for one day (as {@code
   * openssl ocsp -respout} writes it for {@code ssl_stapling_file}).
   */
  public Path ocspResponse(Issued issued) {
    String serial =
        run("x509", "-in", issued.certificate().toString(), "-noout", "-serial")
            .stdout()
            .trim()
            .replace("serial=", "");
    Path index = dir.resolve("ocsp-index-" + serial + ".txt");
    Path der = dir.resolve("ocsp-" + serial + ".der");
    try {
      Files.writeString(index, "V\t301231000000Z\t\t" + serial + "\tunknown\t/CN=x\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    openssl(
        "ocsp",
        "-index",
        index.toString(),
        "-rsigner",
        ca.certificate().toString(),
        "-rkey",
        ca.key().toString(),
        "-CA",
        ca.certificate().toString(),
        "-issuer",
        ca.certificate().toString(),
        "-cert",
        issued.certificate().toString(),
        "-respout",
        der.toString(),
        "-ndays",
        "1");
    return der;
  }

  /** An SSLContext that trusts this CA only (for the JDK's HttpClient and WebSocket). */
  public SSLContext clientContext() {
    try (InputStream in = Files.newInputStream(ca.certificate())) {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry(
          "ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String serverExtensions(String... dnsNames) {
    List<String> sans = new ArrayList<>();
    for (String n : dnsNames) {
      sans.add("DNS:" + n);
    }
    sans.add("IP:127.0.0.1");
    return "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName="
        + String.join(",", sans)
        + "\n";
  }

  private Issued issue(String cn, List<String> newKey, String extensions) {
    return issue(cn, newKey, extensions, 30);
  }

  private Issued issue(String cn, List<String> newKey, String extensions, int days) {
    String base = cn.replace('*', '_');
    Issued issued = new Issued(dir.resolve(base + ".crt"), dir.resolve(base + ".key"));
    Path csr = dir.resolve(base + ".csr");
    Path ext = dir.resolve(base + ".ext");
    try {
      Files.writeString(ext, extensions);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> req = new ArrayList<>(List.of("req"));
    req.addAll(newKey);
    req.addAll(
        List.of(
            "-nodes",
            "-keyout",
            issued.key().toString(),
            "-out",
            csr.toString(),
            "-subj",
            "/CN=" + cn));
    openssl(req.toArray(new String[0]));
    openssl(
        "x509",
        "-req",
        "-in",
        csr.toString(),
        "-CA",
        ca.certificate().toString(),
        "-CAkey",
        ca.key().toString(),
        "-CAcreateserial",
        "-days",
        Integer.toString(days),
        "-extfile",
        ext.toString(),
        "-out",
        issued.certificate().toString());
    return issued;
  }

  private static void openssl(String... args) {
    run(args);
  }

  private static CommandRunner.Result run(String... args) {
    List<String> command = new ArrayList<>();
    command.add(OPENSSL);
    command.addAll(List.of(args));
    CommandRunner.Result r = CommandRunner.run(BOUND, command);
    if (r.exitCode() != 0) {
      throw new AssertionError("openssl failed: " + command + "\n" + r);
    }
    return r;
  }
}
