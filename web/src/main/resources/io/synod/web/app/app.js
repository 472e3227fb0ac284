import { login, logout, relogin, resume, whenLoggedOut } from './api.js';
import { $, show } from './dom.js';
import { Events } from './events.js';
import { Chat } from './chat.js';
import { Social } from './social.js';
import { Dashboard } from './dashboard.js';
import { Search } from './search.js';

const VIEWS = ['login-view', 'chat-view', 'social-view', 'search-view', 'dashboard-view'];
const dashboard = new Dashboard();
const search = new Search();
search.start();
let session = null; // {user, chat, social, events}

function route() {
  const hash = location.hash.replace('#', '') || 'chat';
  let view = `${hash}-view`;
  if (!VIEWS.includes(view)) view = 'chat-view';
  if (view !== 'dashboard-view' && !session) view = 'login-view';
  for (const v of VIEWS) show(v, v === view);
  for (const name of ['chat', 'social', 'search', 'dashboard']) {
    const link = $(`nav-${name}`);
    if (`${name}-view` === view) link.setAttribute('aria-current', 'page'); else link.removeAttribute('aria-current');
  }
  if (view === 'dashboard-view') dashboard.start(); else dashboard.stop();
  if (view === 'social-view' && session) session.social.show(session.social.tab);
  if (view === 'search-view') $('search-query').focus();
  if (view === 'login-view') $('login-user').focus();
}

function setConnection(state) {
  const el = $('conn');
  el.textContent = state === 'live' ? 'live' : state === 'connecting' ? 'connecting…' : 'reconnecting…';
  el.classList.toggle('down', state !== 'live');
}

async function startSession(user) {
  const chat = new Chat(user);
  const social = new Social(user);
  const events = new Events({
    onEvent: (event) => {
      if (event.type !== 'delivery') return;
      if (event.kind === 'post') social.onPost(event.payload || {});
      else chat.onDelivery(event);
      social.refreshSoon();
    },
    onOpen: () => chat.resync(),
    onState: setConnection,
  });
  events.onExpired = relogin;
  session = { user, chat, social, events };
  $('whoami').textContent = `Logged in as ${user}`;
  $('logout').hidden = false;
  await chat.start();
  social.start();
  events.start();
}

function endSession() {
  if (!session) return;
  session.events.stop();
  session.social.stop();
  session = null;
  $('whoami').textContent = '';
  $('conn').textContent = '';
  $('logout').hidden = true;
  route();
}

$('login-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  $('login-error').textContent = '';
  try {
    const password = $('login-password').value;
    $('login-password').value = '';
    const user = await login($('login-user').value.trim(), password);
    await startSession(user);
    if (!location.hash || location.hash === '#login') location.hash = '#chat';
    route();
  } catch (error) {
    $('login-error').textContent = error.message;
  }
});

$('logout').addEventListener('click', async () => { await logout(); endSession(); });
whenLoggedOut(endSession);
window.addEventListener('hashchange', route);

(async () => {
  // A reload keeps the session (cookie), or logs the remembered user in again (no password only).
  if (sessionStorage.getItem('synod.user')) {
    try {
      await startSession(await resume());
    } catch {
      try { await relogin(); await startSession(await resume()); } catch { /* shown as the login page */ }
    }
  }
  route();
})();
