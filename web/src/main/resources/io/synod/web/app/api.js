// The web process's JSON API. A 401 (the web process restarted, or the session expired) logs the
// remembered user in again once and repeats the call: compat mode has no password.
let onLoggedOut = () => {};
export function whenLoggedOut(callback) { onLoggedOut = callback; }

export class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function raw(method, path, body) {
  const init = { method, headers: {}, credentials: 'same-origin' };
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

export async function call(method, path, body) {
  try {
    return await raw(method, path, body);
  } catch (error) {
    const user = sessionStorage.getItem('synod.user');
    if (error.status === 401 && user && !path.startsWith('/api/login')) {
      await raw('POST', '/api/login', { user });
      return raw(method, path, body);
    }
    if (error.status === 401) onLoggedOut();
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

export async function login(user) {
  const reply = await raw('POST', '/api/login', { user });
  sessionStorage.setItem('synod.user', reply.user);
  return reply.user;
}

export async function logout() {
  sessionStorage.removeItem('synod.user');
  try { await raw('POST', '/api/logout'); } catch { /* already gone */ }
}
