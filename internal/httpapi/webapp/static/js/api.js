// The API client: JSON in and out, problem documents turned into ApiError,
// and the sign-in's tokens.
//
// Where the tokens live: the access token only in this module's memory, so
// no script on the page can find it in storage and it dies with the tab.
// The refresh token in localStorage, because people practise on a phone or
// a laptop they own, reload the page mid-session and come back the next
// morning, and should still be signed in; sessionStorage would sign them out
// with every closed tab. What makes storage that any script of the origin
// can read acceptable: the page's CSP runs no script but our own files (no
// inline code, no eval, no other origin) and Trusted Types forbid turning
// strings into markup, and the server rotates refresh tokens, revoking the
// whole sign-in when a spent one is replayed.

const BASE = '/api/v1';
const REFRESH_KEY = 'yogaflow.refresh_token';

let accessToken = null;
let refreshing = null;
const listeners = new Set();

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `The server answered ${status}.`);
    this.status = status;
    this.code = problem.code || '';
    this.fields = problem.errors || [];
    this.problem = problem;
  }
}

export function hasSignIn() {
  return accessToken !== null || localStorage.getItem(REFRESH_KEY) !== null;
}

// onSignOut calls fn when the sign-in ends: here, in another tab, or
// because the server no longer takes the refresh token.
export function onSignOut(fn) {
  listeners.add(fn);
}

function signedOut() {
  accessToken = null;
  localStorage.removeItem(REFRESH_KEY);
  // What the service worker kept of this user's (sw.js names it).
  if (window.caches) caches.delete('yogaflow-data').catch(() => {});
  for (const fn of listeners) fn();
}

// The connection: offline when a request did not reach the server, or
// when the service worker answered from what it kept; online again at the
// next answer from the server itself.
let offline = false;
const connection = new Set();

export function isOffline() {
  return offline;
}

// onConnection calls fn(offline) whenever the connection changes.
export function onConnection(fn) {
  connection.add(fn);
}

export function offConnection(fn) {
  connection.delete(fn);
}

function setOffline(v) {
  if (v === offline) return;
  offline = v;
  for (const fn of connection) fn(v);
}

window.addEventListener('offline', () => setOffline(true));
window.addEventListener('online', () => {
  // The browser has a network again; the server may not answer yet.
  fetch('/health', { cache: 'no-store' }).then((res) => setOffline(!res.ok), () => {});
});

// isNetworkError says whether err is a request that never reached the
// server (fetch's TypeError), not the server's answer.
export function isNetworkError(err) {
  return err instanceof TypeError;
}

// Another tab signing out removes the shared refresh token.
window.addEventListener('storage', (e) => {
  if (e.key === REFRESH_KEY && e.newValue === null && accessToken !== null) {
    accessToken = null;
    for (const fn of listeners) fn();
  }
});

export function setTokens(pair) {
  accessToken = pair.access_token;
  localStorage.setItem(REFRESH_KEY, pair.refresh_token);
}

// Tabs share the refresh token, and a refresh token works once: refreshes
// take turns across tabs (Web Locks), and each reads the newest token only
// once it holds the lock, so no tab replays one another tab has spent.
function exclusively(fn) {
  if (navigator.locks) return navigator.locks.request('yogaflow-refresh', fn);
  return fn();
}

// refresh trades the refresh token for a new pair; false when there is no
// sign-in to renew. A network failure is thrown, not taken as a sign-out.
export function refresh() {
  refreshing ??= exclusively(async () => {
    const token = localStorage.getItem(REFRESH_KEY);
    if (!token) return false;
    const res = await fetch(`${BASE}/auth/refresh`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ refresh_token: token }),
    });
    if (res.ok) {
      setTokens(await res.json());
      return true;
    }
    if (res.status === 401 || res.status === 400 || res.status === 422) {
      if (localStorage.getItem(REFRESH_KEY) === token) signedOut();
      return false;
    }
    throw await toError(res);
  }).finally(() => {
    refreshing = null;
  });
  return refreshing;
}

