package klagg.exchange;

import klagg.core.Decimals;

/**
 * One REST kline ({@code [openTime, "o", "h", "l", "c", "v", closeTime, "qv", n, "tbv", "tbqv",
 * "0"]}) kept exactly: the decimal strings as printed, and their exact fixed-point mantissas with
 * scales (trailing zeros stripped) from {@link Decimals#parse}.
 */
public final class RestKline {
  public final long openTime;
  public final String open;
  public final String high;
  public final String low;
  public final String close;
  public final String volume;
  public final long closeTime;
  public final String quoteVolume;
  public final long trades;
  public final String takerBuyBaseVolume;
  public final String takerBuyQuoteVolume;

  public final long openM;
  public final int openScale;
  public final long highM;
  public final int highScale;
  public final long lowM;
  public final int lowScale;
  public final long closeM;
  public final int closeScale;
  public final long volumeM;
  public final int volumeScale;
  public final long quoteVolumeM;
  public final int quoteVolumeScale;
  public final long takerBuyBaseM;
  public final int takerBuyBaseScale;
  public final long takerBuyQuoteM;
  public final int takerBuyQuoteScale;

  public RestKline(long openTime, String open, String high, String low, String close, String volume,
      long closeTime, String quoteVolume, long trades, String takerBuyBaseVolume,
      String takerBuyQuoteVolume) {
    int[] s = new int[1];
    this.openTime = openTime;
    this.open = open;
    this.high = high;
    this.low = low;
    this.close = close;
    this.volume = volume;
    this.closeTime = closeTime;
    this.quoteVolume = quoteVolume;
    this.trades = trades;
    this.takerBuyBaseVolume = takerBuyBaseVolume;
    this.takerBuyQuoteVolume = takerBuyQuoteVolume;
    openM = Decimals.parse(open, s);
    openScale = s[0];
    highM = Decimals.parse(high, s);
    highScale = s[0];
    lowM = Decimals.parse(low, s);
    lowScale = s[0];
    closeM = Decimals.parse(close, s);
    closeScale = s[0];
    volumeM = Decimals.parse(volume, s);
    volumeScale = s[0];
    quoteVolumeM = Decimals.parse(quoteVolume, s);
    quoteVolumeScale = s[0];
    takerBuyBaseM = Decimals.parse(takerBuyBaseVolume, s);
    takerBuyBaseScale = s[0];
    takerBuyQuoteM = Decimals.parse(takerBuyQuoteVolume, s);
    takerBuyQuoteScale = s[0];
  }

  @Override
  public String toString() {
    return "RestKline[" + openTime + " o=" + open + " h=" + high + " l=" + low + " c=" + close + " v="
        + volume + " T=" + closeTime + " qv=" + quoteVolume + " n=" + trades + " tbv="
        + takerBuyBaseVolume + " tbqv=" + takerBuyQuoteVolume + "]";
  }
}
