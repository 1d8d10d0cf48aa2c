// Reading ahead for offline use: while online, now and then, the app reads
// the library (its lists, poses and pictures) and every sequence the user
// can practise, so that the service worker keeps them and they open
// without a connection though never opened before. It reads the URLs the
// screens read (the service worker keeps answers by URL), one at a time
// and at most twice a day: about 150 calls for the built-in library, well
// inside the per-user rate limit.

import * as api from './api.js';
import * as state from './state.js';
import { figureSrc } from './figure.js';

const KEY = 'yogaflow.read-ahead';
const EVERY_MS = 12 * 60 * 60 * 1000;
const MAX_PAGES = 10; // of 20: more than the built-in library and presets

// A new sign-in reads again: signing out forgets what was kept.
api.onSignOut(() => localStorage.removeItem(KEY));

// all reads path's list page by page, as its screen's "Show more" does.
async function all(path, query = {}) {
  const items = [];
  let cursor = null;
  for (let i = 0; i < MAX_PAGES; i++) {
    const page = await api.get(path, { ...query, cursor });
    items.push(...page.items);
    cursor = page.next_cursor;
    if (!cursor) break;
  }
  return items;
}

function due(me) {
  try {
    const last = JSON.parse(localStorage.getItem(KEY));
    return !last || last.user !== me.id || Date.now() - last.at >= EVERY_MS;
  } catch {
    return true;
  }
}

let reading = null;

// readAhead reads what a practice offline needs, if it is due and a
// service worker is there to keep it.
export function readAhead() {
  const me = state.user();
  if (reading || !me || !navigator.serviceWorker?.controller || api.isOffline() || !due(me)) return reading;
  reading = (async () => {
    await api.get('/users/me');
    const poses = await all('/poses');
    for (const p of poses) {
      await api.get(`/poses/${encodeURIComponent(p.slug)}`);
      const src = figureSrc(p);
      if (src) await fetch(src); // pictures are not API calls: no limit counts them
    }
    const sequences = await all('/sequences');
    await all('/sequences', { preset: 'true' });
    await all('/sequences', { mine: true });
    for (const s of sequences) await api.get(`/sequences/${s.id}`);
    localStorage.setItem(KEY, JSON.stringify({ user: me.id, at: Date.now() }));
  })().catch(() => {
    // offline again, or refused: the next visit reads again
  }).finally(() => {
    reading = null;
  });
  return reading;
}
