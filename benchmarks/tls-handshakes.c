/*
 * New TLS connections per second against one HTTPS server, for benchmarks/tls.sh.
 *
 * C threads each run a closed loop for D seconds: TCP connect, TLS handshake, one
 * "GET PATH HTTP/1.1" with "Connection: close", read the answer to the end, close. With
 * --mode full every handshake is a full one (no session is ever offered); with --mode resumed
 * each thread offers the session (TLS 1.3 ticket, or TLS 1.2 ticket or session id) it got on
 * its previous connection, as a returning browser does, and the report counts how many
 * handshakes the server actually resumed.
 *
 * Neither wrk nor h2load does this: wrk with "Connection: close" resumes every handshake after
 * the first of each connection slot and times only the request, h2load resumes on reconnects
 * and reports no percentiles. This tool times each handshake from the start of the TCP connect
 * to the end of SSL_connect (what a client waits for before it can send) and reports p50, p99
 * and max from the exact sorted values.
 *
 * Build: cc -O2 -pthread -o tls-handshakes tls-handshakes.c -lssl -lcrypto (OpenSSL 1.1.1+).
 * The server's certificate is not verified: verification costs the client only, and the
 * client shares the machine with the server under test.
 *
 * Output: a human line, then "result key=value ..." for the script, then
 * "first problem: ..." if anything failed. Exit status 0 only if nothing failed.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static struct {
  const char *host;
  int port;
  const char *sni;
  const char *path;
  int resumed;
  int connections;
  double seconds;
  int tls12;
} cfg = {"127.0.0.1", 0, "localhost", "/", 0, 32, 15.0, 0};

static pthread_mutex_t problem_lock = PTHREAD_MUTEX_INITIALIZER;
static char first_problem[512];
static char negotiated[160]; /* what the first connection negotiated */
static int negotiated_set;

typedef struct {
  pthread_t thread;
  SSL_CTX *ctx;
  uint64_t deadline_ns;
  uint32_t *handshake_us; /* one per completed connection */
  uint32_t *total_us;
  size_t count, capacity;
  uint64_t resumed, errors;
} worker;

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void problem(worker *w, const char *what) {
  char detail[256] = "";
  unsigned long e = ERR_get_error();
  if (e != 0) {
    ERR_error_string_n(e, detail, sizeof detail);
  } else if (errno != 0) {
    snprintf(detail, sizeof detail, "%s", strerror(errno));
  }
  ERR_clear_error();
  w->errors++;
  pthread_mutex_lock(&problem_lock);
  if (first_problem[0] == '\0') {
    snprintf(first_problem, sizeof first_problem, "%s%s%s", what, detail[0] ? ": " : "", detail);
  }
  pthread_mutex_unlock(&problem_lock);
}

static void record(worker *w, uint32_t handshake, uint32_t total) {
  if (w->count == w->capacity) {
    w->capacity = w->capacity ? w->capacity * 2 : 65536;
    w->handshake_us = realloc(w->handshake_us, w->capacity * sizeof(uint32_t));
    w->total_us = realloc(w->total_us, w->capacity * sizeof(uint32_t));
    if (!w->handshake_us || !w->total_us) {
      fprintf(stderr, "out of memory\n");
      exit(2);
    }
  }
  w->handshake_us[w->count] = handshake;
  w->total_us[w->count] = total;
  w->count++;
}

