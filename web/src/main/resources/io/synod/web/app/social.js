import { get, post } from './api.js';
import { $, h, timeOf } from './dom.js';

// Posts, feed, timeline, profiles with follow, notifications with a badge. The session's client
// subscribes to the user's notification topic at login, so a new follower, mention or private
// message arrives live over the WebSocket and refreshes the badge; posts by followed users are
// counted on read (ADR 0005), so the badge is also refreshed every NOTIFY_POLL_MS. The session's
// client also listens to the posts of the users this user follows: each arrives over the
// WebSocket and goes to the top of the feed or timeline being shown (once, by post id).
const NOTIFY_POLL_MS = 5000;
// Live deliveries ask for a refresh; at most one request per NOTIFY_MIN_GAP_MS goes out.
const NOTIFY_MIN_GAP_MS = 1000;

export class Social {
  constructor(me) {
    this.me = me; this.tab = 'feed'; this.listing = null; this.timer = null; this.loading = false; this.early = [];
  }

  start() {
    $('post-form').onsubmit = (e) => { e.preventDefault(); this.post(); };
    $('post-text').onkeydown = (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); this.post(); }
    };
    $('tab-feed').onclick = () => this.show('feed');
    $('tab-timeline').onclick = () => this.show('timeline');
    $('tab-notifications').onclick = () => this.show('notifications');
    $('profile-form').onsubmit = (e) => { e.preventDefault(); this.showProfile($('profile-user').value.trim() || this.me); };
    this.refreshBadge();
    this.timer = setInterval(() => this.refreshBadge(), NOTIFY_POLL_MS);
  }

  stop() { clearInterval(this.timer); clearTimeout(this.soon); }

  error(text) { $('social-error').textContent = text || ''; }

  refreshSoon() {
    if (this.soon) return;
    this.soon = setTimeout(() => { this.soon = null; this.refreshBadge(); }, NOTIFY_MIN_GAP_MS);
  }

  async refreshBadge() {
    try {
      const n = await get('/api/notifications', { after_seq: 0, limit: 1 });
      const unread = n.unread_total ?? n.unread ?? 0;
      const badge = $('notif-badge');
      badge.hidden = unread <= 0;
      badge.textContent = String(unread);
      badge.setAttribute('aria-label', `${unread} unread notifications`);
    } catch { /* the badge keeps its last value */ }
  }

  async post() {
    const text = $('post-text').value;
    if (!text.trim()) return;
    this.error('');
    try {
      await post('/api/post', { message: text });
      $('post-text').value = '';
      this.show(this.tab);
    } catch (e) { this.error(e.message); }
  }

  // A live post by a followed user (a WebSocket delivery of kind 'post').
  onPost(p) {
    if (!p.id) return;
    if (this.loading) { this.early.push(p); return; } // may be newer than the page being read
    if ((this.listing !== 'feed' && this.listing !== 'timeline') || $('social-view').hidden) return;
    const list = $('social-list');
    if ([...list.children].some((li) => li.dataset.id === p.id)) return;
    list.prepend(this.renderPost(p));
  }

  renderPost(p) {
    return h('li', { 'data-id': p.id },
      h('button', { type: 'button', class: 'who', text: p.user, onclick: () => this.showProfile(p.user) }),
      h('span', { class: 'text', text: p.message }),
      h('span', { class: 'when', text: timeOf(p.timestamp) }));
  }

  async show(tab) {
    this.tab = tab;
    this.listing = null;
    this.error('');
    $('profile-head').replaceChildren();
    try {
      if (tab === 'notifications') {
        const n = await get('/api/notifications', { after_seq: 0, limit: 100 });
        const items = (n.notifications || []).slice().reverse().map((x) => h('li', {},
          h('span', { class: 'who', text: x.actor }),
          h('span', { text: describe(x) }),
          x.message ? h('span', { class: 'text', text: ` “${x.message}”` }) : null,
          h('span', { class: 'when', text: timeOf(x.timestamp) })));
        $('social-list').replaceChildren(...items);
        if (n.last_seq > (n.read_seq || 0)) await post('/api/notifications_read', { seq: n.last_seq });
        this.refreshBadge();
      } else {
        this.loading = true; this.early = [];
        let page;
        try { page = await get(`/api/${tab}`, { limit: 50 }); } finally { this.loading = false; }
        if (this.tab !== tab) return; // another tab was picked meanwhile
        $('social-list').replaceChildren(...(page.posts || []).map((p) => this.renderPost(p)));
        this.listing = tab;
        for (const p of this.early.splice(0)) this.onPost(p);
      }
    } catch (e) { this.error(e.message); }
  }

  async showProfile(user) {
    this.error('');
    this.listing = null;
    try {
      const page = await get('/api/profile', { user, limit: 50 });
      const following = user === this.me ? null : await this.follows(user);
      const button = following === null ? null : h('button', {
        type: 'button', id: 'follow-button',
        onclick: async () => {
          try {
            await post(following ? '/api/unfollow' : '/api/follow', { target: user });
            this.showProfile(user);
          } catch (e) { this.error(e.message); }
        },
      }, following ? `Unfollow ${user}` : `Follow ${user}`);
      $('profile-head').replaceChildren(h('h3', { text: user }),
        h('p', { text: `${page.post_count} posts · ${page.follower_count} followers · ${page.following_count} following` }),
        button);
      $('social-list').replaceChildren(...(page.posts || []).map((p) => this.renderPost(p)));
    } catch (e) { this.error(e.message); }
  }

  async follows(user) {
    let after;
    for (let i = 0; i < 20; i++) {
      const page = await get('/api/following', { after, limit: 100 });
      if ((page.users || []).includes(user)) return true;
      if (!page.more) return false;
      after = page.next_after;
    }
    return false;
  }
}

function describe(n) {
  if (n.kind === 'follower') return ' followed you';
  if (n.kind === 'mention') return n.channel ? ` mentioned you in ${n.channel}` : ' mentioned you';
  if (n.kind === 'message') return ' sent you a message';
  return ` ${n.kind}`;
}
