// Building and editing a sequence: my own (/sequences/new, .../edit) and,
// for editors, the presets (/editor/sequences/...). Both are the same form
// over the same write body; they differ in the endpoint and the slug.

import * as api from '../api.js';
import { h, mount, field, select, errorBox, showError, busy, toast } from '../dom.js';
import { navigate } from '../router.js';
import { figure, setFigure } from '../figure.js';
import { DIFFICULTIES, STYLES, FOCUS_AREAS, SIDES, options, duration, label, phases } from '../format.js';

export function mine(ctx) {
  return builder(ctx, false);
}

export function preset(ctx) {
  return builder(ctx, true);
}

async function builder(ctx, isPreset) {
  const ref = ctx.params.sequence;
  const seq = ref ? await api.get(`/sequences/${encodeURIComponent(ref)}`) : null;
  if (seq && seq.is_preset !== isPreset) {
    // A preset's page in the user's builder, or the other way round.
    navigate(seq.is_preset ? `/editor/sequences/${encodeURIComponent(seq.slug)}` : `/sequences/${encodeURIComponent(seq.slug)}/edit`, { replace: true });
    return;
  }
  const steps = [];
  if (seq) {
    const poses = await Promise.all(seq.steps.map((st) => api.pose(st.pose.id)));
    seq.steps.forEach((st, i) => steps.push({ pose: poses[i], duration_seconds: st.duration_seconds, side: st.side, cue: st.cue || '' }));
  }

  const title = seq ? `Edit ${seq.name}` : isPreset ? 'New preset sequence' : 'Build a sequence';
  const box = errorBox();
  const total = h('strong', { id: 'builder-total' });
  const stepList = h('ol', { class: 'step-editor', id: 'builder-steps' });

  const updateTotal = () => {
    const secs = steps.reduce((sum, st) => sum + phases(st, st.pose.two_sided).reduce((a, p) => a + (Number(p.seconds) || 0), 0), 0);
    total.textContent = duration(secs);
  };

  const none = h('p', { class: 'hint' }, 'No poses yet: add them below, in the order you will practise them.');
  const drawSteps = (focusSelector) => {
    stepList.replaceChildren(...steps.map((st, i) => stepRow(st, i)));
    none.hidden = steps.length > 0;
    updateTotal();
    if (focusSelector) stepList.querySelector(focusSelector)?.focus();
  };

  const move = (i, by) => {
    const j = i + by;
    if (j < 0 || j >= steps.length) return;
    [steps[i], steps[j]] = [steps[j], steps[i]];
    drawSteps(`[data-step="${j}"] .${by < 0 ? 'up' : 'down'}`);
  };

  function stepRow(st, i) {
    const name = st.pose.english_name;
    const dur = h('input', { type: 'number', name: `steps[${i}].duration_seconds`, min: 1, max: 3600, required: true, value: String(st.duration_seconds), inputmode: 'numeric' });
    dur.addEventListener('input', () => {
      st.duration_seconds = Number(dur.value);
      updateTotal();
    });
    // A side to choose only where the pose has sides: a one-sided pose is
    // held once, whatever its step says.
    const sideShown = () => (st.side === 'both' ? '' : st.side);
    const pic = figure(st.pose, sideShown(), 'thumb');
    const drawFigure = () => pic && setFigure(pic, st.pose, sideShown());
    const side = st.pose.two_sided
      ? select({ name: `steps[${i}].side` }, SIDES.map((s) => [s, s === 'both' ? 'Each side' : `${label(s)} only`]), st.side)
      : null;
    side?.addEventListener('change', () => {
      st.side = side.value;
      drawFigure();
      updateTotal();
    });
    const cue = h('input', { type: 'text', name: `steps[${i}].cue`, maxlength: 300, value: st.cue });
    cue.addEventListener('input', () => (st.cue = cue.value));
    return h(
      'li',
      { 'data-step': i },
      h('fieldset', {},
        h('legend', {}, `${i + 1}. ${name}`),
        pic,
        h('div', { class: 'row' },
          field(st.pose.two_sided ? 'Seconds (per side)' : 'Seconds', dur),
          side ? field('Side', side) : null,
          field('Cue (optional)', cue)),
        h('div', { class: 'row-actions' },
          h('button', { type: 'button', class: 'up', 'aria-label': `Move ${name} up`, disabled: i === 0, onClick: () => move(i, -1) }, '↑ Up'),
          h('button', { type: 'button', class: 'down', 'aria-label': `Move ${name} down`, disabled: i === steps.length - 1, onClick: () => move(i, 1) }, '↓ Down'),
          h('button', { type: 'button', class: 'danger', 'aria-label': `Remove ${name}`, onClick: () => {
            steps.splice(i, 1);
            drawSteps(steps.length ? `[data-step="${Math.min(i, steps.length - 1)}"] .danger` : null);
            if (!steps.length) search.focus();
          } }, 'Remove'))),
    );
  }

  // Adding poses: a search over the library, its results as buttons.
  const search = h('input', { type: 'search', id: 'add-pose', placeholder: 'Pose name, English or Sanskrit', maxlength: 100 });
  const results = h('ul', { class: 'pick', id: 'add-pose-results', 'aria-live': 'polite' });
  let searchSeq = 0;
  let timer;
  const find = async () => {
    const mineSeq = ++searchSeq;
    const page = await api.get('/poses', { q: search.value.trim(), limit: 8 });
    if (mineSeq !== searchSeq) return;
    results.replaceChildren(...page.items.map((p) =>
      h('li', {}, h('button', { type: 'button', onClick: () => {
        steps.push({ pose: p, duration_seconds: p.default_hold_seconds, side: 'both', cue: '' });
        drawSteps();
        toast(`${p.english_name} added as step ${steps.length}.`);
        search.focus();
      } }, `Add ${p.english_name}`))));
    if (!page.items.length) results.append(h('li', {}, 'No pose by that name.'));
  };
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => find().catch((err) => toast(err.message)), 250);
  });
  search.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') e.preventDefault(); // search, do not send the form
  });
  ctx.onLeave(() => clearTimeout(timer));

  const v = seq || {};
  const form = h(
    'form',
    { novalidate: true, id: 'sequence-form' },
    box,
    field('Name', h('input', { name: 'name', required: true, maxlength: 100, value: v.name || '' })),
    isPreset ? field('Slug (optional)', h('input', { name: 'slug', maxlength: 100, value: v.slug || '', pattern: '[a-z0-9]+(-[a-z0-9]+)*' }), 'The address: lower-case letters, digits and hyphens. Made from the name when left empty.') : null,
    field('Description (optional)', h('textarea', { name: 'description', maxlength: 2000, rows: 3, value: v.description || '' })),
    h('div', { class: 'row' },
      field('Difficulty', select({ name: 'difficulty' }, options(DIFFICULTIES), v.difficulty || 'beginner')),
      field('Style', select({ name: 'style' }, options(STYLES), v.style || 'hatha')),
      field('Focus', select({ name: 'focus_area' }, options(FOCUS_AREAS), v.focus_area || 'full_body'))),
    h('h2', {}, 'Steps'),
    h('p', { class: 'total' }, 'Total time ', total),
    stepList,
    none,
    h('div', { class: 'add-pose' }, field('Add a pose', search, 'Type to search the library, then choose a pose.'), results),
    h('p', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, seq ? 'Save changes' : 'Create sequence'),
      h('a', { href: seq ? `/sequences/${encodeURIComponent(seq.slug)}` : '/sequences' }, 'Cancel')),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = new FormData(form);
    const body = {
      name: f.get('name').trim(),
      description: f.get('description').trim(),
      difficulty: f.get('difficulty'),
      style: f.get('style'),
      focus_area: f.get('focus_area'),
      steps: steps.map((st) => {
        const out = { pose_id: st.pose.id, duration_seconds: Number(st.duration_seconds), side: st.side };
        if (st.cue.trim()) out.cue = st.cue.trim();
        return out;
      }),
    };
    if (isPreset && f.get('slug').trim() && (!seq || f.get('slug').trim() !== seq.slug)) body.slug = f.get('slug').trim();
    const base = isPreset ? '/admin/sequences' : '/sequences';
    await busy(form, async () => {
      try {
        const saved = seq ? await api.patch(`${base}/${seq.id}`, body) : await api.post(base, body);
        toast(seq ? 'Saved.' : 'Sequence created.');
        navigate(`/sequences/${encodeURIComponent(saved.slug)}`);
      } catch (err) {
        if (!(err instanceof api.ApiError)) throw err;
        showError(box, err, form);
      }
    });
  });

  mount(ctx.main, h('p', { class: 'crumbs' }, h('a', { href: isPreset ? '/editor' : '/sequences' }, isPreset ? 'Editor' : 'Sequences')), h('h1', {}, title), form);
  drawSteps();
  find().catch(() => {});
}
