// The live event stream: one WebSocket to /api/events/stream that reconnects
// by itself with exponential backoff (0.5 s doubling to 10 s, with jitter)
// after a network drop or a server restart. A "ping" every 15 s that gets no
// "pong" within 5 s counts as a dead connection. Listeners get every event;
// status listeners get 'connecting' | 'open' | 'down' and, after each
// (re)connection's hello, a 'resync' so views re-fetch what they missed.

export class EventStream {
  constructor(tokenFn) {
    this.tokenFn = tokenFn;
    this.listeners = new Set();
    this.statusListeners = new Set();
    this.status = 'down';
    this.attempt = 0;
    this.retryAt = 0;
    this.ws = null;
    this.timer = 0;
    this.pingTimer = 0;
    this.pongDeadline = 0;
    this.stopped = true;
    this.onOnline = () => this.reconnectNow();
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    window.addEventListener('online', this.onOnline);
    this.connect();
  }

  stop() {
    this.stopped = true;
    window.removeEventListener('online', this.onOnline);
    clearTimeout(this.timer);
    clearInterval(this.pingTimer);
    if (this.ws) {
      this.ws.onclose = null;
      this.ws.close();
      this.ws = null;
    }
    this.setStatus('down');
  }

  on(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  onStatus(fn) {
    this.statusListeners.add(fn);
    return () => this.statusListeners.delete(fn);
  }

  setStatus(s, extra) {
    this.status = s;
    for (const fn of this.statusListeners) fn(s, extra);
  }

  reconnectNow() {
    if (this.stopped || this.status === 'open') return;
    clearTimeout(this.timer);
    this.connect();
  }

  connect() {
    if (this.stopped) return;
    const proto = location.protocol === 'https:' ? 'wss' : 'ws';
    // The token travels as a subprotocol, so it stays out of URLs and access logs.
    const url = `${proto}://${location.host}/api/events/stream`;
    this.setStatus('connecting');
    let ws;
    try {
      ws = new WebSocket(url, [`bearer.${this.tokenFn()}`]);
    } catch {
      return this.scheduleRetry();
    }
    this.ws = ws;
    ws.onmessage = (m) => {
      let ev;
      try {
        ev = JSON.parse(m.data);
      } catch {
        return;
      }
      if (ev.type === 'pong') {
        this.pongDeadline = 0;
        return;
      }
      if (ev.type === 'hello') {
        this.attempt = 0;
        this.setStatus('open');
        this.setStatus('resync');
        this.startPing();
        return;
      }
      ev.received = performance.now();
      for (const fn of this.listeners) fn(ev);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      clearInterval(this.pingTimer);
      this.scheduleRetry();
    };
    ws.onerror = () => {
      /* onclose follows */
    };
  }

  startPing() {
    clearInterval(this.pingTimer);
    this.pongDeadline = 0;
    this.pingTimer = setInterval(() => {
      const ws = this.ws;
      if (!ws || ws.readyState !== 1) return;
      if (this.pongDeadline && Date.now() > this.pongDeadline) {
        // Half-open connection: drop it and reconnect.
        ws.onclose = null;
        ws.close();
        this.ws = null;
        clearInterval(this.pingTimer);
        return this.scheduleRetry();
      }
      if (!this.pongDeadline) this.pongDeadline = Date.now() + 5000;
      ws.send('ping');
    }, 15000);
  }

  scheduleRetry() {
    if (this.stopped) return;
    const base = Math.min(10000, 500 * 2 ** this.attempt);
    const delay = Math.round(base * (0.6 + Math.random() * 0.4));
    this.attempt += 1;
    this.retryAt = Date.now() + delay;
    this.setStatus('down', { retryAt: this.retryAt });
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), delay);
  }
}
