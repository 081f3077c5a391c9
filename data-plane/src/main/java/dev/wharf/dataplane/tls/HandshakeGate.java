package dev.wharf.dataplane.tls;

import dev.wharf.dataplane.http.TlsFacts;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.CipherSuiteConverter;
import io.netty.handler.ssl.SniCompletionEvent;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.security.auth.x500.X500Principal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Behind the TLS handler: counts the handshake in progress against the listener's cap (a connection
 * over it is closed at once), publishes what a finished handshake established as {@link TlsFacts},
 * and ends TLS errors quietly (a failed handshake is the client's problem, not a stack trace in the
 * node's log).
 */
final class HandshakeGate extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(HandshakeGate.class);

  private final String listener;
  private final AtomicInteger inProgress;
  private final ServerTls setup;
  private final TlsMeters meters;
  private boolean counted;
  private boolean finished;

  HandshakeGate(String listener, AtomicInteger inProgress, ServerTls setup, TlsMeters meters) {
    this.listener = listener;
    this.inProgress = inProgress;
    this.setup = setup;
    this.meters = meters;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    if (inProgress.incrementAndGet() > setup.maxHandshakes()) {
      inProgress.decrementAndGet();
      finished = true;
      meters.refused(ctx.channel(), listener, "over_capacity");
      ctx.close();
      return;
    }
    counted = true;
    ctx.fireChannelActive();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof SniCompletionEvent hello && !hello.isSuccess() && !finished) {
      failed(ctx, hello.cause()); // no hello within the handshake timeout
    }
    if (evt instanceof SslHandshakeCompletionEvent done && !finished) {
      release();
      finished = true;
      if (done.isSuccess()) {
        SslHandler tls = ctx.pipeline().get(SslHandler.class);
        ctx.channel()
            .attr(TlsFacts.KEY)
            .set(
                facts(
                    tls.engine().getSession(),
                    ctx.channel().attr(ListenerSniHandler.SERVER_NAME).get()));
      } else {
        failed(ctx, done.cause());
      }
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (!finished) {
      finished = true;
      failed(ctx, null);
    }
    release();
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (isTls(cause)) {
      log.debug(
          "listener {}: TLS error from {}: {}",
          listener,
          ctx.channel().remoteAddress(),
          cause.toString());
      ctx.close();
      return;
    }
    ctx.fireExceptionCaught(cause);
  }

  /**
   * Counts a handshake that did not finish, when there was one: the client sent a TLS record, or
   * was silent until the handshake timeout. A connection closed before it said anything (a TCP
   * health check, a peer the PROXY protocol refused) started no handshake and is not counted here.
   */
  private void failed(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof SslHandshakeTimeoutException
        || Boolean.TRUE.equals(ctx.channel().attr(PlainHttpGuard.TLS_STARTED).get())) {
      meters.refused(ctx.channel(), listener, "handshake_failed");
    }
  }

  private void release() {
    if (counted) {
      counted = false;
      inProgress.decrementAndGet();
    }
  }

  private static boolean isTls(Throwable cause) {
    Throwable t =
        cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
    return t instanceof SSLException || t instanceof SslHandshakeTimeoutException;
  }

  private TlsFacts facts(SSLSession session, String serverName) {
    String suite = session.getCipherSuite();
    String openSslName = CipherSuiteConverter.toOpenSsl(suite, false);
    String subject = "";
    String verify = "NONE";
    if (setup.verifiesClients()) {
      Object failure = session.getValue(ClientTrust.FAILURE);
      try {
        Certificate[] peer = session.getPeerCertificates();
        if (peer.length > 0 && peer[0] instanceof X509Certificate x) {
          subject = x.getSubjectX500Principal().getName(X500Principal.RFC2253);
          verify = failure == null ? "SUCCESS" : "FAILED:" + failure;
        }
      } catch (SSLPeerUnverifiedException e) {
        verify = "NONE";
      }
    }
    return new TlsFacts(
        session.getProtocol(),
        openSslName == null ? suite : openSslName,
        serverName == null ? "" : serverName,
        subject,
        verify);
  }
}
