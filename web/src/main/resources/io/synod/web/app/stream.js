// One ordered stream of messages (a channel by seq, a conversation by conversation_seq): accepts
// live and fetched copies in any order, shows each number once and in order, and fetches from
// history whatever is missing below the highest number seen.
const FETCH_PAGES_MAX = 40;
const SHOWN_MAX = 500;

export class Stream {
  // fetchPage(afterSeq) -> {messages, next_seq, more}; render(payload) -> element
  constructor(key, seqOf, fetchPage, render) {
    this.key = key; this.seqOf = seqOf; this.fetchPage = fetchPage; this.render = render;
    this.last = 0;              // every number up to this one has been shown
    this.pending = new Map();   // numbers above last+1, waiting for the gap below them
    this.shown = [];            // [seq, element] in order, at most SHOWN_MAX
    this.filling = null;
    this.container = null;
    this.unread = 0;
  }

  attach(container) {
    this.container = container;
    container.replaceChildren(...this.shown.map(([, el]) => el));
    container.scrollTop = container.scrollHeight;
  }

  detach() { this.container = null; }

  // Returns true when the message was new.
  accept(payload) {
    const seq = this.seqOf(payload);
    if (!Number.isInteger(seq) || seq <= this.last || this.pending.has(seq)) return false;
    if (seq !== this.last + 1) {
      this.pending.set(seq, payload);
      this.fill().catch(() => {}); // retried on the next delivery or reconnection
      return true;
    }
    this.append(seq, payload);
    while (this.pending.has(this.last + 1)) {
      const next = this.pending.get(this.last + 1);
      this.pending.delete(this.last + 1);
      this.append(this.last + 1, next);
    }
    return true;
  }

  append(seq, payload) {
    this.last = seq;
    const el = this.render(payload);
    el.dataset.seq = String(seq);
    this.shown.push([seq, el]);
    if (this.shown.length > SHOWN_MAX) {
      const [, old] = this.shown.shift();
      old.remove();
    }
    if (this.container) {
      const atBottom = this.container.scrollHeight - this.container.scrollTop - this.container.clientHeight < 40;
      this.container.append(el);
      if (atBottom) this.container.scrollTop = this.container.scrollHeight;
    }
  }

  // Fetches everything after `last` (one fill at a time; a request during a fill runs after it).
  fill() {
    if (this.filling) { this.again = true; return this.filling; }
    this.filling = (async () => {
      try {
        for (let page = 0; page < FETCH_PAGES_MAX; page++) {
          const reply = await this.fetchPage(this.last);
          for (const message of reply.messages || []) this.accept(message);
          if (!reply.more || !(reply.messages || []).length) break;
        }
      } finally {
        this.filling = null;
        if (this.again) { this.again = false; this.fill().catch(() => {}); }
      }
    })();
    return this.filling;
  }
}
