// The outbox: practices finished without a connection, kept in IndexedDB
// until the server has them, so closing the tab loses nothing. Each record
// is one POST with its own Idempotency-Key, made when the practice ended:
// sent again after an answer that never came back, it is not logged
// twice.

import * as api from './api.js';
import * as state from './state.js';

const DB = 'yogaflow';
const STORE = 'outbox';

function open() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'key' });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function run(mode, fn) {
  const db = await open();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const req = fn(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(req && req.result);
      tx.onerror = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

// add keeps a POST of path with body for the signed-in user; session is
// the practice it ends, if the server has one.
export function add(path, body, session = null) {
  const record = { key: crypto.randomUUID(), user: state.user().id, path, body, session, at: new Date().toISOString() };
  return run('readwrite', (s) => s.put(record)).then(() => record);
}

// pending are the signed-in user's records not yet sent.
export async function pending() {
  const me = state.user();
  if (!me) return [];
  const all = await run('readonly', (s) => s.getAll());
  return all.filter((r) => r.user === me.id).sort((a, b) => a.at.localeCompare(b.at));
}

// finishing says whether session has ended on this device, its end not yet
// sent.
export async function finishing(sessionId) {
  return (await pending()).some((r) => r.session === sessionId);
}

let flushing = null;

// flush sends what is pending, oldest first, and stops at the first that
// does not reach the server; it returns how many it is done with. A record
// the server refuses (the practice ended elsewhere, a body it will never
// take) is dropped: sending it again would not change the answer.
export function flush() {
  flushing ??= (async () => {
    let done = 0;
    for (const r of await pending()) {
      try {
        await api.post(r.path, r.body, { idempotent: r.key });
      } catch (err) {
        if (api.isNetworkError(err) || err.status >= 500 || err.status === 401 || err.status === 429) break;
      }
      await run('readwrite', (s) => s.delete(r.key));
      done++;
    }
    return done;
  })().finally(() => {
    flushing = null;
  });
  return flushing;
}
