package klagg.sim;

/** Receives trades in aggregate-id order. Return false to stop. */
@FunctionalInterface
public interface TradeVisitor {
  boolean trade(long aggId, long price, long qty, long firstId, long lastId, long time, boolean buyerMaker);
}
