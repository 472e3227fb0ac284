import uPlot from '/webjars/uplot/1.6.30/dist/uPlot.esm.js';
import { $, h } from './dom.js';

// The cluster dashboard: the web process polls every server's /status; this page asks it for the
// latest rounds every POLL_MS and redraws the table and both plots without reloading.
const POLL_MS = 1000;
const COLORS = ['#0b5cad', '#c2410c', '#1a7f37', '#7c3aed', '#b00020', '#0e7490', '#a16207'];

export class Dashboard {
  constructor() { this.timer = null; this.rate = null; this.offsets = null; this.names = ''; }

  start() {
    if (this.timer) return;
    this.tick();
    this.timer = setInterval(() => this.tick(), POLL_MS);
  }

  stop() { clearInterval(this.timer); this.timer = null; }

  async tick() {
    let data;
    try {
      const response = await fetch('/api/cluster', { credentials: 'same-origin' });
      data = await response.json();
    } catch {
      $('dash-note').textContent = 'The web process does not answer; retrying.';
      return;
    }
    if (!data.admin_urls || data.admin_urls.length === 0) {
      $('dash-note').textContent = 'This web process was started without --admin URLs: no servers to show.';
      return;
    }
    $('dash-note').textContent = `${data.admin_urls.length} servers, polled every ${data.poll_interval_ms} ms.`;
    this.table(data.servers || []);
    this.plots(data.samples || []);
    this.lists(data.changes || [], data.log_tail || []);
  }

  // Changes newest first; the log tail in causal order, newest last, kept scrolled to the end
  // unless the reader scrolled up.
  lists(changes, tail) {
    $('changes').replaceChildren(...changes.slice().reverse().map((c) => h('li', { 'data-kind': c.kind },
      h('span', { class: 'when', text: new Date(c.t).toLocaleTimeString() }), ' ',
      h('span', { class: 'text', text: c.text }))));
    const box = $('log-tail');
    const atEnd = box.scrollTop + box.clientHeight >= box.scrollHeight - 4;
    box.replaceChildren(...tail.map((l) => h('li', {},
      h('span', { class: 'who', text: l.process }),
      h('span', { class: 'where', text: `${l.clock} ${l.dir} ${l.kind}${l.peer ? ` ${l.peer}` : ''}` }),
      h('span', { class: 'text', text: l.data }))));
    if (atEnd) box.scrollTop = box.scrollHeight;
  }

  table(servers) {
    const rows = servers.map((s) => h('tr', { 'data-admin': s.admin, 'data-up': s.up ? 'true' : 'false' },
      h('th', { scope: 'row', text: s.name || s.admin }),
      h('td', { class: s.up ? 'up' : 'down', text: s.up ? 'up' : 'DOWN' }),
      h('td', { text: s.rank ?? '' }),
      h('td', { text: s.role ?? '' }),
      h('td', { text: s.up && s.coordinator && s.coordinator === s.name ? '★ coordinator' : (s.coordinator ?? '') }),
      h('td', { text: s.decided_index ?? '' }),
      h('td', { text: s.applied_index ?? '' }),
      h('td', { text: s.lag ?? '' }),
      h('td', { text: s.clock_offset_ms ?? '' })));
    $('servers').tBodies[0].replaceChildren(...rows);
  }

  plots(samples) {
    if (samples.length === 0) return;
    const admins = samples[samples.length - 1].servers.map((s) => s.admin);
    const label = (admin) => {
      for (let i = samples.length - 1; i >= 0; i--) {
        const s = samples[i].servers.find((x) => x.admin === admin);
        if (s && s.name) return s.name;
      }
      return admin;
    };
    const times = samples.map((r) => r.t / 1000);
    const decidedMax = samples.map((r) => Math.max(0, ...r.servers.map((s) => s.decided_index || 0)));
    const rate = decidedMax.map((d, i) => (i === 0 ? null : Math.max(0, d - decidedMax[i - 1]) / Math.max(0.001, times[i] - times[i - 1])));
    const offsets = admins.map((a) => samples.map((r) => {
      const s = r.servers.find((x) => x.admin === a);
      return s && s.up && typeof s.clock_offset_ms === 'number' ? s.clock_offset_ms : null;
    }));
    const width = Math.max(280, Math.min(900, $('dashboard-view').clientWidth - 20));
    const key = admins.join(',') + '|' + width;
    if (key !== this.names) {
      this.names = key;
      $('chart-rate').replaceChildren();
      $('chart-offsets').replaceChildren();
      this.rate = new uPlot({ width, height: 200, series: [{}, { label: 'commits/s', stroke: COLORS[0] }] },
        [times, rate], $('chart-rate'));
      this.offsets = new uPlot({
        width, height: 220,
        series: [{}, ...admins.map((a, i) => ({ label: label(a), stroke: COLORS[i % COLORS.length] }))],
      }, [times, ...offsets], $('chart-offsets'));
    } else {
      this.rate.setData([times, rate]);
      this.offsets.setData([times, ...offsets]);
    }
  }
}