/* One connection; its session (for the next one) replaces *session in resumed mode. */
static void one_connection(worker *w, SSL_SESSION **session, const char *request) {
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)cfg.port)};
  char buffer[16384];
  size_t got = 0;
  int fd, one = 1, n, ok = 0, reused = 0;
  uint64_t start = now_ns(), handshaken;
  SSL *ssl = NULL;

  errno = 0;
  inet_pton(AF_INET, cfg.host, &addr.sin_addr);
  fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    problem(w, "socket");
    return;
  }
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
    problem(w, "connect");
    goto done;
  }
  ssl = SSL_new(w->ctx);
  SSL_set_fd(ssl, fd);
  SSL_set_tlsext_host_name(ssl, cfg.sni);
  if (cfg.resumed && *session) {
    SSL_set_session(ssl, *session);
  }
  if (SSL_connect(ssl) != 1) {
    problem(w, "handshake");
    goto done;
  }
  handshaken = now_ns();
  if (SSL_write(ssl, request, (int)strlen(request)) <= 0) {
    problem(w, "request write");
    goto done;
  }
  /* Read to the end: the server closes after its answer (Connection: close). */
  while ((n = SSL_read(ssl, buffer + got, (int)(sizeof buffer - 1 - got))) > 0) {
    got += (size_t)n;
    if (got == sizeof buffer - 1) {
      got = 12; /* only the status line is checked; keep its start */
    }
  }
  buffer[got] = '\0';
  if (strncmp(buffer, "HTTP/1.1 200", 12) != 0) {
    errno = 0;
    problem(w, got == 0 ? "no answer" : "answer other than HTTP/1.1 200");
    goto done;
  }
  ok = 1;
  reused = SSL_session_reused(ssl);
  if (!__atomic_load_n(&negotiated_set, __ATOMIC_ACQUIRE)) {
    pthread_mutex_lock(&problem_lock);
    if (negotiated[0] == '\0') {
      const char *group = "unknown";
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
      int nid = SSL_get_negotiated_group(ssl);
      if (nid != 0 && OBJ_nid2sn(nid & ~TLSEXT_nid_unknown) != NULL) {
        group = OBJ_nid2sn(nid);
      }
#endif
      snprintf(negotiated, sizeof negotiated, "protocol=%s cipher=%s group=%s",
               SSL_get_version(ssl), SSL_get_cipher_name(ssl), group);
      __atomic_store_n(&negotiated_set, 1, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&problem_lock);
  }
  /* The server has closed; without this, SSL_free would count the connection as broken and
     mark its session not resumable. Nothing is sent: the peer's socket is gone. */
  SSL_set_shutdown(ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
  if (cfg.resumed) {
    /* After the answer: a TLS 1.3 server sends its tickets after the handshake. */
    SSL_SESSION *next = SSL_get1_session(ssl);
    if (next) {
      if (*session) {
        SSL_SESSION_free(*session);
      }
      *session = next;
    }
  }
done:
  if (ok) {
    uint64_t end = now_ns();
    if (end <= w->deadline_ns) {
      w->resumed += (uint64_t)reused;
      record(w, (uint32_t)((handshaken - start) / 1000), (uint32_t)((end - start) / 1000));
    }
  }
  if (ssl) {
    SSL_free(ssl);
  }
  close(fd);
}

static void *run(void *arg) {
  worker *w = arg;
  SSL_SESSION *session = NULL;
  char request[512];
  snprintf(request, sizeof request,
           "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\nUser-Agent: tls-handshakes\r\n\r\n",
           cfg.path, cfg.sni);
  while (now_ns() < w->deadline_ns) {
    one_connection(w, &session, request);
  }
  if (session) {
    SSL_SESSION_free(session);
  }
  return NULL;
}

static int compare(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

/* Nearest rank over sorted values. */
static uint32_t percentile(const uint32_t *sorted, size_t n, double p) {
  size_t rank;
  if (n == 0) {
    return 0;
  }
  rank = (size_t)((p / 100.0) * (double)n + 0.999999);
  if (rank < 1) {
    rank = 1;
  }
  return sorted[(rank > n ? n : rank) - 1];
}

static void usage(void) {
  fprintf(stderr,
          "usage: tls-handshakes --port N --mode full|resumed [--host 127.0.0.1] [--sni localhost]\n"
          "                      [--path /] [--connections 32] [--seconds 15] [--tls12]\n");
  exit(2);
}

int main(int argc, char **argv) {
  worker *workers;
  uint32_t *handshakes, *totals;
  size_t all = 0, at = 0;
  uint64_t resumed = 0, errors = 0, began;
  int i;

  for (i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "--tls12") == 0) {
      cfg.tls12 = 1;
      continue;
    }
    if (v == NULL) {
      usage();
    }
    if (strcmp(a, "--host") == 0) cfg.host = v;
    else if (strcmp(a, "--port") == 0) cfg.port = atoi(v);
    else if (strcmp(a, "--sni") == 0) cfg.sni = v;
    else if (strcmp(a, "--path") == 0) cfg.path = v;
    else if (strcmp(a, "--connections") == 0) cfg.connections = atoi(v);
    else if (strcmp(a, "--seconds") == 0) cfg.seconds = atof(v);
    else if (strcmp(a, "--mode") == 0) {
      if (strcmp(v, "full") == 0) cfg.resumed = 0;
      else if (strcmp(v, "resumed") == 0) cfg.resumed = 1;
      else usage();
    } else usage();
    i++;
  }
  if (cfg.port <= 0 || cfg.port > 65535 || cfg.connections < 1 || cfg.seconds <= 0) {
    usage();
  }
  signal(SIGPIPE, SIG_IGN);

  workers = calloc((size_t)cfg.connections, sizeof(worker));
  began = now_ns();
  for (i = 0; i < cfg.connections; i++) {
    worker *w = &workers[i];
    /* A context per thread: no lock shared between the client threads. */
    w->ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(w->ctx, SSL_VERIFY_NONE, NULL);
    /* OpenSSL marks a client's sessions not resumable when its cache is off, so it is on
       (in resumed mode only) without the internal store: each thread keeps its own session. */
    SSL_CTX_set_session_cache_mode(
        w->ctx, cfg.resumed ? SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE
                            : SSL_SESS_CACHE_OFF);
    SSL_CTX_set_min_proto_version(w->ctx, TLS1_2_VERSION);
    if (cfg.tls12) {
      SSL_CTX_set_max_proto_version(w->ctx, TLS1_2_VERSION);
    }
    w->deadline_ns = began + (uint64_t)(cfg.seconds * 1e9);
    pthread_create(&w->thread, NULL, run, w);
  }
  for (i = 0; i < cfg.connections; i++) {
    pthread_join(workers[i].thread, NULL);
    all += workers[i].count;
    resumed += workers[i].resumed;
    errors += workers[i].errors;
  }
  handshakes = malloc((all ? all : 1) * sizeof(uint32_t));
  totals = malloc((all ? all : 1) * sizeof(uint32_t));
  for (i = 0; i < cfg.connections; i++) {
    memcpy(handshakes + at, workers[i].handshake_us, workers[i].count * sizeof(uint32_t));
    memcpy(totals + at, workers[i].total_us, workers[i].count * sizeof(uint32_t));
    at += workers[i].count;
  }
  qsort(handshakes, all, sizeof(uint32_t), compare);
  qsort(totals, all, sizeof(uint32_t), compare);

  printf("tls-handshakes %s: %d connections, %.1f s: %zu handshakes, %.0f/s, resumed %llu;"
         " handshake p50 %.3f ms, p99 %.3f ms, max %.3f ms; connection p99 %.3f ms; errors %llu\n",
         cfg.resumed ? "resumed" : "full", cfg.connections, cfg.seconds, all,
         (double)all / cfg.seconds, (unsigned long long)resumed,
         percentile(handshakes, all, 50) / 1e3, percentile(handshakes, all, 99) / 1e3,
         (all ? handshakes[all - 1] : 0) / 1e3, percentile(totals, all, 99) / 1e3,
         (unsigned long long)errors);
  printf("result mode=%s connections=%d seconds=%.3f handshakes=%zu rate=%.1f resumed=%llu"
         " p50_us=%u p99_us=%u max_us=%u total_p99_us=%u errors=%llu %s\n",
         cfg.resumed ? "resumed" : "full", cfg.connections, cfg.seconds, all,
         (double)all / cfg.seconds, (unsigned long long)resumed,
         percentile(handshakes, all, 50), percentile(handshakes, all, 99),
         all ? handshakes[all - 1] : 0, percentile(totals, all, 99),
         (unsigned long long)errors, negotiated[0] ? negotiated : "protocol=none");
  if (first_problem[0]) {
    printf("first problem: %s\n", first_problem);
  }
  return errors == 0 && all > 0 ? 0 : 1;
}
