// My progress: streak, minutes this week, the calendar of practice days and
// minutes per day, from GET /history/stats.

import * as api from '../api.js';
import { h, mount } from '../dom.js';
import { heatmap, bars } from '../charts.js';
import { today, addDays, weekday, duration, shortDate, label } from '../format.js';

const HEATMAP_WEEKS = 18;
const BAR_DAYS = 30;

function tile(id, value, name) {
  return h('div', { class: 'tile', id }, h('span', { class: 'value' }, value), h('span', { class: 'name' }, name));
}

export async function page(ctx) {
  const end = today();
  const from = addDays(end, -weekday(end) - (HEATMAP_WEEKS - 1) * 7);
  // Streaks and totals over all time; the charts over their window (the
  // endpoint counts streaks within the range it is given).
  // The week's time is counted as the total is, so that both read by the
  // one rounding rule of duration().
  const weekStart = addDays(end, -weekday(end));
  const [all, recent, week] = await Promise.all([api.get('/history/stats'), api.get('/history/stats', { from, to: end }),
    api.get('/history/stats', { from: weekStart, to: end })]);
  const minutes = new Map(recent.minutes_by_day.map((d) => [d.date, d.minutes]));
  const barFrom = addDays(end, -(BAR_DAYS - 1));

  mount(
    ctx.main,
    h('h1', {}, 'Your progress'),
    h('div', { class: 'tiles' },
      tile('streak', `${all.current_streak_days} day${all.current_streak_days === 1 ? '' : 's'}`, 'Current streak'),
      tile('week-minutes', duration(week.total_duration_seconds), 'This week'),
      tile('longest', `${all.longest_streak_days} day${all.longest_streak_days === 1 ? '' : 's'}`, 'Longest streak'),
      tile('completed', String(all.completed_sessions), 'Practices completed'),
      tile('total-time', duration(all.total_duration_seconds), 'Time on the mat'),
      tile('completion', `${Math.round(all.completion_rate * 100)}%`, 'Finished what you started')),
    h('section', { class: 'panel' }, h('h2', {}, 'Practice days'), h('div', { class: 'chart-scroll' }, heatmap(from, end, minutes)),
      h('p', { class: 'legend' }, 'Less ', ...[0, 1, 2, 3, 4].map((l) => h('span', { class: `swatch l${l}`, 'aria-hidden': 'true' })), ' more')),
    h('section', { class: 'panel' }, h('h2', {}, `Minutes per day, last ${BAR_DAYS} days`), h('div', { class: 'chart-scroll' }, bars(barFrom, end, minutes)),
      h('details', {}, h('summary', {}, 'As a table'),
        h('table', {}, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Day'), h('th', { scope: 'col' }, 'Time'))),
          h('tbody', {}, recent.minutes_by_day.filter((d) => d.date >= barFrom).map((d) => h('tr', {}, h('td', {}, shortDate(d.date)), h('td', {}, duration(d.minutes * 60)))))))),
    all.top_sequences.length
      ? h('section', { class: 'panel' }, h('h2', {}, 'Most practised'), h('ol', {}, all.top_sequences.map((t) => h('li', {}, `${t.name} (${t.sessions})`))))
      : null,
    all.by_style.length
      ? h('section', { class: 'panel' }, h('h2', {}, 'By style'), h('ul', {}, all.by_style.map((b) => h('li', {}, `${label(b.style)}: ${b.sessions} · ${duration(b.duration_seconds)}`))))
      : null,
    all.total_sessions ? null : h('p', {}, 'No practice yet. ', h('a', { href: '/sequences' }, 'Choose a sequence'), ' to start.'),
  );
}
