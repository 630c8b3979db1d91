package klagg.exchange;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The parts of {@code exchangeInfo} klagg needs: server time and the symbols. */
public record ExchangeInfo(long serverTime, List<SymbolInfo> symbols) {

  /**
   * One symbol. {@code tickSize}/{@code stepSize} are the exchange's strings (null when the filter is
   * absent); {@code priceScale}/{@code qtyScale} their significant decimals ({@code "0.01000000"}
   * gives 2), -1 when unknown. {@code pricePrecision}/{@code quantityPrecision} are the futures fields,
   * null when absent.
   */
  public record SymbolInfo(String symbol, String status, String baseAsset, String quoteAsset,
      String tickSize, int priceScale, String stepSize, int qtyScale, Integer pricePrecision,
      Integer quantityPrecision) {
    public boolean trading() {
      return "TRADING".equals(status);
    }
  }

  public Map<String, SymbolInfo> bySymbol() {
    return symbols.stream().collect(Collectors.toMap(SymbolInfo::symbol, Function.identity(), (a, b) -> b));
  }
}
