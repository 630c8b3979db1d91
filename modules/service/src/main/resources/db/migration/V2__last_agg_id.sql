-- The symbol's last applied aggregate trade id when the row was written (NULL: not known, e.g. a
-- kline from the exchange's REST API). Every kline of a symbol is written in one statement, so the
-- highest value among a symbol's latest rows is the aggregate id its stored state includes: a
-- restart seeds its book from these rows and asks the exchange only for the trades after it.
ALTER TABLE ${schema}.klines ADD COLUMN last_agg_id bigint;
