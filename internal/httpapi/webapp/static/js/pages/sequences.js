// Sequences: presets and my own, with filters; a sequence's steps, its
// total time, and the way into practising it.

import * as api from '../api.js';
import { startOffline } from '../player.js';
import { h, mount, field, select, toast, safely } from '../dom.js';
import { navigate, setQuery } from '../router.js';
import * as state from '../state.js';
import { DIFFICULTIES, STYLES, FOCUS_AREAS, label, options, duration, phases, sideLabel } from '../format.js';
import { avoidFieldset, pagedList } from './library.js';
import { figure } from '../figure.js';

function sequenceItem(q) {
  return h(
    'li',
    { class: 'card' },
    h('a', { href: `/sequences/${encodeURIComponent(q.slug)}` }, h('strong', {}, q.name)),
    h('p', { class: 'meta' }, `${duration(q.total_duration_seconds)} · ${q.steps.length} poses · ${label(q.difficulty)} · ${label(q.style)} · ${label(q.focus_area)}`),
    h('p', {}, h('span', { class: q.is_preset ? 'tag' : 'tag mine' }, q.is_preset ? 'Preset' : 'Mine')),
  );
}

// The practice last asked for on this device, to start the form from.
const LAST_ASK = 'yogaflow.make-practice';
const FIRST_ASK = { minutes: 20, difficulty: 'beginner', focus_area: '', avoid: [] };

function lastAsk() {
  try {
    const saved = JSON.parse(localStorage.getItem(LAST_ASK) || '{}');
    return { ...FIRST_ASK, ...saved };
  } catch {
    return FIRST_ASK;
  }
}

// makePracticeForm asks for a practice made from the library (POST
// /sequences/generate) and opens it, ready to practise.
function makePracticeForm() {
  const ask = lastAsk();
  const minutes = h('input', { type: 'range', name: 'minutes', id: 'make-minutes', min: '5', max: '90', step: '5', value: String(ask.minutes) });
  const shown = h('output', { for: 'make-minutes', id: 'make-minutes-value' });
  const show = () => {
    shown.textContent = `${minutes.value} min`;
    minutes.setAttribute('aria-valuetext', `${minutes.value} minutes`);
  };
  show();
  minutes.addEventListener('input', show);
  const button = h('button', { type: 'submit', class: 'primary' }, 'Make me a practice');
  const form = h(
    'form',
    { class: 'filters make', id: 'make-practice', 'aria-labelledby': 'make-title' },
    h('h2', { id: 'make-title' }, 'Make me a practice'),
    h('p', { class: 'hint' }, 'A new practice from the library: warm-up, standing poses, a peak for your focus, a cool-down and a rest.'),
    h('div', { class: 'row' },
      h('div', { class: 'field' }, h('label', { for: 'make-minutes' }, 'Length ', shown), minutes),
      field('Level', select({ name: 'difficulty' }, options(DIFFICULTIES), ask.difficulty)),
      field('Focus', select({ name: 'focus_area' }, options(FOCUS_AREAS, 'Whole body'), ask.focus_area))),
    avoidFieldset(ask.avoid, 'make-avoid-summary'),
    h('p', { class: 'actions' }, button),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const v = new FormData(form);
    const chosen = { minutes: Number(v.get('minutes')), difficulty: v.get('difficulty'), focus_area: v.get('focus_area'), avoid: v.getAll('avoid') };
    localStorage.setItem(LAST_ASK, JSON.stringify(chosen));
    const body = { minutes: chosen.minutes, difficulty: chosen.difficulty, avoid: chosen.avoid };
    if (chosen.focus_area) body.focus_area = chosen.focus_area;
    button.disabled = true;
    button.textContent = 'Making your practice…';
    try {
      const seq = await api.post('/sequences/generate', body);
      navigate(`/sequences/${encodeURIComponent(seq.slug)}`);
    } catch (err) {
      toast(err.message);
      button.disabled = false;
      button.textContent = 'Make me a practice';
    }
  });
  return form;
}

const LENGTHS = [['', 'Any length'], ['600', 'Up to 10 min'], ['1200', 'Up to 20 min'], ['1800', 'Up to 30 min'], ['2700', 'Up to 45 min'], ['3600', 'Up to 1 hour']];

