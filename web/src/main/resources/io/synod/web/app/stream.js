// One ordered stream of messages (a channel by seq, a conversation by conversation_seq): accepts
// live and fetched copies in any order, shows each number once and in order, and fetches from
// history whatever is missing below the highest number seen. Opening a long stream reads only its
// newest page; scrolling to the top of the list, or the "Load older messages" button, loads the
// page before the oldest one shown.
const FETCH_PAGES_MAX = 40;   // pages of FETCH_PAGE_LIMIT read by one fill
const FETCH_PAGE_LIMIT = 500; // the web API's largest history page
const PAGE = 100;             // messages shown on opening, and loaded per scroll to the top
const SHOWN_MAX = 2000;       // elements kept per stream; beyond it older pages stop loading
const PROBE_MAX = 64;         // one-message history reads spent finding where the newest page starts
const TOP_PX = 40;            // this close to the top, the previous page loads

export class Stream {
  // fetchPage(afterSeq, limit) -> {messages, next_seq, more}; render(payload) -> element
  constructor(key, seqOf, fetchPage, render) {
    this.key = key; this.seqOf = seqOf; this.fetchPage = fetchPage; this.render = render;
    this.last = 0;              // every number up to this one has been shown (or lies below `first`)
    this.first = 1;             // the oldest number that may be shown; older ones load on scroll
    this.located = false;       // whether the newest page was found (done once per stream)
    this.pending = new Map();   // numbers above last+1, waiting for the gap below them
    this.shown = [];            // [seq, element] in order, at most SHOWN_MAX
    this.filling = null;
    this.older = null;
    this.container = null;
    this.unread = 0;
    this.onRange = () => {};    // called when hasOlder() may have changed
  }

  // Whether older messages than the oldest shown can still be loaded.
  hasOlder() { return this.first > 1 && this.shown.length < SHOWN_MAX; }

  attach(container) {
    this.container = container;
    container.replaceChildren(...this.shown.map(([, el]) => el));
    container.scrollTop = container.scrollHeight;
    container.onscroll = () => { if (container.scrollTop < TOP_PX) this.loadOlder().catch(() => {}); };
    this.onRange();
  }

  detach() { this.container = null; this.onRange = () => {}; }

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

  element(seq, payload) {
    const el = this.render(payload);
    el.dataset.seq = String(seq);
    return el;
  }

  append(seq, payload) {
    this.last = seq;
    const el = this.element(seq, payload);
    this.shown.push([seq, el]);
    if (this.shown.length > SHOWN_MAX) {
      const [, old] = this.shown.shift();
      old.remove();
      this.first = this.shown[0][0];
      this.onRange();
    }
    if (this.container) {
      const atBottom = this.container.scrollHeight - this.container.scrollTop - this.container.clientHeight < TOP_PX;
      this.container.append(el);
      if (atBottom) this.container.scrollTop = this.container.scrollHeight;
    }
  }

  // Fetches everything after `last` (one fill at a time; a request during a fill runs after it).
  fill() {
    if (this.filling) { this.again = true; return this.filling; }
    this.filling = (async () => {
      try {
        if (!this.located) await this.locateNewestPage();
        for (let page = 0; page < FETCH_PAGES_MAX; page++) {
          const reply = await this.fetchPage(this.last, FETCH_PAGE_LIMIT);
          for (const message of reply.messages || []) this.accept(message);
          if (!reply.more || !(reply.messages || []).length) break;
        }
        this.topUp();
      } finally {
        this.filling = null;
        if (this.again) { this.again = false; this.fill().catch(() => {}); }
      }
    })();
    return this.filling;
  }

  // A stream of more than PAGE messages opens at its newest PAGE: history pages go forward from
  // after_seq, so the highest number is found by doubling, then halving, one-message reads.
  async locateNewestPage() {
    if (this.last > 0) { this.located = true; return; }
    const head = await this.fetchPage(0, PAGE);
    const messages = head.messages || [];
    if (!head.more || messages.length === 0) { this.located = true; return; }
    let low = this.seqOf(messages[messages.length - 1]); // exists
    let high = null;                                     // does not exist
    let step = PAGE;
    let probes = 0;
    const probe = async (seq) => {
      probes += 1;
      const reply = await this.fetchPage(seq - 1, 1);
      const found = (reply.messages || [])[0];
      return found ? this.seqOf(found) : null;
    };
    while (high === null && probes < PROBE_MAX) {
      const found = await probe(low + step);
      if (found === null) high = low + step; else { low = found; step *= 2; }
    }
    while (high !== null && high - low > 1 && probes < PROBE_MAX) {
      const middle = Math.floor((low + high) / 2);
      const found = await probe(middle);
      if (found === null || found >= high) high = middle; else low = found;
    }
    if (this.last === 0) { // no live message arrived meanwhile
      this.last = Math.max(0, low - PAGE);
      this.first = this.last + 1;
      for (const seq of [...this.pending.keys()]) if (seq <= this.last) this.pending.delete(seq);
    }
    this.located = true;
    this.onRange();
  }

  // Loads the PAGE messages before the oldest one shown, keeping what the reader sees in place.
  // Resolves to the number of messages added.
  loadOlder() {
    if (this.older || !this.hasOlder()) return this.older || Promise.resolve(0);
    this.older = (async () => {
      let added = 0;
      try {
        const first = this.first;
        const after = Math.max(0, first - 1 - PAGE);
        const reply = await this.fetchPage(after, first - 1 - after);
        const entries = (reply.messages || [])
          .map((m) => [this.seqOf(m), m])
          .filter(([seq]) => Number.isInteger(seq) && seq > after && seq < first)
          .map(([seq, m]) => [seq, this.element(seq, m)]);
        if (this.first !== first) return 0; // the stream moved on meanwhile
        this.shown = [...entries, ...this.shown];
        this.first = after + 1;
        added = entries.length;
        if (this.container) {
          const before = this.container.scrollHeight;
          this.container.prepend(...entries.map(([, el]) => el));
          this.container.scrollTop += this.container.scrollHeight - before;
        }
      } finally {
        this.older = null;
        this.onRange();
      }
      this.topUp();
      return added;
    })();
    return this.older;
  }

  // A list too short to scroll cannot be scrolled to its top: load older pages until it can.
  topUp() {
    const c = this.container;
    if (c && this.first > 1 && c.scrollHeight <= c.clientHeight) this.loadOlder().catch(() => {});
  }
}
