-- klagg klines, one row per (symbol, interval, open time), in Binance's fields.
-- ${schema} is replaced by the quoted db.schema at apply time.
-- Numbers are exact numeric at the symbol's own scales (prices at the price scale, base volumes at
-- the quantity scale, quote volumes at the sum of both); times are epoch milliseconds, UTC.
CREATE TABLE ${schema}.klines (
  symbol                 text        NOT NULL,
  interval               text        NOT NULL,
  open_time              bigint      NOT NULL,
  close_time             bigint      NOT NULL,
  open                   numeric     NOT NULL,
  high                   numeric     NOT NULL,
  low                    numeric     NOT NULL,
  close                  numeric     NOT NULL,
  volume                 numeric     NOT NULL,
  quote_volume           numeric     NOT NULL,
  trades                 bigint      NOT NULL,
  taker_buy_volume       numeric     NOT NULL,
  taker_buy_quote_volume numeric     NOT NULL,
  first_trade_id         bigint      NOT NULL,
  last_trade_id          bigint      NOT NULL,
  closed                 boolean     NOT NULL,
  updated_at             timestamptz NOT NULL DEFAULT now(),
  -- the primary key's index serves range reads by (symbol, interval, open_time)
  CONSTRAINT klines_pkey PRIMARY KEY (symbol, interval, open_time)
);
