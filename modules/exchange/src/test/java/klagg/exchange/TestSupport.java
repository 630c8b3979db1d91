package klagg.exchange;

import io.vertx.core.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Small helpers for tests run on the JUnit thread (never on an event loop). */
final class TestSupport {
  private TestSupport() {}

  static <T> T await(Future<T> f) {
    return await(f, 10_000);
  }

  static <T> T await(Future<T> f, long timeoutMs) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new AssertionError("future failed: " + e.getCause(), e.getCause());
    } catch (Exception e) {
      throw new AssertionError("future did not complete in " + timeoutMs + " ms", e);
    }
  }

  static Throwable awaitFailure(Future<?> f, long timeoutMs) {
    try {
      f.toCompletionStage().toCompletableFuture().get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError("future did not complete in " + timeoutMs + " ms", e);
    }
    throw new AssertionError("future succeeded, expected a failure");
  }

  /** Waits until {@code cond} holds, polling, or fails with {@code what} after the deadline. */
  static void awaitUntil(String what, long timeoutMs, BooleanSupplier cond) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeoutMs + " ms waiting for: " + what);
      }
      try {
        Thread.sleep(5); // poll interval of the deadline-bounded wait, not a stand-in for a condition
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }
}
