import { get } from './api.js';
import { $, h, timeOf } from './dom.js';

// Search: channel messages, posts and the user's own private messages (the web process sends the
// session's user; the server never returns another user's private messages). Pages follow the
// reply's next_cursor; "More results" appends the next page.
const SEARCH_PAGE = 20;

export class Search {
  constructor() { this.params = null; this.cursor = null; }

  start() {
    $('search-form').onsubmit = (e) => { e.preventDefault(); this.run(); };
    $('search-more').onclick = () => this.page();
  }

  async run() {
    const query = $('search-query').value.trim();
    if (!query) return;
    this.params = { query, sort: $('search-sort').value, limit: SEARCH_PAGE };
    this.cursor = null;
    $('search-results').replaceChildren();
    $('search-note').textContent = '';
    await this.page();
  }

  async page() {
    if (!this.params) return;
    $('search-error').textContent = '';
    try {
      const reply = await get('/api/search', { ...this.params, cursor: this.cursor ?? undefined });
      const items = (reply.results || []).map((r) => h('li', { 'data-kind': r.kind, 'data-index': r.index },
        h('span', { class: 'who', text: r.author }),
        h('span', { class: 'where', text: where(r) }),
        h('span', { class: 'text', text: r.message }),
        h('span', { class: 'when', text: timeOf(r.timestamp) })));
      $('search-results').append(...items);
      this.cursor = reply.more ? reply.next_cursor : null;
      $('search-more').hidden = !reply.more;
      const shown = $('search-results').children.length;
      $('search-note').textContent = shown === 0 ? 'No messages match.' : `${shown} shown${reply.more ? '; more below' : ''}.`;
    } catch (e) { $('search-error').textContent = e.message; }
  }
}

function where(r) {
  if (r.kind === 'channel') return `in #${r.channel}`;
  if (r.kind === 'private') return `to ${r.dst}`;
  return 'post';
}
