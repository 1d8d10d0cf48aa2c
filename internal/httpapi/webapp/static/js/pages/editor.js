// Editorial screens: what editors can change, and the pose form. Preset
// sequences use the sequence builder (builder.js).

import * as api from '../api.js';
import { h, mount, field, select, errorBox, showError, busy, toast, safely } from '../dom.js';
import { navigate } from '../router.js';
import { CATEGORIES, DIFFICULTIES, options } from '../format.js';
import { tagChecks } from './library.js';

export function hub(ctx) {
  mount(
    ctx.main,
    h('h1', {}, 'Editor'),
    h('p', {}, 'Change the pose library and the preset sequences everyone sees. Every change is audited.'),
    h('ul', { class: 'cards' },
      h('li', { class: 'card' }, h('a', { href: '/editor/poses/new' }, h('strong', {}, 'New pose')), h('p', {}, 'Add a pose to the library.')),
      h('li', { class: 'card' }, h('a', { href: '/editor/sequences/new' }, h('strong', {}, 'New preset sequence')), h('p', {}, 'Compose a practice for everyone.')),
      h('li', { class: 'card' }, h('a', { href: '/poses' }, h('strong', {}, 'Edit a pose')), h('p', {}, 'Open a pose in the library and choose "Edit pose".')),
      h('li', { class: 'card' }, h('a', { href: '/sequences?scope=preset' }, h('strong', {}, 'Edit a preset')), h('p', {}, 'Open a preset and choose "Edit preset".'))),
  );
}

const lines = (s) => s.split('\n').map((l) => l.trim()).filter(Boolean);

export async function pose(ctx) {
  const ref = ctx.params.pose;
  const p = ref ? await api.get(`/poses/${encodeURIComponent(ref)}`) : null;
  const v = p || { instructions: [], benefits: [], contraindications: [], default_hold_seconds: 30 };
  const box = errorBox();
  const form = h(
    'form',
    { novalidate: true, id: 'pose-form' },
    box,
    field('English name', h('input', { name: 'english_name', required: true, maxlength: 100, value: v.english_name || '' })),
    field('Sanskrit name (optional)', h('input', { name: 'sanskrit_name', maxlength: 100, value: v.sanskrit_name || '', lang: 'sa-Latn' })),
    field('Slug (optional)', h('input', { name: 'slug', maxlength: 100, value: v.slug || '' }), 'The address: lower-case letters, digits and hyphens. Made from the English name when left empty.'),
    h('div', { class: 'row' },
      field('Category', select({ name: 'category' }, options(CATEGORIES), v.category || 'standing')),
      field('Difficulty', select({ name: 'difficulty' }, options(DIFFICULTIES), v.difficulty || 'beginner')),
      field('Default hold (seconds)', h('input', { type: 'number', name: 'default_hold_seconds', min: 1, max: 3600, value: String(v.default_hold_seconds), inputmode: 'numeric' }))),
    h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'two_sided', checked: !!v.two_sided }), 'Held on each side'),
    field('Description (optional)', h('textarea', { name: 'description', rows: 3, maxlength: 2000, value: v.description || '' })),
    field('Instructions', h('textarea', { name: 'instructions', rows: 5, value: v.instructions.join('\n') }), 'One step per line.'),
    field('Benefits', h('textarea', { name: 'benefits', rows: 3, value: v.benefits.join('\n') }), 'One per line.'),
    h('fieldset', {}, h('legend', {}, 'Not advised with'), h('div', { class: 'checks' }, tagChecks('contraindications', v.contraindications))),
    field('Picture address (optional)', h('input', { type: 'text', inputmode: 'url', name: 'image_url', maxlength: 500, value: v.image_url || '' }), 'A picture on this site, such as /media/poses/tree-pose.svg, or a secure (https) web address. The app shows only pictures on this site.'),
    h('p', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary' }, p ? 'Save pose' : 'Create pose'),
      p ? h('button', { type: 'button', class: 'danger', onClick: safely(async () => {
        if (!confirm(`Remove "${p.english_name}" from the library?`)) return;
        try {
          await api.del(`/admin/poses/${p.id}`);
        } catch (err) {
          if (err.status !== 409) throw err;
          showError(box, { message: 'A sequence still uses this pose: take it out of every sequence first.', fields: [] });
          return;
        }
        api.forgetPose(p.id);
        toast('Pose removed.');
        navigate('/poses');
      }) }, 'Remove pose') : null),
  );

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = new FormData(form);
    const body = {
      english_name: f.get('english_name').trim(),
      sanskrit_name: f.get('sanskrit_name').trim(),
      category: f.get('category'),
      difficulty: f.get('difficulty'),
      default_hold_seconds: Number(f.get('default_hold_seconds')),
      two_sided: f.get('two_sided') !== null,
      description: f.get('description').trim(),
      instructions: lines(f.get('instructions')),
      benefits: lines(f.get('benefits')),
      contraindications: f.getAll('contraindications'),
    };
    const slug = f.get('slug').trim();
    if (slug && (!p || slug !== p.slug)) body.slug = slug;
    const image = f.get('image_url').trim();
    if (image || (p && p.image_url)) body.image_url = image;
    await busy(form, async () => {
      try {
        const saved = p ? await api.patch(`/admin/poses/${p.id}`, body) : await api.post('/admin/poses', body);
        api.forgetPose(saved.id);
        toast(p ? 'Pose saved.' : 'Pose created.');
        navigate(`/poses/${encodeURIComponent(saved.slug)}`);
      } catch (err) {
        if (!(err instanceof api.ApiError)) throw err;
        showError(box, err, form);
      }
    });
  });

  mount(ctx.main, h('p', { class: 'crumbs' }, h('a', { href: '/editor' }, 'Editor')), h('h1', {}, p ? `Edit ${p.english_name}` : 'New pose'), form);
}
