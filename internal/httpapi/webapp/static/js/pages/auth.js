// Signing up and in, confirming the email address, and resetting a
// forgotten password.

import * as api from '../api.js';
import { h, mount, field, select, errorBox, showError, busy, toast, formValues } from '../dom.js';
import { navigate } from '../router.js';
import * as state from '../state.js';
import { timezones, browserZone } from '../format.js';

const PASSWORD_HINT = '8 to 72 characters, with an upper-case letter, a lower-case letter and a digit. Not a common one.';

// form builds a form whose submit runs onSubmit(values) with the error
// shown in place.
function form(fields, submitText, onSubmit) {
  const box = errorBox();
  const f = h('form', { novalidate: true }, box, fields, h('button', { type: 'submit', class: 'primary' }, submitText));
  f.addEventListener('submit', async (e) => {
    e.preventDefault();
    box.hidden = true;
    await busy(f, async () => {
      try {
        await onSubmit(formValues(f));
      } catch (err) {
        if (!(err instanceof api.ApiError)) throw err;
        showError(box, err, f);
      }
    });
  });
  return f;
}

function input(name, type, attrs = {}) {
  return h('input', { name, type, ...attrs });
}

// safeNext keeps a post-sign-in redirect on this site: a path, never
// "//host" or "/\host", which browsers read as another host.
function safeNext(next) {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
}

export function signIn(ctx) {
  const next = safeNext(ctx.query.get('next'));
  mount(
    ctx.main,
    h('h1', {}, 'Sign in'),
    form(
      [
        field('Email', input('email', 'email', { autocomplete: 'username', required: true })),
        field('Password', input('password', 'password', { autocomplete: 'current-password', required: true })),
      ],
      'Sign in',
      async (v) => {
        await api.signIn(v.email, v.password);
        await state.load();
        navigate(next, { replace: true });
      },
    ),
    h('p', {}, h('a', { href: '/forgot-password' }, 'Forgot your password?')),
    h('p', {}, 'New here? ', h('a', { href: '/sign-up' }, 'Create an account')),
  );
}

export function signUp(ctx) {
  const zone = browserZone();
  const zones = timezones();
  if (!zones.includes(zone)) zones.unshift(zone);
  mount(
    ctx.main,
    h('h1', {}, 'Create an account'),
    form(
      [
        field('Email', input('email', 'email', { autocomplete: 'email', required: true })),
        field('Password', input('password', 'password', { autocomplete: 'new-password', required: true, minlength: 8, maxlength: 72 }), PASSWORD_HINT),
        field('Display name (optional)', input('display_name', 'text', { autocomplete: 'nickname', maxlength: 100 })),
        field('Time zone', select({ name: 'timezone' }, zones.map((z) => [z, z]), zone), 'Your days and streaks are counted in it.'),
      ],
      'Create account',
      async (v) => {
        const body = { email: v.email, password: v.password, timezone: v.timezone };
        if (v.display_name.trim()) body.display_name = v.display_name.trim();
        const u = await api.post('/auth/register', body);
        mount(
          ctx.main,
          h('h1', {}, 'Check your email'),
          h('p', {}, `We sent a link to ${u.email}. Open it to confirm your address, then sign in.`),
          h('p', {}, h('a', { href: '/sign-in', class: 'button' }, 'Sign in')),
        );
        ctx.main.querySelector('h1').focus();
      },
    ),
    h('p', {}, 'Have an account? ', h('a', { href: '/sign-in' }, 'Sign in')),
  );
}

export async function verifyEmail(ctx) {
  const token = ctx.query.get('token');
  const me = state.user();
  if (!token) {
    mount(ctx.main, h('h1', {}, 'Confirm your email'));
    if (me && !me.email_verified) {
      ctx.main.append(resendButton());
    } else {
      ctx.main.append(h('p', {}, me ? 'Your email address is confirmed.' : 'Open the link we emailed you.'));
    }
    return;
  }
  mount(ctx.main, h('h1', {}, 'Confirming your email…'));
  try {
    await api.post('/auth/verify-email', { token });
  } catch (err) {
    if (!(err instanceof api.ApiError) || err.status >= 500) throw err;
    mount(
      ctx.main,
      h('h1', {}, 'This link does not work'),
      h('p', { role: 'alert' }, err.code === 'token_expired' ? 'The link has expired.' : 'The link is not valid, or it was already used.'),
      me ? resendButton() : h('p', {}, 'Sign in to have a new link sent.'),
    );
    return;
  }
  if (me) await state.load();
  history.replaceState(null, '', '/verify-email'); // the token is spent: keep it out of the address bar
  mount(
    ctx.main,
    h('h1', {}, 'Email confirmed'),
    h('p', {}, 'Thank you. Your address is confirmed.'),
    h('p', {}, me ? h('a', { href: '/sequences', class: 'button' }, 'Choose a sequence') : h('a', { href: '/sign-in', class: 'button' }, 'Sign in')),
  );
}

function resendButton() {
  return h('p', {}, 'Your address is not confirmed yet. ', h('button', {
    type: 'button',
    onClick: async (e) => {
      e.target.disabled = true;
      try {
        await api.post('/auth/verify-email/resend');
        toast('A new link is on its way.');
      } catch (err) {
        toast(err.message);
        e.target.disabled = false;
      }
    },
  }, 'Email me a new link'));
}

export function forgotPassword(ctx) {
  mount(
    ctx.main,
    h('h1', {}, 'Forgot your password?'),
    h('p', {}, 'Give your email address and we will send a link to set a new password.'),
    form([field('Email', input('email', 'email', { autocomplete: 'email', required: true }))], 'Send the link', async (v) => {
      await api.post('/auth/password-reset/request', { email: v.email });
      mount(ctx.main, h('h1', {}, 'Check your email'), h('p', {}, 'If an account has that address, a link to reset its password is on its way. It works for an hour.'));
      ctx.main.querySelector('h1').focus();
    }),
  );
}

export function resetPassword(ctx) {
  const token = ctx.query.get('token');
  if (!token) {
    mount(ctx.main, h('h1', {}, 'Reset your password'), h('p', {}, 'Open the link we emailed you, or ', h('a', { href: '/forgot-password' }, 'ask for a new one'), '.'));
    return;
  }
  mount(
    ctx.main,
    h('h1', {}, 'Choose a new password'),
    form(
      [
        field('New password', input('new_password', 'password', { autocomplete: 'new-password', required: true, minlength: 8, maxlength: 72 }), PASSWORD_HINT),
      ],
      'Set password',
      async (v) => {
        try {
          await api.post('/auth/password-reset/confirm', { token, new_password: v.new_password });
        } catch (err) {
          if (err.code === 'token_invalid' || err.code === 'token_expired') {
            err.message = 'This link does not work any more. Ask for a new one from "Forgot your password?".';
          }
          throw err;
        }
        // Every sign-in of the account has ended, this one too.
        if (state.user()) api.forget();
        history.replaceState(null, '', '/reset-password');
        mount(ctx.main, h('h1', {}, 'Password changed'), h('p', {}, h('a', { href: '/sign-in', class: 'button' }, 'Sign in')));
        ctx.main.querySelector('h1').focus();
      },
    ),
  );
}
