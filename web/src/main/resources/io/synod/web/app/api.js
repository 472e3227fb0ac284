// The web process's JSON API. Every request that changes something carries the session's CSRF
// token in X-Synod-CSRF (given by /api/login and /api/session; held here, in memory only). A 401
// (the web process restarted, or the session expired) logs the remembered user in again once and
// repeats the call, but only after a login without a password: a password is never kept.
const CSRF_HEADER = 'X-Synod-CSRF';
// A login has no session token yet: the header's presence is what a cross-site page cannot forge.
const LOGIN_CSRF = 'login';
let csrf = null;
let onLoggedOut = () => {};
export function whenLoggedOut(callback) { onLoggedOut = callback; }

export class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function raw(method, path, body) {
  const init = { method, headers: {}, credentials: 'same-origin' };
  if (method !== 'GET') init.headers[CSRF_HEADER] = path === '/api/login' ? LOGIN_CSRF : (csrf || '');
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  let data = {};
  try { data = await response.json(); } catch { data = {}; }
  if (!response.ok) throw new ApiError(response.status, data.error || response.statusText);
  return data;
}

// The user a 401 may log in again without asking: set only by a login without a password.
function reloginUser() {
  return sessionStorage.getItem('synod.relogin') === '1' ? sessionStorage.getItem('synod.user') : null;
}

export async function call(method, path, body) {
  try {
    return await raw(method, path, body);
  } catch (error) {
    const user = reloginUser();
    if (error.status === 401 && user && !path.startsWith('/api/login')) {
      csrf = (await raw('POST', '/api/login', { user })).csrf;
      return raw(method, path, body);
    }
    if (error.status === 401) onLoggedOut();
    // 403: a login in another tab, or a socket's re-login, replaced the session and its CSRF token.
    if (error.status === 403 && method !== 'GET') {
      csrf = (await raw('GET', '/api/session')).csrf;
      return raw(method, path, body);
    }
    throw error;
  }
}

export const get = (path, query = {}) => {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null) params.set(k, v);
  const qs = params.toString();
  return call('GET', qs ? `${path}?${qs}` : path);
};
export const post = (path, body = {}) => call('POST', path, body);

export async function login(user, password) {
  const body = password ? { user, password } : { user };
  const reply = await raw('POST', '/api/login', body);
  csrf = reply.csrf;
  sessionStorage.setItem('synod.user', reply.user);
  sessionStorage.setItem('synod.relogin', password ? '0' : '1');
  return reply.user;
}

// After a reload: the session of the cookie, if it still lives (also gives back the CSRF token).
export async function resume() {
  const me = await raw('GET', '/api/session');
  csrf = me.csrf;
  return me.user;
}

// Logs in again after the web process forgot the session (only after a login without a password).
export async function relogin() {
  const user = reloginUser();
  if (!user) { onLoggedOut(); return; }
  try { csrf = (await raw('POST', '/api/login', { user })).csrf; } catch { onLoggedOut(); }
}

export async function logout() {
  sessionStorage.removeItem('synod.user');
  sessionStorage.removeItem('synod.relogin');
  try { await raw('POST', '/api/logout'); } catch { /* already gone */ }
  csrf = null;
}