export async function list(ctx) {
  const card = continueCard();
  const q = ctx.query;
  const signedIn = !!state.user();
  const scopes = [['', 'Presets and mine'], ['preset', 'Presets'], ['mine', 'Mine']];
  const form = h(
    'form',
    { class: 'filters', 'aria-label': 'Sequences' },
    h('div', { class: 'row' },
      signedIn ? field('Show', select({ name: 'scope' }, scopes, q.get('scope') || '')) : null,
      field('Difficulty', select({ name: 'difficulty' }, options(DIFFICULTIES, 'Any difficulty'), q.get('difficulty') || '')),
      field('Style', select({ name: 'style' }, options(STYLES, 'Any style'), q.get('style') || '')),
      field('Focus', select({ name: 'focus_area' }, options(FOCUS_AREAS, 'Any focus'), q.get('focus_area') || '')),
      field('Length', select({ name: 'max_duration' }, LENGTHS, q.get('max_duration') || ''))),
    avoidFieldset((q.get('avoid') || '').split(',').filter(Boolean)),
  );
  const filters = () => {
    const v = new FormData(form);
    return {
      scope: v.get('scope') || '', difficulty: v.get('difficulty'), style: v.get('style'),
      focus_area: v.get('focus_area'), max_duration: v.get('max_duration'), avoid: v.getAll('avoid'),
    };
  };
  const ul = h('ul', { class: 'cards', id: 'sequence-results' });
  const paged = pagedList(ul, (cursor) => {
    const { scope, ...f } = filters();
    return api.get('/sequences', { ...f, preset: scope === 'preset' ? 'true' : '', mine: scope === 'mine', cursor });
  }, sequenceItem, 'No sequence matches these filters.');
  form.addEventListener('change', () => {
    setQuery(filters());
    paged.reload();
  });
  form.addEventListener('submit', (e) => e.preventDefault());
  mount(
    ctx.main,
    h('h1', {}, 'Sequences'),
    await card,
    h('p', { class: 'actions' },
      signedIn ? h('a', { href: '/sequences/new', class: 'button' }, 'Build a sequence') : h('a', { href: '/sign-up' }, 'Sign up to build your own'),
      state.isEditor() ? h('a', { href: '/editor/sequences/new', class: 'button' }, 'New preset') : null),
    signedIn ? makePracticeForm() : null,
    h('h2', {}, 'Browse'),
    form,
    paged.status,
    ul,
    paged.more,
  );
  return paged.reload();
}

// stepRows lists a sequence's steps with each one's picture and time, on
// each side where the pose is held on each side.
export function stepRows(seq) {
  return h('ol', { class: 'steps' }, seq.steps.map((st) => {
    const ph = phases(st, st.pose.two_sided);
    const time = ph.length > 1 ? `${duration(st.duration_seconds)} each side` : `${duration(st.duration_seconds)}${ph[0].side ? `, ${sideLabel(ph[0].side).toLowerCase()}` : ''}`;
    return h(
      'li',
      {},
      figure(st.pose, ph.length > 1 ? '' : ph[0].side, 'thumb'),
      h('a', { href: `/poses/${encodeURIComponent(st.pose.slug)}` }, st.pose.english_name),
      st.pose.sanskrit_name ? h('span', { class: 'sanskrit', lang: 'sa-Latn' }, ` ${st.pose.sanskrit_name}`) : null,
      h('span', { class: 'time' }, time),
      st.cue ? h('p', { class: 'cue' }, st.cue) : null,
    );
  }));
}

// continueCard is the practice under way, if there is one, with where it
// stands and the way back into it; null when there is none.
export async function continueCard() {
  if (!state.user()) return null;
  let s;
  try {
    s = await api.get('/sessions/current');
  } catch (err) {
    if (err.status === 404) return null;
    throw err;
  }
  const where = [`Pose ${s.current_step}`];
  if (s.current_side) where.push(`${s.current_side} side`);
  where.push(s.status === 'paused' ? 'paused' : 'under way');
  let pose = null;
  if (s.sequence_id) {
    try {
      const seq = await api.get(`/sequences/${s.sequence_id}`);
      const st = seq.steps[Math.min(Math.max(s.current_step, 1), seq.steps.length) - 1];
      pose = st && st.pose;
      where[0] = `Pose ${s.current_step} of ${seq.steps.length}${pose ? `, ${pose.english_name}` : ''}`;
    } catch (err) {
      if (err.status !== 404) throw err;
    }
  }
  return h(
    'section',
    { class: 'card continue', id: 'continue-practice', 'aria-labelledby': 'continue-title' },
    pose ? figure(pose, s.current_side || '', 'thumb') : null,
    h('h2', { id: 'continue-title' }, 'Continue your practice'),
    h('p', {}, h('strong', {}, s.sequence_name), ` · ${where.join(' · ')}`),
    h('p', {}, h('a', { href: '/practice', class: 'button primary' }, 'Continue')),
  );
}

