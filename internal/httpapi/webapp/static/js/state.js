// Who is signed in, as GET /users/me says, shared by the screens.

import * as api from './api.js';
import { setZone } from './format.js';

let me = null;
const watchers = new Set();

export function user() {
  return me;
}

// Editors are those who may change the library.
export function isEditor() {
  return !!me && me.permissions.includes('content:write');
}

export function setUser(u) {
  me = u;
  setZone(u && u.timezone);
  for (const fn of watchers) fn(me);
}

export function watch(fn) {
  watchers.add(fn);
}

// load asks the server who we are; null when nobody is signed in.
export async function load() {
  if (!api.hasSignIn()) {
    setUser(null);
    return null;
  }
  try {
    setUser(await api.get('/users/me'));
  } catch (err) {
    if (err.status !== 401) throw err;
    setUser(null);
  }
  return me;
}

api.onSignOut(() => setUser(null));
