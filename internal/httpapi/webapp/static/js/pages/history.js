// My practice history, newest first, with the API's filters.

import * as api from '../api.js';
import { h, mount, field, select } from '../dom.js';
import { setQuery } from '../router.js';
import { STATUSES, label, options, duration, dateTime } from '../format.js';
import { pagedList } from './library.js';

function sessionItem(s) {
  return h(
    'li',
    { class: 'card' },
    h('strong', {}, s.sequence_name),
    h('p', { class: 'meta' }, `${dateTime(s.started_at)} · ${duration(s.duration_seconds)}`),
    h('p', {},
      h('span', { class: `tag status-${s.status}` }, label(s.status)),
      s.rating ? h('span', { class: 'rating', 'aria-label': `Rated ${s.rating} of 5` }, ` ${'★'.repeat(s.rating)}${'☆'.repeat(5 - s.rating)}`) : null),
    s.notes ? h('p', { class: 'note' }, s.notes) : null,
  );
}

export async function list(ctx) {
  const q = ctx.query;
  // The sequences to filter by: those I can see (presets and mine).
  const seqs = await api.allPages('/sequences', {});
  const form = h(
    'form',
    { class: 'filters', 'aria-label': 'History' },
    h('div', { class: 'row' },
      field('From', h('input', { type: 'date', name: 'from', value: q.get('from') || '' })),
      field('To', h('input', { type: 'date', name: 'to', value: q.get('to') || '' })),
      field('Status', select({ name: 'status' }, options(STATUSES, 'Any status'), q.get('status') || '')),
      field('Sequence', select({ name: 'sequence_id' }, [['', 'Any sequence'], ...seqs.map((s) => [s.id, s.name])], q.get('sequence_id') || ''))),
  );
  const filters = () => Object.fromEntries(new FormData(form));
  const ul = h('ul', { class: 'cards', id: 'history-list' });
  const paged = pagedList(ul, (cursor) => api.get('/history', { ...filters(), cursor }), sessionItem, 'No practice here yet.');
  form.addEventListener('change', () => {
    setQuery(filters());
    paged.reload();
  });
  form.addEventListener('submit', (e) => e.preventDefault());
  mount(ctx.main, h('h1', {}, 'History'), form, paged.status, ul, paged.more);
  return paged.reload();
}
