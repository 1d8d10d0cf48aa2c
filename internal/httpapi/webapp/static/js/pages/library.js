// The pose library: search and filters (including what to avoid for an
// injury or a pregnancy), and a pose's page.

import * as api from '../api.js';
import { h, mount, field, select } from '../dom.js';
import { setQuery } from '../router.js';
import * as state from '../state.js';
import { figure } from '../figure.js';
import { CATEGORIES, DIFFICULTIES, CONTRAINDICATIONS, label, options, duration } from '../format.js';

// avoidFieldset is the "leave out what is not advised for" checkboxes,
// folded under a summary that names what is left out, so that on a phone
// the twelve boxes do not push the results off the first screen.
export function avoidFieldset(chosen, id = 'avoid-summary') {
  const summary = h('summary', { id });
  const checks = tagChecks('avoid', chosen);
  const describe = () => {
    const left = checks.map((l) => l.firstChild).filter((i) => i.checked).map((i) => label(i.value));
    summary.textContent = `Leave out what is not advised for: ${left.length ? left.join(', ') : 'nothing'}`;
  };
  describe();
  const el = h('details', { class: 'avoid' }, summary, h('fieldset', {}, h('legend', { class: 'sr-only' }, 'Leave out what is not advised for'),
    h('div', { class: 'checks' }, checks)));
  el.addEventListener('change', describe);
  return el;
}

// tagChecks is a checkbox for each contraindication tag, named name.
export function tagChecks(name, chosen) {
  return CONTRAINDICATIONS.map((c) =>
    h('label', { class: 'check' }, h('input', { type: 'checkbox', name, value: c, checked: chosen.includes(c) }), label(c)));
}

// pagedList fills ul with load(cursor)'s pages, with a "Show more" button
// while there are more.
export function pagedList(ul, load, item, empty) {
  const more = h('button', { type: 'button', class: 'more', hidden: true }, 'Show more');
  const status = h('p', { class: 'count', role: 'status' });
  let cursor = null;
  let seq = 0;
  async function next(reset) {
    if (!reset && !cursor) return; // no next page: nothing to add
    const mine = ++seq;
    if (reset) cursor = null;
    more.disabled = true;
    const page = await load(cursor);
    if (mine !== seq) return; // a newer search has started
    if (reset) ul.replaceChildren();
    ul.append(...page.items.map(item));
    cursor = page.next_cursor;
    more.hidden = !cursor;
    more.disabled = false;
    status.textContent = ul.children.length ? `${ul.children.length}${cursor ? '+' : ''} shown` : empty;
  }
  more.addEventListener('click', () => next(false));
  return { more, status, reload: () => next(true) };
}

function poseItem(p) {
  return h(
    'li',
    { class: 'card' },
    figure(p, '', 'thumb'),
    h('a', { href: `/poses/${encodeURIComponent(p.slug)}` }, h('strong', {}, p.english_name)),
    p.sanskrit_name ? h('p', { class: 'sanskrit', lang: 'sa-Latn' }, p.sanskrit_name) : null,
    h('p', { class: 'meta' }, `${label(p.category)} · ${label(p.difficulty)}${p.two_sided ? ' · each side' : ''}`),
  );
}

export function list(ctx) {
  const q = ctx.query;
  const avoid = (q.get('avoid') || '').split(',').filter(Boolean);
  const form = h(
    'form',
    { class: 'filters', role: 'search', 'aria-label': 'Poses' },
    field('Search by name', h('input', { type: 'search', name: 'q', value: q.get('q') || '', placeholder: 'English or Sanskrit', maxlength: 100 })),
    h('div', { class: 'row' },
      field('Category', select({ name: 'category' }, options(CATEGORIES, 'Any category'), q.get('category') || '')),
      field('Difficulty', select({ name: 'difficulty' }, options(DIFFICULTIES, 'Any difficulty'), q.get('difficulty') || ''))),
    avoidFieldset(avoid),
  );
  const ul = h('ul', { class: 'cards', id: 'pose-results' });
  const filters = () => {
    const v = new FormData(form);
    return { q: v.get('q').trim(), category: v.get('category'), difficulty: v.get('difficulty'), avoid: v.getAll('avoid') };
  };
  const paged = pagedList(ul, (cursor) => api.get('/poses', { ...filters(), cursor }), poseItem, 'No pose matches these filters.');
  let timer;
  const changed = (delay) => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      setQuery(filters());
      paged.reload();
    }, delay);
  };
  form.addEventListener('input', (e) => changed(e.target.type === 'search' ? 300 : 0));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    changed(0);
  });
  ctx.onLeave(() => clearTimeout(timer));
  mount(
    ctx.main,
    h('h1', {}, 'Pose library'),
    state.isEditor() ? h('p', {}, h('a', { href: '/editor/poses/new', class: 'button' }, 'New pose')) : null,
    form,
    paged.status,
    ul,
    paged.more,
  );
  return paged.reload();
}

export async function detail(ctx) {
  const p = await api.get(`/poses/${encodeURIComponent(ctx.params.pose)}`);
  mount(
    ctx.main,
    h('p', { class: 'crumbs' }, h('a', { href: '/poses' }, 'Pose library')),
    h('h1', {}, p.english_name),
    p.sanskrit_name ? h('p', { class: 'sanskrit big', lang: 'sa-Latn' }, p.sanskrit_name) : null,
    figure(p, '', 'hero'),
    h('p', { class: 'meta' }, `${label(p.category)} · ${label(p.difficulty)} · hold ${duration(p.default_hold_seconds)}${p.two_sided ? ' on each side' : ''}`),
    p.description ? h('p', {}, p.description) : null,
    p.instructions.length ? [h('h2', {}, 'How to'), h('ol', {}, p.instructions.map((s) => h('li', {}, s)))] : null,
    p.benefits.length ? [h('h2', {}, 'Benefits'), h('ul', {}, p.benefits.map((s) => h('li', {}, s)))] : null,
    p.contraindications.length
      ? [h('h2', {}, 'Not advised with'), h('ul', { class: 'tags' }, p.contraindications.map((c) => h('li', { class: 'tag warn' }, label(c))))]
      : null,
    state.isEditor() ? h('p', {}, h('a', { href: `/editor/poses/${encodeURIComponent(p.slug)}`, class: 'button' }, 'Edit pose')) : null,
  );
}
