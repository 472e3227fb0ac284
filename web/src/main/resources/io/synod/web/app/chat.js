import { get, post } from './api.js';
import { $, h, timeOf } from './dom.js';
import { Stream } from './stream.js';

// Channels and private conversations: lists with unread counts, one open room at a time.
export class Chat {
  constructor(me) {
    this.me = me;
    this.channels = new Map();       // name -> Stream (joined channels)
    this.conversations = new Map();  // peer -> Stream
    this.current = null;             // {kind: 'channel'|'dm', name}
    this.serverUnread = new Map();   // peer -> unread count from /api/conversations
  }

  async start() {
    $('channel-form').onsubmit = (e) => { e.preventDefault(); this.createOrJoin($('channel-name').value.trim()); };
    $('dm-form').onsubmit = (e) => { e.preventDefault(); this.openConversation($('dm-peer').value.trim()); };
    $('send-form').onsubmit = (e) => { e.preventDefault(); this.send(); };
    $('load-older').onclick = () => this.loadOlder();
    $('send-text').onkeydown = (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); this.send(); }
    };
    await this.refreshLists();
  }

  async refreshLists() {
    const reply = await get('/api/channels');
    this.allChannels = reply.channels || reply.users || [];
    for (const name of reply.subscribed || []) this.channelStream(name);
    try {
      const conv = await get('/api/conversations', { limit: 100 });
      for (const c of conv.conversations || []) {
        this.serverUnread.set(c.peer, c.unread || 0);
        this.conversationStream(c.peer);
      }
    } catch { /* a cluster without the social services: conversations start when opened */ }
    this.renderLists();
  }

  channelStream(name) {
    if (!this.channels.has(name)) {
      this.channels.set(name, new Stream(name, (p) => p.seq,
        (after, limit) => get('/api/history', { channel: name, after_seq: after, limit }),
        (p) => this.renderMessage(p.user, p.message, p.timestamp)));
    }
    return this.channels.get(name);
  }

  conversationStream(peer) {
    if (!this.conversations.has(peer)) {
      this.conversations.set(peer, new Stream(peer, (p) => p.conversation_seq,
        (after, limit) => get('/api/private_history', { peer, after_seq: after, limit }),
        (p) => this.renderMessage(p.src, p.message, p.timestamp)));
    }
    return this.conversations.get(peer);
  }

  renderMessage(who, text, timestamp) {
    return h('li', {}, h('span', { class: 'who', text: who }), h('span', { class: 'text', text }),
      h('span', { class: 'when', text: timeOf(timestamp) }));
  }

  renderLists() {
    const item = (kind, name, unread) => {
      const isCurrent = this.current && this.current.kind === kind && this.current.name === name;
      const label = unread > 0 ? `${name}, ${unread} unread` : name;
      return h('li', {}, h('button', {
        type: 'button', 'aria-current': isCurrent ? 'true' : 'false', 'aria-label': label,
        'data-kind': kind, 'data-name': name,
        onclick: () => (kind === 'channel' ? this.openChannel(name) : this.openConversation(name)),
      }, name, unread > 0 ? h('span', { class: 'badge', text: unread }) : null));
    };
    const names = [...new Set([...(this.allChannels || []), ...this.channels.keys()])].sort();
    $('channel-list').replaceChildren(...names.map((n) => item('channel', n, this.channels.get(n)?.unread || 0)));
    const peers = [...this.conversations.keys()].sort();
    $('conversation-list').replaceChildren(...peers.map((p) =>
      item('dm', p, (this.conversations.get(p).unread || 0) + (this.serverUnread.get(p) || 0))));
  }

  async createOrJoin(name) {
    if (!name) return;
    $('send-error').textContent = '';
    try {
      await post('/api/channel', { channel: name });
    } catch (error) {
      if (error.status !== 422) { $('send-error').textContent = error.message; return; }
      // 422: the channel exists already; joining it is what the user wants.
    }
    $('channel-name').value = '';
    await this.openChannel(name);
  }

  async openChannel(name) {
    $('send-error').textContent = '';
    try {
      await post('/api/subscribe', { channel: name });
    } catch (error) { $('send-error').textContent = error.message; return; }
    this.open({ kind: 'channel', name }, this.channelStream(name), `# ${name}`);
  }

  async openConversation(peer) {
    if (!peer) return;
    $('dm-peer').value = '';
    const stream = this.conversationStream(peer);
    this.serverUnread.set(peer, 0);
    this.open({ kind: 'dm', name: peer }, stream, `Conversation with ${peer}`);
    try { await stream.filling; } catch { return; }
    if (stream.last > 0) post('/api/conversation_read', { peer, seq: stream.last }).catch(() => {});
  }

  open(current, stream, title) {
    for (const s of [...this.channels.values(), ...this.conversations.values()]) s.detach();
    this.current = current;
    this.stream = stream;
    stream.unread = 0;
    $('room-title').textContent = title;
    $('older-note').textContent = '';
    stream.onRange = () => { $('load-older').hidden = !stream.hasOlder(); };
    stream.attach($('messages'));
    stream.fill().catch((error) => { $('send-error').textContent = error.message; });
    $('send-form').hidden = false;
    $('send-text').focus();
    this.renderLists();
  }

  // The keyboard's way to what scrolling to the top does. Focus stays on the button while older
  // messages remain (Enter again loads more); once none remain the button hides and focus moves to
  // the oldest message, so it is never lost on a hidden element.
  async loadOlder() {
    const stream = this.stream;
    if (!stream) return;
    let added = 0;
    try { added = await stream.loadOlder(); } catch (error) { $('send-error').textContent = error.message; return; }
    if (stream !== this.stream) return;
    $('older-note').textContent = added > 0 ? `Loaded ${added} older messages` : 'No older messages';
    if (stream.hasOlder()) { $('load-older').focus(); return; }
    const oldest = $('messages').firstElementChild;
    if (oldest) { oldest.tabIndex = -1; oldest.focus(); }
  }

  async send() {
    const text = $('send-text').value;
    if (!text.trim() || !this.current) return;
    $('send-error').textContent = '';
    const { kind, name } = this.current;
    try {
      if (kind === 'channel') await post('/api/publish', { channel: name, message: text });
      else await post('/api/message', { dst: name, message: text });
      $('send-text').value = '';
      // A private message is published to its recipient only: fetch our own copy from history.
      if (kind === 'dm') await this.conversationStream(name).fill();
    } catch (error) {
      $('send-error').textContent = error.message;
    }
    $('send-text').focus();
  }

  // A live delivery from the WebSocket.
  onDelivery(event) {
    const p = event.payload || {};
    let stream; let kind; let name;
    if (event.kind === 'channel') { kind = 'channel'; name = p.channel || event.topic; stream = this.channelStream(name); }
    else if (event.kind === 'private') {
      kind = 'dm'; name = p.src === this.me ? p.dst : p.src; stream = this.conversationStream(name);
    } else return;
    const fresh = stream.accept(p);
    const visible = this.current && this.current.kind === kind && this.current.name === name;
    if (fresh && !visible) { stream.unread += 1; this.renderLists(); }
    if (fresh && visible && kind === 'dm') post('/api/conversation_read', { peer: name, seq: stream.last }).catch(() => {});
  }

  // After the WebSocket (re)opens: subscribe again (the web process may be new) and fill gaps.
  async resync() {
    for (const [name, stream] of this.channels) {
      try { await post('/api/subscribe', { channel: name }); } catch { /* shown on next send */ }
      stream.fill().catch(() => {});
    }
    for (const stream of this.conversations.values()) stream.fill().catch(() => {});
  }
}
