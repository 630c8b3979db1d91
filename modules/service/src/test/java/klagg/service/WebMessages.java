package klagg.service;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Predicate;

/** Messages received by a test client, awaited by condition with a deadline. */
final class WebMessages<T> {
  private final Vertx vertx;
  private final List<T> received = new ArrayList<>();
  private final List<Object[]> waiters = new ArrayList<>();

  WebMessages(Vertx vertx) {
    this.vertx = vertx;
  }

  synchronized void add(T m) {
    received.add(m);
    Iterator<Object[]> it = waiters.iterator();
    while (it.hasNext()) {
      Object[] w = it.next();
      @SuppressWarnings("unchecked")
      Predicate<T> p = (Predicate<T>) w[0];
      if (p.test(m)) {
        it.remove();
        received.remove(m);
        @SuppressWarnings("unchecked")
        Promise<T> pr = (Promise<T>) w[1];
        pr.tryComplete(m);
        return;
      }
    }
  }

  /** The first message (already received or to come) matching {@code p}; consumed. */
  synchronized Future<T> next(String what, long timeoutMs, Predicate<T> p) {
    for (T m : received) {
      if (p.test(m)) {
        received.remove(m);
        return Future.succeededFuture(m);
      }
    }
    Promise<T> pr = Promise.promise();
    Object[] w = {p, pr};
    waiters.add(w);
    vertx.setTimer(timeoutMs, id -> {
      synchronized (this) {
        waiters.remove(w);
      }
      pr.tryFail("no message (" + what + ") within " + timeoutMs + " ms");
    });
    return pr.future();
  }

  synchronized int size() {
    return received.size();
  }
}
