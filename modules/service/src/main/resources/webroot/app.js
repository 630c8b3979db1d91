/* klagg dashboard: candlesticks + volume from /api/v3/klines, live from the /stream WebSocket,
   system panel from /api/klagg/status and /health. No build step. */
(function () {
  'use strict';
  const LWC = window.LightweightCharts;
  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.search);

  // state, also read by the browser tests
  const st = window.klagg = {
    symbols: [], info: {}, intervals: [], symbol: null, interval: null,
    bars: [], live: 0, loading: false, exhausted: false, ws: null, loads: 0, lastStatus: null,
    stale: new Set(),
  };

  // ------------------------------------------------------------------ chart
  const chart = LWC.createChart($('chart'), {
    autoSize: true,
    layout: { background: { type: 'solid', color: '#0b0e11' }, textColor: '#9aa4af', fontSize: 12 },
    grid: { vertLines: { color: '#161b22' }, horzLines: { color: '#161b22' } },
    rightPriceScale: { borderColor: '#222a33' },
    timeScale: { borderColor: '#222a33', timeVisible: true, secondsVisible: false, rightOffset: 6 },
    crosshair: { mode: 0 },
  });
  const candles = chart.addSeries(LWC.CandlestickSeries, {
    upColor: '#26a69a', downColor: '#ef5350', borderVisible: false, wickUpColor: '#26a69a', wickDownColor: '#ef5350',
  });
  const volume = chart.addSeries(LWC.HistogramSeries, { priceFormat: { type: 'volume' }, priceScaleId: 'vol', lastValueVisible: false, priceLineVisible: false });
  chart.priceScale('vol').applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
  candles.priceScale().applyOptions({ scaleMargins: { top: 0.08, bottom: 0.25 } });

  function decimals(step) {
    if (!step) return 2;
    const s = String(step).replace(/0+$/, '');
    const i = s.indexOf('.');
    return i < 0 ? 0 : Math.max(0, s.length - i - 1);
  }
  function fmtPrice(x) {
    const info = st.info[st.symbol];
    return Number(x).toFixed(info ? info.priceDecimals : 2);
  }
  function fmtNum(x, d) {
    if (x === null || x === undefined || Number.isNaN(x)) return '—';
    return Number(x).toLocaleString('en-US', { minimumFractionDigits: d || 0, maximumFractionDigits: d || 0 });
  }
  function fmtVol(x) {
    x = Number(x);
    if (x >= 1e9) return (x / 1e9).toFixed(2) + 'B';
    if (x >= 1e6) return (x / 1e6).toFixed(2) + 'M';
    if (x >= 1e3) return (x / 1e3).toFixed(2) + 'K';
    return x.toFixed(x < 10 ? 4 : 2);
  }

  // a Binance REST row or a stream kline to a bar
  function fromRow(r) {
    return { time: r[0] / 1000, open: +r[1], high: +r[2], low: +r[3], close: +r[4], volume: +r[5], n: r[8] };
  }
  function fromStream(k) {
    return { time: k.t / 1000, open: +k.o, high: +k.h, low: +k.l, close: +k.c, volume: +k.v, n: k.n };
  }
  function volBar(b) {
    return { time: b.time, value: b.volume, color: b.close >= b.open ? 'rgba(38,166,154,.45)' : 'rgba(239,83,80,.45)' };
  }
  function setAll() {
    candles.setData(st.bars);
    volume.setData(st.bars.map(volBar));
  }

  function legend(b) {
    if (!b) { $('legend').innerHTML = ''; return; }
    const cls = b.close >= b.open ? 'up' : 'down';
    $('legend').innerHTML = `<b>${st.symbol} · ${st.interval}</b>` +
      `O <span class="${cls}">${fmtPrice(b.open)}</span>  H <span class="${cls}">${fmtPrice(b.high)}</span>  ` +
      `L <span class="${cls}">${fmtPrice(b.low)}</span>  C <span class="${cls}">${fmtPrice(b.close)}</span>  ` +
      `V <span>${fmtVol(b.volume)}</span>  N <span>${b.n}</span>`;
  }
  chart.subscribeCrosshairMove((p) => {
    if (!p || !p.time) { legend(st.bars[st.bars.length - 1]); return; }
    const b = st.bars.find((x) => x.time === p.time);
    legend(b || st.bars[st.bars.length - 1]);
  });

  function quote() {
    const last = st.bars[st.bars.length - 1];
    $('cur-symbol').textContent = st.symbol || '—';
    staleBadge();
    if (!last) { $('cur-price').textContent = '—'; $('cur-change').textContent = '—'; return; }
    const dayAgo = last.time - 86400;
    const first = st.bars.find((b) => b.time >= dayAgo) || st.bars[0];
    const ch = first.open ? (last.close - first.open) / first.open * 100 : 0;
    $('cur-price').textContent = fmtPrice(last.close);
    $('cur-price').className = 'price num ' + (last.close >= last.open ? 'up' : 'down');
    $('cur-change').textContent = (ch >= 0 ? '+' : '') + ch.toFixed(2) + '%';
    $('cur-change').className = 'change num ' + (ch >= 0 ? 'up' : 'down');
    document.title = `${fmtPrice(last.close)} ${st.symbol} · klagg`;
  }

  // ------------------------------------------------------------------ data
  async function klines(q) {
    const r = await fetch('/api/v3/klines?' + new URLSearchParams(q));
    const body = await r.json();
    if (!r.ok) throw new Error(body.msg || r.statusText);
    return body;
  }

  let token = 0;
  async function load(symbol, interval) {
    const my = ++token;
    st.symbol = symbol; st.interval = interval; st.bars = []; st.exhausted = false; st.live = 0;
    history.replaceState(null, '', `?symbol=${symbol}&interval=${interval}`);
    document.querySelectorAll('#intervals button').forEach((b) => b.classList.toggle('active', b.dataset.iv === interval));
    $('symbol-search').value = '';
    $('symbol-search').placeholder = symbol;
    const info = st.info[symbol];
    if (info) candles.applyOptions({ priceFormat: { type: 'price', precision: info.priceDecimals, minMove: info.tick } });
    $('chart-msg').hidden = false; $('chart-msg').textContent = 'Loading…';
    connect(symbol, interval);
    try {
      const rows = await klines({ symbol, interval, limit: 500 });
      if (my !== token) return;
      const live = st.bars; // stream updates that came first win
      const m = new Map(rows.map((r) => [r[0] / 1000, fromRow(r)]));
      live.forEach((b) => m.set(b.time, b));
      st.bars = [...m.values()].sort((a, b) => a.time - b.time);
      st.exhausted = rows.length < 500;
      setAll();
      chart.timeScale().scrollToRealTime();
      st.loads++;
      $('chart-msg').hidden = st.bars.length > 0;
      $('chart-msg').textContent = st.bars.length ? '' : 'No klines yet';
      legend(st.bars[st.bars.length - 1]); quote();
    } catch (e) {
      if (my === token) { $('chart-msg').hidden = false; $('chart-msg').textContent = 'Error: ' + e.message; }
    }
  }

  // history when scrolling back
  chart.timeScale().subscribeVisibleLogicalRangeChange((range) => {
    if (range && range.from <= 30) scrollBack();
  });
  // scroll to the oldest bar (a user dragging back); the range change asks for older history, and so does
  // this call itself, so that a history request that failed or timed out is retried by scrolling again
  window.klaggScrollBack = () => { chart.timeScale().scrollToPosition(-st.bars.length + 10, false); scrollBack(); };
  async function scrollBack() {
    if (st.loading || st.exhausted || !st.bars.length) return;
    st.loading = true;
    const my = token;
    try {
      const rows = await klines({ symbol: st.symbol, interval: st.interval, endTime: st.bars[0].time * 1000 - 1, limit: 500 });
      if (my !== token) return;
      if (rows.length === 0) { st.exhausted = true; return; }
      const older = rows.map(fromRow).filter((b) => b.time < st.bars[0].time);
      if (older.length === 0) { st.exhausted = true; return; }
      st.bars = older.concat(st.bars);
      setAll();
      st.loads++;
    } catch (e) { /* keep what we have */ } finally { st.loading = false; }
  }

  // ------------------------------------------------------------------ live stream
  let retry = 0;
  function connect(symbol, interval) {
    if (st.ws) { st.ws.onclose = null; st.ws.close(); }
    const stream = `${symbol.toLowerCase()}@kline_${interval}`;
    const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/stream?streams=${stream}`);
    st.ws = ws;
    wsState('connecting', '');
    ws.onopen = () => { retry = 0; wsState('live', 'ok'); };
    ws.onmessage = (ev) => {
      const msg = JSON.parse(ev.data);
      const d = msg.data;
      if (!d || d.e !== 'kline' || d.s !== st.symbol || d.k.i !== st.interval) return;
      const b = fromStream(d.k);
      const last = st.bars[st.bars.length - 1];
      if (last && b.time < last.time) {
        const i = st.bars.findIndex((x) => x.time === b.time);
        if (i >= 0) { st.bars[i] = b; setAll(); }
        return;
      }
      if (last && last.time === b.time) st.bars[st.bars.length - 1] = b; else st.bars.push(b);
      candles.update(b);
      volume.update(volBar(b));
      st.live++;
      $('chart-msg').hidden = true;
      legend(b); quote();
    };
    ws.onclose = () => {
      wsState('reconnecting', 'bad');
      const delay = Math.min(10000, 500 * Math.pow(2, retry++));
      setTimeout(() => { if (st.ws === ws) connect(st.symbol, st.interval); }, delay);
    };
  }
  function wsState(text, cls) {
    $('ws-state').textContent = text;
    $('ws-dot').className = 'dot ' + cls;
  }

  // ------------------------------------------------------------------ symbol search
  const input = $('symbol-search');
  const list = $('symbol-list');
  let active = 0;
  function matches() {
    const q = input.value.trim().toUpperCase();
    const all = st.symbols;
    const starts = all.filter((s) => s.symbol.startsWith(q));
    const contains = q ? all.filter((s) => !s.symbol.startsWith(q) && s.symbol.includes(q)) : [];
    return starts.concat(contains).slice(0, 60);
  }
  function renderList() {
    const m = matches();
    list.innerHTML = '';
    m.forEach((s, i) => {
      const li = document.createElement('li');
      li.dataset.symbol = s.symbol;
      li.className = i === active ? 'active' : '';
      li.innerHTML = `<span>${s.baseAsset || s.symbol}<span class="q">/${s.quoteAsset || ''}</span></span><span class="q">${s.symbol}</span>`;
      li.onmousedown = (e) => { e.preventDefault(); choose(s.symbol); };
      list.appendChild(li);
    });
    list.hidden = m.length === 0;
  }
  function choose(sym) {
    list.hidden = true;
    input.blur();
    if (sym && st.info[sym]) load(sym, st.interval);
  }
  input.addEventListener('focus', () => { active = 0; renderList(); });
  input.addEventListener('input', () => { active = 0; renderList(); });
  input.addEventListener('blur', () => { list.hidden = true; });
  input.addEventListener('keydown', (e) => {
    const m = matches();
    if (e.key === 'ArrowDown') { active = Math.min(m.length - 1, active + 1); renderList(); e.preventDefault(); }
    else if (e.key === 'ArrowUp') { active = Math.max(0, active - 1); renderList(); e.preventDefault(); }
    else if (e.key === 'Enter') { if (m[active]) choose(m[active].symbol); }
    else if (e.key === 'Escape') { input.blur(); }
  });

  // ------------------------------------------------------------------ system panel
  function text(id, v) { const el = $(id); if (el.textContent !== String(v)) el.textContent = v; }
  function renderStatus(s) {
    st.lastStatus = s;
    const ing = s.ingest || {};
    text('s-conn', ing.connections ?? '—');
    text('s-streams', fmtNum(ing.streams));
    text('s-tps', fmtNum(s.tradesPerSec, 1));
    text('s-trades', fmtNum(ing.trades));
    // back-pressure: trades sent to a worker and not acknowledged, and the oldest one's age
    const lag = ing.lag || [];
    const worst = lag.reduce((a, w) => (w.trades > a.trades ? w : a), { trades: 0, ms: 0 });
    text('s-lag', lag.length ? `${fmtNum(worst.trades)} trades / ${fmtNum(Math.max(...lag.map((w) => w.ms)))} ms` : '—');
    $('s-lag').className = 'v num' + (lag.some((w) => w.shed) ? ' warn' : '');
    text('s-reading', ing.paused === undefined ? '—' : ing.paused ? 'paused (a worker lags)'
      : lag.some((w) => w.shed) ? 'on (a worker is shed)' : 'on');
    $('s-reading').className = 'v' + (ing.paused || lag.some((w) => w.shed) ? ' warn' : '');
    const lagOf = {};
    lag.forEach((w) => { lagOf[w.worker] = w; });
    const gw = s.gateway || {};
    text('s-cycle', gw.lastCycleMs !== undefined ? Number(gw.lastCycleMs).toFixed(2) + ' ms' : '—');
    const c = s.gatewayCycle;
    text('s-cycle-mm', c ? `${c.meanMs.toFixed(2)} / ${c.maxMs.toFixed(2)} ms` : '—');
    text('s-overruns', fmtNum(gw.overruns));
    text('s-symbols', fmtNum((s.web || {}).symbols));
    const sy = s.symbols || {};
    if (sy.tracked !== undefined) {
      const starting = sy.live < sy.tracked;
      text('s-live', `live ${fmtNum(sy.live)} of ${fmtNum(sy.tracked)}`);
      $('s-live').className = 'v num' + (starting ? ' warn' : '');
      // prominent while the service starts (or symbols are being seeded again)
      $('s-live-banner').hidden = !starting;
      if (starting) text('s-live-banner', `live ${fmtNum(sy.live)} of ${fmtNum(sy.tracked)} symbols · starting`);
      text('s-stale', fmtNum(sy.stale));
      $('s-stale').className = 'v num' + (sy.stale > 0 ? ' warn' : '');
      st.stale = new Set(sy.staleSymbols || []);
      staleBadge();
    }
    const ws = (gw.workers || []);
    const box = $('s-workers');
    if (box.children.length !== ws.length) {
      box.innerHTML = ws.map((w) => `<div class="worker" id="wk-${w.worker}"><span>#${w.worker}</span><span class="st"></span></div>`).join('');
    }
    ws.forEach((w) => {
      const el = $('wk-' + w.worker);
      if (!el) return;
      el.className = 'worker' + (w.breaker === 'open' ? ' open' : w.stale ? ' stale' : '');
      const l = lagOf[w.worker];
      el.title = `misses ${w.misses}, timeouts ${w.timeouts}` + (w.stale ? `, stale for ${w.staleForMs} ms` : '')
        + (l ? `, lag ${l.trades} trades / ${l.ms} ms` + (l.shed ? ' (shed)' : '') : '');
      el.querySelector('.st').textContent = w.breaker === 'open' ? 'open' : w.stale ? 'stale' : 'ok';
    });
    const db = s.persistence;
    if (db) {
      const ok = db.error ? false : (db.ok ?? db.connected ?? true);
      text('s-db', db.error ? 'error: ' + db.error : ok ? 'connected' : 'down');
      $('s-db').className = 'v ' + (ok ? 'up' : 'down');
      text('s-db-buf', fmtNum(db.buffered ?? db.buffer ?? db.pending));
      text('s-db-rate', s.persistRowsPerSec !== null && s.persistRowsPerSec !== undefined ? fmtNum(s.persistRowsPerSec, 1) : '—');
    } else {
      text('s-db', 'not deployed'); $('s-db').className = 'v';
    }
    const bf = s.backfill;
    const running = bf && (bf.running ?? (bf.total && bf.done < bf.total));
    $('backfill').hidden = !running;
    if (running) {
      const p = bf.progress !== undefined ? bf.progress : (bf.total ? bf.done / bf.total : 0);
      $('backfill-bar').style.width = (Math.max(0, Math.min(1, p)) * 100).toFixed(1) + '%';
      text('backfill-pct', (p * 100).toFixed(1) + '%');
      text('backfill-text', bf.total ? `${fmtNum(bf.done)} of ${fmtNum(bf.total)}${bf.symbol ? ' · ' + bf.symbol : ''}` : '');
    }
    const ct = s.counters || {};
    text('c-late', fmtNum(ct.lateApplied));
    text('c-late-dropped', fmtNum(ct.lateDropped));
    text('c-dup', fmtNum(ct.duplicate));
    text('c-gaps', `${fmtNum(ct.gaps)} / ${fmtNum(ct.repairs)}`);
    text('c-rej', fmtNum(ct.rejected));
    text('c-reconn', fmtNum(ct.reconnects));
    const w = (s.web || {}).websocket || {};
    text('w-conn', fmtNum(w.connections));
    text('w-confl', fmtNum(w.conflated));
    text('s-updated', s.time ? new Date(s.time).toISOString().substring(11, 19) + ' UTC' : '—');
  }
  // the selected symbol's worker missed the gateway's pull: its klines are the last known ones
  function staleBadge() {
    $('cur-stale').hidden = !(st.symbol && st.stale.has(st.symbol));
  }
  async function pollStatus() {
    try {
      const r = await fetch('/api/klagg/status');
      if (r.ok) renderStatus(await r.json());
    } catch (e) { /* next time */ }
  }
  async function pollHealth() {
    try {
      const r = await fetch('/health');
      const h = await r.json();
      const b = $('health-badge');
      b.textContent = h.ready ? 'ready' : 'not ready';
      b.className = 'badge ' + (h.ready ? 'ok' : 'bad');
    } catch (e) {
      $('health-badge').textContent = 'unreachable'; $('health-badge').className = 'badge bad';
    }
  }

  // ------------------------------------------------------------------ start
  async function init() {
    const r = await fetch('/api/v3/exchangeInfo');
    const info = await r.json();
    st.symbols = info.symbols;
    info.symbols.forEach((s) => {
      const pf = s.filters.find((f) => f.filterType === 'PRICE_FILTER') || {};
      const tick = +pf.tickSize || 0.01;
      st.info[s.symbol] = { ...s, tick, priceDecimals: decimals(pf.tickSize) };
    });
    st.intervals = info.klaggIntervals || ['1m', '5m', '15m', '30m', '1h', '4h', '1d', '1w'];
    $('intervals').innerHTML = st.intervals.map((iv) => `<button data-iv="${iv}">${iv}</button>`).join('');
    $('intervals').querySelectorAll('button').forEach((b) => b.addEventListener('click', () => load(st.symbol, b.dataset.iv)));
    const sym = params.get('symbol') && st.info[params.get('symbol')] ? params.get('symbol')
      : (st.info.BTCUSDT ? 'BTCUSDT' : (st.symbols[0] || {}).symbol);
    const iv = st.intervals.includes(params.get('interval')) ? params.get('interval') : st.intervals[0];
    pollStatus(); pollHealth();
    setInterval(pollStatus, 1000);
    setInterval(pollHealth, 5000);
    if (sym) load(sym, iv); else { $('chart-msg').hidden = false; $('chart-msg').textContent = 'No symbols tracked yet'; }
  }
  init().catch((e) => { $('chart-msg').hidden = false; $('chart-msg').textContent = 'Error: ' + e.message; });
})();