async function toError(res) {
  let problem = {};
  try {
    problem = await res.json();
  } catch {
    // not a problem document: the status says it all
  }
  return new ApiError(res.status, problem);
}

function url(path, query) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query || {})) {
    if (v === undefined || v === null || v === '' || v === false) continue;
    if (Array.isArray(v)) {
      if (v.length) params.set(k, v.join(','));
    } else {
      params.set(k, String(v));
    }
  }
  const qs = params.toString();
  return BASE + path + (qs ? `?${qs}` : '');
}

// Calls made without a sign-in: no need to renew one first.
const ANONYMOUS = new Set(['/auth/register', '/auth/login', '/auth/verify-email', '/auth/password-reset/request', '/auth/password-reset/confirm']);

// request sends one API call. With a sign-in it carries the access token,
// getting one first after a reload, and on a 401 renews it once and
// retries. idempotent: true sends an Idempotency-Key, the same on the
// retry, so a POST that reached the server is not done twice; a string is
// the key to send (the outbox keeps one per record across reloads).
// Offline, a GET goes out without a token: the service worker answers it
// from what it kept, or it fails.
export async function request(method, path, { body, query, idempotent, raw } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (idempotent) headers['Idempotency-Key'] = typeof idempotent === 'string' ? idempotent : crypto.randomUUID();
  const target = url(path, query);
  const send = async () => {
    const h = { ...headers };
    if (accessToken) h.Authorization = `Bearer ${accessToken}`;
    try {
      const res = await fetch(target, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
      setOffline(res.headers.get('X-Yogaflow-Offline') === '1');
      return res;
    } catch (err) {
      setOffline(true);
      // Still a TypeError (isNetworkError), in words a toast can show.
      throw new TypeError('You are offline, and this needs the server.', { cause: err });
    }
  };
  if (!accessToken && !ANONYMOUS.has(path) && localStorage.getItem(REFRESH_KEY)) {
    try {
      await refresh();
    } catch (err) {
      if (!isNetworkError(err) || method !== 'GET') throw err;
      setOffline(true);
    }
  }
  let res = await send();
  if (res.status === 401 && accessToken && (await refresh())) res = await send();
  if (!res.ok) throw await toError(res);
  if (raw) return res;
  if (res.status === 204 || res.status === 202) return null;
  return res.json();
}

export const get = (path, query) => request('GET', path, { query });
export const post = (path, body, opts) => request('POST', path, { body, ...opts });
export const patch = (path, body) => request('PATCH', path, { body });
export const del = (path, body) => request('DELETE', path, { body });

export async function signIn(email, password) {
  const pair = await request('POST', '/auth/login', { body: { email, password } });
  setTokens(pair);
}

export async function signOut() {
  try {
    // After a reload there is no access token yet, and getting one spends
    // the stored refresh token: read it only then.
    if (!accessToken && localStorage.getItem(REFRESH_KEY)) await refresh();
    const token = localStorage.getItem(REFRESH_KEY);
    if (token && accessToken) await post('/auth/logout', { refresh_token: token });
  } finally {
    signedOut();
  }
}

// forget drops the sign-in without telling the server, which has already
// ended it (a deleted account, a changed password elsewhere).
export function forget() {
  signedOut();
}

// allPages follows next_cursor, for the short lists the app needs whole.
export async function allPages(path, query, max = 500) {
  const items = [];
  let cursor;
  do {
    const page = await get(path, { ...query, limit: 100, cursor });
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor && items.length < max);
  return items;
}

// Poses by ID, kept for the life of the page: the builder edits a
// sequence's steps with their whole poses.
const poseCache = new Map();

export function pose(ref) {
  if (!poseCache.has(ref)) {
    const p = get(`/poses/${encodeURIComponent(ref)}`);
    poseCache.set(ref, p);
    p.catch(() => poseCache.delete(ref));
  }
  return poseCache.get(ref);
}

export function forgetPose(ref) {
  poseCache.delete(ref);
}
