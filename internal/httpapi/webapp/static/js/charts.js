// Charts drawn as SVG from the stats endpoint's minutes_by_day: a calendar
// heatmap of practice days and a bar chart of minutes per day. Colours
// come from the stylesheet (classes), so the charts follow the theme.

import { s } from './dom.js';
import { addDays, weekday, shortDate, duration } from './format.js';

const CELL = 14;
const GAP = 3;
const DAYS = ['Mon', '', 'Wed', '', 'Fri', '', 'Sun'];

// level buckets a day's minutes; any practice at all is at least 1, so a
// short session still shows.
function level(minutes) {
  if (minutes === undefined) return 0;
  if (minutes < 10) return 1;
  if (minutes < 20) return 2;
  if (minutes < 40) return 3;
  return 4;
}

// heatmap draws one column per week (Monday on top) from the week of from
// to the week of to; minutes maps a date to its minutes.
export function heatmap(from, to, minutes) {
  const start = addDays(from, -weekday(from));
  const weeks = Math.floor((weekday(start) + daysBetween(start, to)) / 7) + 1;
  const left = 30;
  const top = 16;
  const width = left + weeks * (CELL + GAP);
  const height = top + 7 * (CELL + GAP);
  const practised = [...minutes.keys()].filter((d) => d >= from && d <= to).length;
  const svg = s('svg', {
    viewBox: `0 0 ${width} ${height}`, class: 'heatmap', role: 'img', id: 'heatmap',
    'aria-label': `Practice calendar from ${shortDate(from)} to ${shortDate(to)}: ${practised} day${practised === 1 ? '' : 's'} with practice.`,
  });
  DAYS.forEach((d, i) => d && svg.append(s('text', { x: 0, y: top + i * (CELL + GAP) + CELL - 3, class: 'axis' }, d)));
  let lastMonth = '';
  let lastLabel = -Infinity;
  for (let w = 0; w < weeks; w++) {
    for (let d = 0; d < 7; d++) {
      const date = addDays(start, w * 7 + d);
      if (date > to) break;
      // A month's name over its first week, where there is room for it.
      if (d === 0 && date.slice(5, 7) !== lastMonth && w - lastLabel >= 3) {
        lastMonth = date.slice(5, 7);
        lastLabel = w;
        svg.append(s('text', { x: left + w * (CELL + GAP), y: 11, class: 'axis' },
          new Intl.DateTimeFormat(undefined, { month: 'short', timeZone: 'UTC' }).format(new Date(`${date}T12:00:00Z`))));
      }
      if (date < from) continue;
      const m = minutes.get(date);
      svg.append(s('rect', {
        x: left + w * (CELL + GAP), y: top + d * (CELL + GAP), width: CELL, height: CELL, rx: 3,
        class: `day l${level(m)}`, 'data-date': date,
      }, s('title', {}, `${shortDate(date)}: ${m === undefined ? 'no practice' : duration(m * 60)}`)));
    }
  }
  return svg;
}

function daysBetween(a, b) {
  return Math.round((Date.parse(`${b}T12:00:00Z`) - Date.parse(`${a}T12:00:00Z`)) / 86400000);
}

// bars draws minutes per day for each date from from to to.
export function bars(from, to, minutes) {
  const n = daysBetween(from, to) + 1;
  const bw = 10;
  const gap = 4;
  const left = 34;
  const top = 10;
  const plotH = 120;
  const width = left + n * (bw + gap);
  const height = top + plotH + 22;
  const values = Array.from({ length: n }, (_, i) => minutes.get(addDays(from, i)) || 0);
  const max = Math.max(10, ...values);
  const scale = (v) => (v / max) * plotH;
  const total = values.reduce((a, b) => a + b, 0);
  const svg = s('svg', {
    viewBox: `0 0 ${width} ${height}`, class: 'bars', role: 'img', id: 'minutes-chart',
    'aria-label': `Minutes of practice per day from ${shortDate(from)} to ${shortDate(to)}: ${Math.round(total)} in all, at most ${Math.round(Math.max(...values))} in a day.`,
  });
  svg.append(
    s('line', { x1: left - 4, x2: width, y1: top + plotH, y2: top + plotH, class: 'grid' }),
    s('line', { x1: left - 4, x2: width, y1: top, y2: top, class: 'grid faint' }),
    s('text', { x: left - 8, y: top + 4, class: 'axis', 'text-anchor': 'end' }, `${Math.round(max)}`),
    s('text', { x: left - 8, y: top + plotH, class: 'axis', 'text-anchor': 'end' }, '0'),
    s('text', { x: left, y: height - 4, class: 'axis' }, shortDate(from)),
    s('text', { x: width, y: height - 4, class: 'axis', 'text-anchor': 'end' }, shortDate(to)),
  );
  values.forEach((v, i) => {
    const bh = v > 0 ? Math.max(2, scale(v)) : 0;
    const date = addDays(from, i);
    svg.append(s('rect', {
      x: left + i * (bw + gap), y: top + plotH - bh, width: bw, height: bh, rx: 2, class: 'bar', 'data-date': date,
    }, s('title', {}, `${shortDate(date)}: ${duration(v * 60)}`)));
  });
  return svg;
}
