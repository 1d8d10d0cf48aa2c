// The app's entry: the navigation, the table of screens, and start-up.

import * as api from './api.js';
import { h, mount, toast } from './dom.js';
import { route, start, navigate } from './router.js';
import * as state from './state.js';
import * as auth from './pages/auth.js';
import * as library from './pages/library.js';
import * as sequences from './pages/sequences.js';
import * as builder from './pages/builder.js';
import * as profile from './pages/profile.js';
import * as history from './pages/history.js';
import * as stats from './pages/stats.js';
import * as editor from './pages/editor.js';
import { player } from './player.js';
import * as outbox from './outbox.js';
import { readAhead } from './readahead.js';

route('/', home);
route('/sign-in', auth.signIn);
route('/sign-up', auth.signUp);
route('/verify-email', auth.verifyEmail);
route('/forgot-password', auth.forgotPassword);
route('/reset-password', auth.resetPassword);
route('/poses', library.list);
route('/poses/:pose', library.detail);
route('/sequences', sequences.list);
route('/sequences/new', builder.mine, { auth: true });
route('/sequences/:sequence', sequences.detail);
route('/sequences/:sequence/edit', builder.mine, { auth: true });
route('/practice', player, { auth: true });
route('/history', history.list, { auth: true });
route('/stats', stats.page, { auth: true });
route('/profile', profile.page, { auth: true });
route('/editor', editor.hub, { auth: true, editor: true });
route('/editor/poses/new', editor.pose, { auth: true, editor: true });
route('/editor/poses/:pose', editor.pose, { auth: true, editor: true });
route('/editor/sequences/new', builder.preset, { auth: true, editor: true });
route('/editor/sequences/:sequence', builder.preset, { auth: true, editor: true });

async function home(ctx) {
  const me = state.user();
  const links = me
    ? [
        ['/sequences', 'Choose a sequence', 'Presets and your own, with their steps and time.'],
        ['/practice', 'Practice', 'Pick up the session you started, here or on another device.'],
        ['/stats', 'Your progress', 'Streak, minutes this week and every day you practised.'],
        ['/poses', 'Pose library', 'Search by name, filter by what to avoid.'],
      ]
    : [
        ['/poses', 'Pose library', 'Search by name, filter by what to avoid.'],
        ['/sequences', 'Sequences', 'Guided practices from a few minutes to an hour.'],
        ['/sign-up', 'Create an account', 'Practise with a guided timer and watch your streak grow.'],
        ['/sign-in', 'Sign in', 'Welcome back.'],
      ];
  mount(
    ctx.main,
    h('h1', {}, me ? `Hello${me.display_name ? `, ${me.display_name}` : ''}` : 'Practise yoga, one breath at a time'),
    await sequences.continueCard(),
    h('ul', { class: 'cards' }, links.map(([href, title, text]) => h('li', { class: 'card' }, h('a', { href }, h('strong', {}, title)), h('p', {}, text)))),
  );
}

function drawNav() {
  const me = state.user();
  const here = location.pathname;
  const items = [['/poses', 'Poses'], ['/sequences', 'Sequences']];
  if (me) items.push(['/practice', 'Practice'], ['/history', 'History'], ['/stats', 'Stats']);
  if (state.isEditor()) items.push(['/editor', 'Editor']);
  if (me) items.push(['/profile', 'Profile']);
  else items.push(['/sign-in', 'Sign in']);
  mount(
    document.getElementById('nav'),
    h('ul', {}, items.map(([href, text]) => {
      const active = here === href || here.startsWith(`${href}/`);
      return h('li', {}, h('a', { href, 'aria-current': active ? 'page' : false }, text));
    })),
  );
}

async function draw(ctx, r) {
  drawNav();
  if (!r) {
    mount(ctx.main, h('h1', {}, 'Not found'), h('p', {}, 'There is nothing here. ', h('a', { href: '/' }, 'Go home')));
    return;
  }
  if (r.opts.auth && !state.user()) {
    const next = location.pathname + location.search;
    navigate(`/sign-in?next=${encodeURIComponent(next)}`, { replace: true });
    return;
  }
  if (r.opts.editor && !state.isEditor()) {
    mount(ctx.main, h('h1', {}, 'Editors only'), h('p', {}, 'Your account cannot change the library.'));
    return;
  }
  try {
    await r.page(ctx);
  } catch (err) {
    if (!(err instanceof api.ApiError) && !(err instanceof TypeError)) throw err;
    mount(
      ctx.main,
      h('h1', {}, err.status === 404 ? 'Not found' : 'Something went wrong'),
      h('p', { role: 'alert' }, err.status === 404 ? 'There is nothing here, or it is not yours to see.' : err.message),
    );
  }
}

state.watch(drawNav);
api.onSignOut(() => toast('You are signed out.'));

// The offline notice, for every screen: what is shown is what this device
// kept, and nothing finished here is lost.
const offlineNotice = h('p', { class: 'offline-notice', id: 'offline-notice', role: 'status', hidden: true },
  'You are offline. The library and your sequences still open, and a practice you finish is kept on this device and saved to your history when you are back online.');
document.querySelector('.site-header').after(offlineNotice);

// send delivers what the outbox holds, and says so when it did.
async function send() {
  if (!state.user()) return;
  try {
    if ((await outbox.flush()) > 0) toast('Your practice is saved to your history.');
  } catch {
    // IndexedDB refused (a private window's quota): nothing was kept
  }
}

api.onConnection((offline) => {
  offlineNotice.hidden = !offline;
  if (!offline) {
    send();
    readAhead();
  }
});
state.watch(() => readAhead());

// registerServiceWorker installs sw.js, which keeps the app for offline
// use. The page's Trusted Types take only a script URL a policy made: this
// one makes /sw.js and refuses anything else.
function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) return;
  let script = '/sw.js';
  if (window.trustedTypes) {
    const policy = trustedTypes.createPolicy('yogaflow-sw', {
      createScriptURL: (u) => {
        if (u !== '/sw.js') throw new TypeError(`not the service worker: ${u}`);
        return u;
      },
    });
    script = policy.createScriptURL('/sw.js');
  }
  navigator.serviceWorker.addEventListener('controllerchange', () => readAhead());
  navigator.serviceWorker.register(script).catch(() => {});
}

async function boot() {
  registerServiceWorker();
  try {
    await state.load();
  } catch {
    toast('The server is not answering; some screens may not work.');
  }
  offlineNotice.hidden = !api.isOffline();
  if (!api.isOffline()) send();
  await start(draw);
}

boot();
