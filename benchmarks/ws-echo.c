/*
 * The WebSocket origin of benchmarks/run.sh: a single-threaded epoll server on 127.0.0.1 that
 * accepts any upgrade (RFC 6455), echoes every text or binary message unmasked, answers a ping
 * with a pong and a close with the same close, and answers a plain GET with "200 hello\n" (a
 * probe). It is C so that the origin costs little of the cores the proxies are measured on,
 * and is the same process behind every proxy.
 *
 * Build: cc -O2 -o ws-echo ws-echo.c -lcrypto. Run: ws-echo PORT (0: an ephemeral port).
 * Prints "listening PORT" once it accepts. Stops on SIGTERM or SIGINT.
 *
 * Limits (enough for the benchmark, refused otherwise): a handshake request of at most 8 KiB,
 * frames of at most 60 KiB, no fragmented messages (each frame is echoed as it comes).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define IN_CAP 65536
#define GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

struct conn {
  int fd;
  int upgraded;
  int closing;      /* a close frame was echoed: close once the output is written */
  size_t in_len;
  char *in;         /* allocated on the first read: an idle upgraded connection keeps it */
  char *out;
  size_t out_len, out_cap;
};

static volatile sig_atomic_t stop;
static int ep;

static void on_signal(int sig) { (void)sig; stop = 1; }

static void drop(struct conn *c) {
  epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
  close(c->fd);
  free(c->in);
  free(c->out);
  free(c);
}

/* Writes what it can now, keeps the rest for EPOLLOUT; -1 if the connection is gone. */
static int send_bytes(struct conn *c, const char *data, size_t len) {
  if (c->out_len == 0) {
    ssize_t n = write(c->fd, data, len);
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return -1;
    if (n > 0) { data += n; len -= (size_t)n; }
    if (len == 0) return 0;
  }
  if (c->out_len + len > c->out_cap) {
    size_t cap = c->out_cap ? c->out_cap : 4096;
    while (cap < c->out_len + len) cap *= 2;
    char *grown = realloc(c->out, cap);
    if (!grown) return -1;
    c->out = grown;
    c->out_cap = cap;
  }
  memcpy(c->out + c->out_len, data, len);
  c->out_len += len;
  struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = c};
  epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
  return 0;
}

static int flush_out(struct conn *c) {
  while (c->out_len > 0) {
    ssize_t n = write(c->fd, c->out, c->out_len);
    if (n < 0) return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
    memmove(c->out, c->out + n, c->out_len - (size_t)n);
    c->out_len -= (size_t)n;
  }
  struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
  epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
  return c->closing ? -1 : 0;
}

/* The value of header NAME in the request head, trimmed, or NULL. */
static const char *header(const char *head, const char *name, size_t *len) {
  size_t name_len = strlen(name);
  for (const char *line = strstr(head, "\r\n"); line && line[2] != '\r'; line = strstr(line + 2, "\r\n")) {
    const char *p = line + 2;
    if (strncasecmp(p, name, name_len) == 0 && p[name_len] == ':') {
      p += name_len + 1;
      while (*p == ' ' || *p == '\t') p++;
      const char *end = strstr(p, "\r\n");
      while (end > p && (end[-1] == ' ' || end[-1] == '\t')) end--;
      *len = (size_t)(end - p);
      return p;
    }
  }
  return NULL;
}

