package dev.wharf.dataplane.accesslog;

import java.io.BufferedWriter;
import java.io.FileNotFoundException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends lines to one access log file (or standard output) without ever blocking the caller.
 *
 * <p>{@link #write} offers the line to a bounded queue and returns at once; when the queue is full
 * the line is dropped and counted ({@link #dropped}), because a slow disk must not slow the proxy.
 * One daemon thread per writer drains the queue in batches into a buffered UTF-8 stream and flushes
 * whenever the queue runs empty, so a quiet log is on disk within a batch.
 *
 * <p>{@link #reopen} is for log rotation: after the file was moved away, the writer thread closes
 * it and opens a new file at the same path before it writes the next line (if the new file cannot
 * be opened, it keeps writing to the old one and logs why). {@link #close} writes what is queued,
 * flushes, closes the file and waits up to {@link #CLOSE_TIMEOUT} for the thread to end. Lines
 * written while or after it closes may be lost.
 *
 * <p>Threading: {@code write}, {@code dropped} and {@code reopen} may be called from any thread;
 * the file is touched only by the writer thread (and by {@code open}).
 */
public final class AccessLogWriter implements AutoCloseable {
  static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
  static final String STDOUT = "stdout";

  private static final Logger log = LoggerFactory.getLogger(AccessLogWriter.class);
  private static final int MAX_BATCH = 512;
  private static final int BUFFER_SIZE = 64 * 1024;

  /** Queued by close and reopen to wake an idle writer thread; compared by identity. */
  private static final String WAKE_UP = new String("wake up");

  private final String path;
  private final BlockingQueue<String> queue;
  private final LongAdder dropped = new LongAdder();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Runnable onIdle;
  private volatile boolean reopenRequested;
  private volatile boolean closing;

  /** Only the writer thread uses the stream after the constructor. */
  private Writer out;

  private boolean failing;

  /**
   * Opens {@code path} for appending (creating the file, not its directory), or standard output for
   * {@code "stdout"}, and starts the writer thread.
   *
   * @param capacity lines that may wait for the writer thread before new ones are dropped
   * @throws IOException naming the path and why it cannot be opened
   */
  public static AccessLogWriter open(String path, int capacity) throws IOException {
    return new AccessLogWriter(
        path,
        capacity,
        r -> {
          Thread t = new Thread(r, "wharf-access-log " + path);
          t.setDaemon(true);
          return t;
        },
        () -> {});
  }

  /**
   * For tests: {@code threads} makes the writer thread (a test can hold it back), and {@code
   * onIdle} runs on it each time it has flushed everything queued.
   */
  AccessLogWriter(String path, int capacity, ThreadFactory threads, Runnable onIdle)
      throws IOException {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity: " + capacity + " (expected: >= 1)");
    }
    this.path = path;
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.onIdle = onIdle;
    this.out = openStream(path);
    threads.newThread(this::run).start();
  }

  /** The configured path, {@code "stdout"} included. */
  public String path() {
    return path;
  }

  /**
   * Queues {@code line} (without its line break). Never blocks; returns false, and counts a drop,
   * when the queue is full or the writer is closed.
   */
  public boolean write(String line) {
    if (closing || !queue.offer(line)) {
      dropped.increment();
      return false;
    }
    return true;
  }

  /** Lines dropped since the writer was opened. */
  public long dropped() {
    return dropped.sum();
  }

  /** The file is closed and opened again at the same path before the next line is written. */
  public void reopen() {
    reopenRequested = true;
    queue.offer(WAKE_UP); // when full, the thread is busy anyway and will see the flag
  }

  /** Writes what is queued, closes the file and stops the thread, waiting a bounded time. */
  @Override
  public void close() {
    closing = true;
    queue.offer(WAKE_UP);
    try {
      if (!stopped.await(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn(
            "access log {}: writer did not finish within {}; queued lines may be lost",
            path,
            CLOSE_TIMEOUT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run() {
    List<String> batch = new ArrayList<>(MAX_BATCH);
    try {
      while (true) {
        if (queue.drainTo(batch, MAX_BATCH) == 0) {
          flush();
          onIdle.run();
          // close() sets the flag before it queues WAKE_UP, so a close that races with this
          // check still wakes the take below; lines queued before the close are written first.
          if (closing && queue.isEmpty()) {
            return;
          }
          batch.add(queue.take());
        }
        if (reopenRequested) {
          reopenRequested = false;
          reopenNow();
        }
        writeBatch(batch);
        batch.clear();
      }
    } catch (InterruptedException e) {
      log.warn("access log {}: writer interrupted; queued lines are lost", path);
    } finally {
      closeStream();
      stopped.countDown();
    }
  }

  private void writeBatch(List<String> batch) {
    try {
      for (String line : batch) {
        if (line != WAKE_UP) { // identity: the marker, not a line that reads the same
          out.write(line);
          out.write('\n');
        }
      }
      recovered();
    } catch (IOException e) {
      failed("cannot write", e);
    }
  }

  private void flush() {
    try {
      out.flush();
      recovered();
    } catch (IOException e) {
      failed("cannot write", e);
    }
  }

  private void reopenNow() {
    if (path.equals(STDOUT)) {
      return;
    }
    Writer next;
    try {
      next = openStream(path);
    } catch (IOException e) {
      log.error("{}; still writing to the file opened before", e.getMessage());
      return;
    }
    closeStream();
    out = next;
  }

  private void closeStream() {
    try {
      if (path.equals(STDOUT)) {
        out.flush();
      } else {
        out.close();
      }
    } catch (IOException e) {
      failed("cannot close", e);
    }
  }

  /** Logs the first failure of a run of failures (a full disk fails every batch). */
  private void failed(String what, IOException e) {
    if (!failing) {
      failing = true;
      log.error("access log {}: {}: {}", path, what, e.toString());
    }
  }

  private void recovered() {
    if (failing) {
      failing = false;
      log.info("access log {}: writing again", path);
    }
  }

  private static Writer openStream(String path) throws IOException {
    OutputStream stream;
    if (path.equals(STDOUT)) {
      stream = System.out;
    } else {
      try {
        // FileOutputStream, not a FileChannel: an interrupt must not close the log file.
        stream = new FileOutputStream(path, true);
      } catch (FileNotFoundException | SecurityException e) {
        throw new IOException(
            "access log " + path + ": cannot open: " + reason(path, e.getMessage()), e);
      }
    }
    return new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), BUFFER_SIZE);
  }

  /** FileOutputStream says "PATH (REASON)"; the caller names the path already. */
  private static String reason(String path, String message) {
    if (message != null && message.startsWith(path + " (") && message.endsWith(")")) {
      return message.substring(path.length() + 2, message.length() - 1);
    }
    return String.valueOf(message);
  }
}
