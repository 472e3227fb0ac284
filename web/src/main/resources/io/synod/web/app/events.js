// The live deliveries: one WebSocket to /api/events, reopened by itself with a growing delay
// (0.5 s doubling to 8 s). Each (re)open calls onOpen so the pages fill what they missed from
// history by seq.
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 8000;

export class Events {
  constructor({ onEvent, onOpen, onState }) {
    this.onEvent = onEvent; this.onOpen = onOpen; this.onState = onState;
    this.retryMs = RETRY_MIN_MS; this.socket = null; this.stopped = true;
  }

  start() { this.stopped = false; this.open(); }

  stop() {
    this.stopped = true;
    if (this.socket) this.socket.close();
    this.socket = null;
  }

  open() {
    if (this.stopped) return;
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const socket = new WebSocket(`${scheme}://${location.host}/api/events`);
    this.socket = socket;
    this.onState('connecting');
    socket.addEventListener('message', (e) => {
      let event;
      try { event = JSON.parse(e.data); } catch { return; }
      if (event.type === 'hello') {
        this.retryMs = RETRY_MIN_MS;
        this.onState('live');
        this.onOpen();
      } else {
        this.onEvent(event);
      }
    });
    socket.addEventListener('close', (e) => {
      if (this.socket !== socket) return;
      this.onState('reconnecting');
      const delay = this.retryMs;
      this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs * 2);
      // 4401: the web process forgot the session (it restarted): log in again, then reopen.
      setTimeout(() => (e.code === 4401 ? this.onExpired().finally(() => this.open()) : this.open()), delay);
    });
  }

  onExpired() { return Promise.resolve(); }
}
