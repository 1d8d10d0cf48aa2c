// The service worker: the app opens and practises without a connection.
// The shell (the page and this build's assets) is kept at install; what
// the app reads of the library, the user's sequences and account is kept
// as it is read, and served from here when the network fails. The server
// writes in this build's version and assets when it serves this file.

const VERSION = 'VERSION';
const SHELL = `yogaflow-shell-${VERSION}`;
const DATA = 'yogaflow-data'; // api.js forgets it at sign-out
const ASSETS = ASSETS_LIST;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(SHELL).then((c) => c.addAll(['/', ...ASSETS])).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith('yogaflow-shell-') && n !== SHELL).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

// What is kept as it is read: the library and its pictures, sequences,
// the signed-in user, and the practice under way.
function kept(url) {
  return url.pathname.startsWith('/media/') ||
    /^\/api\/v1\/(poses|sequences|users\/me$|sessions\/current$)/.test(url.pathname);
}

self.addEventListener('fetch', (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== self.location.origin) return;
  if (req.mode === 'navigate') {
    // Every screen is the same page: offline, the kept one.
    event.respondWith(fetch(req).catch(() => caches.match('/', { cacheName: SHELL })));
    return;
  }
  if (url.pathname.startsWith('/assets/')) {
    event.respondWith(caches.match(req, { cacheName: SHELL }).then((hit) => hit || fetch(req)));
    return;
  }
  if (kept(url)) event.respondWith(networkFirst(req));
});

// networkFirst answers from the network and keeps the answer; when the
// network fails, it answers what it kept, marked so the app can tell. A
// 404 forgets what was kept, unless the request went without a sign-in
// (the app sends those when it could not renew one): a private sequence
// is not found then, and is still the user's.
async function networkFirst(req) {
  const cache = await caches.open(DATA);
  try {
    const res = await fetch(req);
    if (res.ok) await cache.put(req, res.clone());
    else if (res.status === 404 && req.headers.has('Authorization')) await cache.delete(req);
    return res;
  } catch (err) {
    const hit = await cache.match(req);
    if (!hit) throw err;
    const headers = new Headers(hit.headers);
    headers.set('X-Yogaflow-Offline', '1');
    return new Response(hit.body, { status: hit.status, statusText: hit.statusText, headers });
  }
}
