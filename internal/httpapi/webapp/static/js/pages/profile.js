// My account: name and time zone, practice settings, password, my data,
// signing out and deleting the account.

import * as api from '../api.js';
import { h, mount, field, select, errorBox, showError, busy, toast, safely } from '../dom.js';
import { navigate } from '../router.js';
import * as state from '../state.js';
import { timezones, label } from '../format.js';
import * as guidance from '../guidance.js';

// section is a form of its own with its own error box. A form asking for
// the password names the account too, for password managers.
function section(title, intro, controls, submitText, onSubmit, cls) {
  const box = errorBox();
  const account = controls.some((c) => c.querySelector('input[type=password]'))
    ? h('input', { type: 'email', name: 'username', autocomplete: 'username', value: state.user().email, hidden: true, readonly: true })
    : null;
  const form = h('form', { novalidate: true }, box, account, controls, h('button', { type: 'submit', class: cls || 'primary' }, submitText));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    box.hidden = true;
    await busy(form, async () => {
      try {
        await onSubmit(new FormData(form), form);
      } catch (err) {
        if (!(err instanceof api.ApiError)) throw err;
        showError(box, err, form);
      }
    });
  });
  return h('section', { class: 'panel' }, h('h2', {}, title), intro ? h('p', {}, intro) : null, form);
}

async function download() {
  const res = await api.request('GET', '/users/me/export', { raw: true });
  const blob = await res.blob();
  const a = h('a', { href: URL.createObjectURL(blob), download: 'yogaflow-export.json' });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

export function page(ctx) {
  const me = state.user();
  const zones = timezones();
  if (!zones.includes(me.timezone)) zones.unshift(me.timezone);
  mount(
    ctx.main,
    h('h1', {}, 'Profile'),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Email'), h('dd', {}, me.email, ' ', me.email_verified ? h('span', { class: 'tag' }, 'Confirmed') : h('a', { href: '/verify-email' }, 'Not confirmed yet')),
      h('dt', {}, 'Roles'), h('dd', {}, me.roles.map(label).join(', '))),
    section('Name and time zone', 'Days and streaks are counted in your time zone.', [
      field('Display name', h('input', { name: 'display_name', maxlength: 100, value: me.display_name, autocomplete: 'nickname' })),
      field('Time zone', select({ name: 'timezone' }, zones.map((z) => [z, z]), me.timezone)),
    ], 'Save', async (f) => {
      state.setUser(await api.patch('/users/me', { display_name: f.get('display_name').trim(), timezone: f.get('timezone') }));
      toast('Saved.');
    }),
    h('section', { class: 'panel', id: 'practice-settings' },
      h('h2', {}, 'Practice'),
      h('p', {}, 'How the player guides you, on every device you sign in on. Each change is saved at once.'),
      guidance.controls('profile')),
    section('Password', 'Changing it signs you out everywhere else.', [
      field('Current password', h('input', { type: 'password', name: 'current_password', autocomplete: 'current-password', required: true })),
      field('New password', h('input', { type: 'password', name: 'new_password', autocomplete: 'new-password', required: true, minlength: 8, maxlength: 72 }),
        '8 to 72 characters, with an upper-case letter, a lower-case letter and a digit.'),
    ], 'Change password', async (f, form) => {
      await api.post('/users/me/password', { current_password: f.get('current_password'), new_password: f.get('new_password') });
      form.reset();
      toast('Password changed.');
    }),
    h('section', { class: 'panel' },
      h('h2', {}, 'Your data'),
      h('p', {}, 'Everything we keep about you, as one JSON file: profile, sequences, practice sessions and sign-ins.'),
      h('p', { class: 'actions' },
        h('button', { type: 'button', id: 'export', onClick: safely(download) }, 'Download my data'),
        h('button', { type: 'button', onClick: safely(async () => {
          await api.signOut();
          navigate('/');
        }) }, 'Sign out'))),
    section('Delete account', 'This deletes your account, your sequences and your practice history. It cannot be undone.', [
      field('Password', h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true })),
      h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'sure', required: true }), 'Yes, delete everything'),
    ], 'Delete my account', async (f) => {
      if (!f.get('sure')) throw new api.ApiError(422, { detail: 'Tick the box to confirm.' });
      await api.del('/users/me', { password: f.get('password') });
      api.forget();
      navigate('/');
      toast('Your account is deleted.');
    }, 'danger'),
  );
}
