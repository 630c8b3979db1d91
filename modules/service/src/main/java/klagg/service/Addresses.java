package klagg.service;

/**
 * Every event-bus address klagg uses, in one place. Dotted names. Event-bus bridge clients (SockJS,
 * TCP) may register only on outbound addresses ({@link #OUT_PREFIX}: {@link #CHANGES_OUT} and
 * {@link #klineOut}) and send only to inbound ones ({@link #IN_PREFIX}: {@link #QUERY_IN}); the two
 * prefixes never overlap, so no client can listen where another client's requests go.
 */
public final class Addresses {
  private Addresses() {}

  /** Trade batches for worker {@code i} (TradeBatch, local codec). */
  public static String workerTrades(int i) {
    return "klagg.worker." + i + ".trades";
  }

  /**
   * Gateway pull of worker {@code i}: body = PullRequest (acknowledged epoch, newest fencing token
   * seen for the shard), reply = KlineDelta under the worker's token, or failure {@link #FENCED}.
   */
  public static String workerPull(int i) {
    return "klagg.worker." + i + ".pull";
  }

  /** Failure code of a pull answered by a worker that was fenced (it stands down). */
  public static final int FENCED = 409;

  /** Control of worker {@code i}: JSON {op: add|remove|feedDown|feedUp|stall, ...}. */
  public static String workerControl(int i) {
    return "klagg.worker." + i + ".control";
  }

  /**
   * A node that can run workers takes over a lost shard: JSON {shard, lostSince, fence}. Sent by the
   * gateway when no node answers for a shard any more; {@code fence} is the newest fencing token it
   * saw for the shard, which the new owner's token exceeds.
   */
  public static final String WORKERS_ADOPT = "klagg.workers.adopt";

  /** The clock's current offset: request {} → {serverTime, offset}, for verticles that start between ticks. */
  public static final String CLOCK_NOW = "klagg.clock.now";

  /** Published by the clock just after each whole minute of server time: JSON {serverTime, offset}. */
  public static final String TICK = "klagg.clock.tick";

  /** Published by the gateway once per cycle: CycleUpdate (local). */
  public static final String CYCLE = "klagg.gateway.cycle";

  /** Klines to store: CycleUpdate (local). */
  public static final String PERSIST = "klagg.persist.klines";

  /**
   * Stored klines of one series: JSON {symbol, interval, startTime?, endTime?, limit?, priceDigits?,
   * qtyDigits?} → {klines: [[t,"o","h","l","c","v",T,"q",n,"V","Q"], ...]} ascending by open time.
   */
  public static final String HISTORY_QUERY = "klagg.history.query";

  /**
   * The latest stored kline of every (symbol, interval), for start-up resume: JSON {} →
   * {latest: [{symbol, interval, openTime, closed, kline: [...], firstTradeId, lastTradeId}]}.
   */
  public static final String HISTORY_LATEST = "klagg.history.latest";

  /**
   * Persistence: the stored state of symbols, for seeding workers at start. Request
   * {@code {symbols: [...]}} → {@code {states: {SYM: {lastAggId, klines: [exact]}}, unusable: {SYM: reason}}}.
   */
  public static final String HISTORY_STATE = "klagg.history.state";

  /** Ingest control: JSON {op: subscribe|unsubscribe, symbols: [{id, symbol}]}. */
  public static final String INGEST_CONTROL = "klagg.ingest.control";

  /** Symbols seen on the exchange's miniTicker that the directory does not know: JSON {symbols: [...]}. */
  public static final String SYMBOLS_SEEN = "klagg.symbols.seen";

  /** Published on every symbol change: JSON {op: added|removed, id, symbol, priceScale, qtyScale, ...}. */
  public static final String SYMBOLS_EVENTS = "klagg.symbols.events";

  /** Request the directory's current symbol table: reply JSON {symbols: [...]}. */
  public static final String SYMBOLS_LIST = "klagg.symbols.list";

  /** Exchange REST, all through one weight-aware client. JSON requests and replies. */
  public static final String REST_TIME = "klagg.rest.time";
  public static final String REST_EXCHANGE_INFO = "klagg.rest.exchangeInfo";
  public static final String REST_SEED = "klagg.rest.seed";
  public static final String REST_AGG_TRADES = "klagg.rest.aggTrades";
  public static final String REST_LATEST = "klagg.rest.latest";
  public static final String REST_KLINES = "klagg.rest.klines";

  /** Status queries (health): reply JSON. */
  public static final String STATUS_GATEWAY = "klagg.status.gateway";
  public static final String STATUS_INGEST = "klagg.status.ingest";

  /** Optional status of persistence and backfill (health, dashboard): reply JSON when deployed. */
  public static final String STATUS_PERSISTENCE = "klagg.status.persistence";
  public static final String STATUS_BACKFILL = "klagg.status.backfill";

  /** The symbol directory's state (health): tracked, halted, refresh results, a held answer. */
  public static final String STATUS_SYMBOLS = "klagg.status.symbols";

  /** Prefix of the addresses event-bus clients may register on (klagg publishes, clients listen). */
  public static final String OUT_PREFIX = "klagg.out.";

  /** Prefix of the addresses event-bus clients may send requests to (clients ask, klagg answers). */
  public static final String IN_PREFIX = "klagg.in.";

  /** Prefix of the per-kline outbound addresses. */
  public static final String KLINE_OUT_PREFIX = OUT_PREFIX + "kline.";

  /** Published per changed kline: Binance's kline stream payload (JSON). */
  public static String klineOut(String symbol, String interval) {
    return KLINE_OUT_PREFIX + symbol + "." + interval;
  }

  /**
   * Published per gateway cycle: JSON {E, cycle, klines: [kline payloads]} of the klines that changed
   * in it ({@code klagg.out.changes}; it was {@code klagg.out.snapshot}, which it never was).
   */
  public static final String CHANGES_OUT = OUT_PREFIX + "changes";

  /**
   * The one inbound bridge address ({@code klagg.in.query}; it was {@code klagg.out.query}): request
   * {symbol, interval, limit, startTime?, endTime?}, reply {symbol, interval, klines}.
   */
  public static final String QUERY_IN = IN_PREFIX + "query";

  /** The bridges' outbound allow-list as a regex: {@link #CHANGES_OUT} and {@code klagg.out.kline.<...>}. */
  public static final String OUT_PERMITTED_REGEX = "klagg\\.out\\.(changes|kline\\..+)";

  /** Whether a bridge client may register on {@code address}: outbound addresses only. */
  public static boolean bridgeMayRegister(String address) {
    return address != null && (address.equals(CHANGES_OUT)
        || address.startsWith(KLINE_OUT_PREFIX) && address.length() > KLINE_OUT_PREFIX.length());
  }

  /** Whether a bridge client may send a request to {@code address}: inbound addresses only. */
  public static boolean bridgeMaySend(String address) {
    return QUERY_IN.equals(address);
  }
}
