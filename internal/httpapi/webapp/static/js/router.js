// The client-side router: history API paths, links handled in the page,
// and focus moved to the new screen's heading for keyboard and screen
// reader users. The server answers each of these paths with the page
// (webapp.Paths); keep the two lists in step.

const routes = [];
let current = { leave: [] };
let renderHook = () => {};
let renderedOnce = false;

// route adds a path pattern (':name' matches one segment) and its page.
// opts.auth: signed-in users only; opts.editor: editors only.
export function route(pattern, page, opts = {}) {
  const names = [];
  const re = new RegExp(
    '^' +
      pattern.replace(/:([a-z]+)/g, (_, n) => {
        names.push(n);
        return '([^/]+)';
      }) +
      '/?$',
  );
  routes.push({ pattern, re, names, page, opts });
}

export function patterns() {
  return routes.map((r) => r.pattern);
}

function match(path) {
  for (const r of routes) {
    const m = r.re.exec(path);
    if (m) {
      const params = {};
      r.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1])));
      return { route: r, params };
    }
  }
  return null;
}

export function navigate(to, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  return render();
}

// setQuery changes the query string of the current screen without a new
// history entry per keystroke, and without drawing the screen again.
export function setQuery(query) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (Array.isArray(v) ? v.length : v) params.set(k, Array.isArray(v) ? v.join(',') : v);
  }
  const qs = params.toString();
  history.replaceState(null, '', location.pathname + (qs ? `?${qs}` : ''));
}

export async function render() {
  for (const fn of current.leave) fn();
  const m = match(location.pathname);
  const main = document.getElementById('main');
  const ctx = {
    params: m ? m.params : {},
    query: new URLSearchParams(location.search),
    main,
    leave: [],
    onLeave(fn) {
      this.leave.push(fn);
    },
  };
  current = ctx;
  main.replaceChildren();
  await renderHook(ctx, m && m.route);
  const rendered = renderedOnce;
  renderedOnce = true;
  const heading = main.querySelector('h1');
  if (heading) {
    document.title = `${heading.textContent} · YogaFlow`;
    heading.tabIndex = -1;
    // Not on the first screen: a page just opened starts at its top, where
    // the skip link is the first stop of the Tab key.
    if (rendered && (document.activeElement === document.body || !main.contains(document.activeElement))) heading.focus();
  }
}

// start draws the screen for the current path with draw(ctx, route), and
// again on every navigation.
export function start(draw) {
  renderHook = draw;
  window.addEventListener('popstate', () => render());
  document.addEventListener('click', (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = e.target.closest('a[href]');
    if (!a || a.target || a.hasAttribute('download')) return;
    const to = new URL(a.href, location.href);
    if (to.origin !== location.origin || !match(to.pathname)) return;
    e.preventDefault();
    if (to.hash && to.pathname === location.pathname) {
      document.getElementById(to.hash.slice(1))?.focus();
      return;
    }
    navigate(to.pathname + to.search);
  });
  return render();
}
