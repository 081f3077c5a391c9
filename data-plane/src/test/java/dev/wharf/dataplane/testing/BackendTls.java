package dev.wharf.dataplane.testing;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * The TLS side of an HTTPS {@link TestBackend}: an {@link SniHandler} that records the name each
 * client asked for and answers with the one context, and a watcher of handshake outcomes that
 * records the client certificate's subject.
 */
final class BackendTls {
  final Recorded serverNames = new Recorded("an SNI name");
  final Recorded clientSubjects = new Recorded("a completed TLS handshake");
  final AtomicInteger failed = new AtomicInteger();
  private final SslContext context;

  BackendTls(SslContext context) {
    this.context = context;
  }

  void addTo(ChannelPipeline pipeline) {
    pipeline.addLast(
        new SniHandler(
            host -> {
              serverNames.add(host == null ? "" : host);
              return context;
            }));
    pipeline.addLast(
        new ChannelInboundHandlerAdapter() {
          @Override
          public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent done) {
              if (done.isSuccess()) {
                clientSubjects.add(subject(ctx.pipeline().get(SslHandler.class)));
              } else {
                failed.incrementAndGet();
              }
              ctx.pipeline().remove(this);
            }
            ctx.fireUserEventTriggered(evt);
          }
        });
  }

  private static String subject(SslHandler handler) {
    try {
      return handler.engine().getSession().getPeerPrincipal().getName();
    } catch (SSLPeerUnverifiedException e) {
      return "";
    }
  }

  /** Values in arrival order, for any thread. */
  static final class Recorded {
    private final LinkedBlockingQueue<String> values = new LinkedBlockingQueue<>();
    private final String what;

    Recorded(String what) {
      this.what = what;
    }

    void add(String value) {
      values.add(value);
    }

    void clear() {
      values.clear();
    }

    String take(Duration timeout) {
      try {
        String v = values.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (v == null) {
          throw new AssertionError("no " + what + " within " + timeout);
        }
        return v;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }
}