// startPractice starts a session of the sequence and opens the player; if
// one is already going, it offers to continue that one or end it.
export async function startPractice(seq, box) {
  try {
    await api.post('/sessions', { sequence_id: seq.id }, { idempotent: true });
    navigate('/practice');
  } catch (err) {
    if (api.isNetworkError(err)) {
      startOffline(seq); // saved to the history when the connection is back
      navigate('/practice');
      return;
    }
    if (err.code !== 'session_conflict') throw err;
    const active = err.problem.active_session_id;
    mount(
      box,
      h('p', {}, 'You have a practice under way already.'),
      h('p', { class: 'actions' },
        h('a', { href: '/practice', class: 'button primary' }, 'Continue it'),
        h('button', {
          type: 'button',
          onClick: safely(async () => {
            await api.post(`/sessions/${active}/abandon`, undefined, { idempotent: true });
            await startPractice(seq, box);
          }),
        }, 'End it and start this one')),
    );
    box.hidden = false;
    box.focus();
  }
}

export async function detail(ctx) {
  const seq = await api.get(`/sequences/${encodeURIComponent(ctx.params.sequence)}`);
  const me = state.user();
  const mine = me && seq.owner_id === me.id;
  const box = h('div', { class: 'notice', role: 'alert', tabindex: '-1', hidden: true });
  const actions = h('p', { class: 'actions' });
  if (me) {
    actions.append(h('button', { type: 'button', class: 'primary', id: 'start-practice', onClick: (e) => {
      e.target.disabled = true;
      startPractice(seq, box).catch((err) => toast(err.message)).finally(() => (e.target.disabled = false));
    } }, 'Practise this'));
  } else {
    actions.append(h('a', { href: `/sign-in?next=${encodeURIComponent(location.pathname)}`, class: 'button primary' }, 'Sign in to practise'));
  }
  if (mine) {
    actions.append(
      h('a', { href: `/sequences/${encodeURIComponent(seq.slug)}/edit`, class: 'button' }, 'Edit'),
      h('button', { type: 'button', class: 'danger', onClick: safely(async () => {
        if (!confirm(`Delete "${seq.name}"? Your history keeps its sessions.`)) return;
        await api.del(`/sequences/${seq.id}`);
        toast('Sequence deleted.');
        navigate('/sequences?scope=mine');
      }) }, 'Delete'),
    );
  }
  if (seq.is_preset && state.isEditor()) {
    actions.append(h('a', { href: `/editor/sequences/${encodeURIComponent(seq.slug)}`, class: 'button' }, 'Edit preset'));
  }
  mount(
    ctx.main,
    h('p', { class: 'crumbs' }, h('a', { href: '/sequences' }, 'Sequences')),
    h('h1', {}, seq.name),
    h('p', { class: 'meta' }, `${label(seq.difficulty)} · ${label(seq.style)} · ${label(seq.focus_area)} · ${seq.is_preset ? 'Preset' : 'Mine'}`),
    h('p', { class: 'total' }, 'Total time ', h('strong', { id: 'total-time' }, duration(seq.total_duration_seconds))),
    seq.description ? h('p', {}, seq.description) : null,
    seq.contraindications.length
      ? h('div', { class: 'notice warn' }, h('p', {}, 'Holds poses not advised with:'), h('ul', { class: 'tags' }, seq.contraindications.map((c) => h('li', { class: 'tag warn' }, label(c)))))
      : null,
    actions,
    box,
    h('h2', {}, `${seq.steps.length} steps`),
    stepRows(seq),
  );
}