/* Handles a complete request head: 101 for an upgrade, 200 hello and close otherwise. */
static int handshake(struct conn *c, size_t head_len) {
  char head[8192 + 1], accept_src[128 + sizeof GUID], digest[SHA_DIGEST_LENGTH], accept[64], reply[256];
  size_t key_len;
  memcpy(head, c->in, head_len);
  head[head_len] = '\0';
  const char *key = header(head, "Sec-WebSocket-Key", &key_len);
  memmove(c->in, c->in + head_len, c->in_len - head_len);
  c->in_len -= head_len;
  if (!key || key_len > 128) {
    static const char hello[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\nConnection: close\r\n\r\nhello\n";
    c->closing = 1;
    if (send_bytes(c, hello, sizeof hello - 1) < 0) return -1;
    return c->out_len == 0 ? -1 : 0;
  }
  memcpy(accept_src, key, key_len);
  memcpy(accept_src + key_len, GUID, sizeof GUID - 1);
  SHA1((const unsigned char *)accept_src, key_len + sizeof GUID - 1, (unsigned char *)digest);
  EVP_EncodeBlock((unsigned char *)accept, (const unsigned char *)digest, SHA_DIGEST_LENGTH);
  int n = snprintf(reply, sizeof reply,
                   "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Accept: %s\r\n\r\n", accept);
  c->upgraded = 1;
  return send_bytes(c, reply, (size_t)n);
}

/* Echoes every complete frame in the input; -1 to close the connection. */
static int frames(struct conn *c) {
  size_t at = 0;
  while (c->in_len - at >= 2) {
    unsigned char *f = (unsigned char *)c->in + at;
    int opcode = f[0] & 0x0f, masked = f[1] & 0x80;
    uint64_t len = f[1] & 0x7f;
    size_t hdr = 2;
    if (len == 126) {
      if (c->in_len - at < 4) break;
      len = ((uint64_t)f[2] << 8) | f[3];
      hdr = 4;
    } else if (len == 127) {
      if (c->in_len - at < 10) break;
      len = 0;
      for (int i = 0; i < 8; i++) len = (len << 8) | f[2 + i];
      hdr = 10;
    }
    if (!masked || len > IN_CAP - 14) return -1; /* a client must mask; too large for us */
    if (c->in_len - at < hdr + 4 + len) break;
    unsigned char *mask = f + hdr, *payload = f + hdr + 4;
    for (uint64_t i = 0; i < len; i++) payload[i] ^= mask[i & 3];
    /* The reply's header (at most 4 bytes for our sizes) goes just before the payload. */
    size_t out_hdr = len < 126 ? 2 : 4;
    unsigned char *o = payload - out_hdr;
    o[0] = (unsigned char)(0x80 | (opcode == 9 ? 10 : opcode));
    if (out_hdr == 2) {
      o[1] = (unsigned char)len;
    } else {
      o[1] = 126;
      o[2] = (unsigned char)(len >> 8);
      o[3] = (unsigned char)len;
    }
    at += hdr + 4 + len;
    if (opcode == 10) continue; /* a pong: nothing to answer */
    if (send_bytes(c, (char *)o, out_hdr + len) < 0) return -1;
    if (opcode == 8) {
      c->closing = 1;
      return c->out_len == 0 ? -1 : 0;
    }
  }
  memmove(c->in, c->in + at, c->in_len - at);
  c->in_len -= at;
  return 0;
}

static int on_readable(struct conn *c) {
  if (!c->in && !(c->in = malloc(IN_CAP))) return -1;
  ssize_t n = read(c->fd, c->in + c->in_len, IN_CAP - c->in_len);
  if (n == 0) return -1;
  if (n < 0) return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
  c->in_len += (size_t)n;
  if (c->closing) { c->in_len = 0; return 0; }
  if (!c->upgraded) {
    char *end = memmem(c->in, c->in_len, "\r\n\r\n", 4);
    if (!end) return c->in_len > 8192 ? -1 : 0;
    if ((size_t)(end + 4 - c->in) > 8192) return -1;
    if (handshake(c, (size_t)(end + 4 - c->in)) < 0) return -1;
    if (!c->upgraded) return 0;
  }
  return frames(c);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: ws-echo PORT\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);
  int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1]))};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t addr_len = sizeof addr;
  if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(lfd, 4096) < 0
      || getsockname(lfd, (struct sockaddr *)&addr, &addr_len) < 0) {
    perror("ws-echo: bind");
    return 1;
  }
  ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
  epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
  printf("listening %d\n", ntohs(addr.sin_port));
  fflush(stdout);
  struct epoll_event events[256];
  while (!stop) {
    int ready = epoll_wait(ep, events, 256, 500);
    for (int i = 0; i < ready; i++) {
      struct conn *c = events[i].data.ptr;
      if (!c) {
        int fd;
        while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
          setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          struct conn *nc = calloc(1, sizeof *nc);
          if (!nc) { close(fd); continue; }
          nc->fd = fd;
          struct epoll_event cev = {.events = EPOLLIN, .data.ptr = nc};
          epoll_ctl(ep, EPOLL_CTL_ADD, fd, &cev);
        }
        continue;
      }
      int gone = 0;
      if (events[i].events & (EPOLLERR | EPOLLHUP)) gone = 1;
      if (!gone && (events[i].events & EPOLLOUT)) gone = flush_out(c) < 0;
      if (!gone && (events[i].events & EPOLLIN)) gone = on_readable(c) < 0;
      if (gone) drop(c);
    }
  }
  return 0;
}
