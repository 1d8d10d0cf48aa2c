// The practice player. The server's session is the truth: the player opens
// whatever GET /sessions/current holds, at its current_step, paused if it
// is paused, reports each new step (POST .../progress) and every pause and
// resume, and looks again when the tab comes back, so a reload or another
// device carries on at the same step. The countdown within a step is the
// player's own.

import * as api from './api.js';
import { h, mount, toast, safely } from './dom.js';
import { navigate } from './router.js';
import { clock, duration, phases, sideLabel } from './format.js';
import * as chime from './chime.js';

const TICK_MS = 200;

export async function player(ctx) {
  let session;
  try {
    session = await api.get('/sessions/current');
  } catch (err) {
    if (err.status !== 404) throw err;
    mount(ctx.main, h('h1', {}, 'Practice'), h('p', {}, 'Nothing under way. ', h('a', { href: '/sequences' }, 'Choose a sequence'), ' and press "Practise this".'));
    return;
  }
  let seq = null;
  if (session.sequence_id) {
    try {
      seq = await api.get(`/sequences/${session.sequence_id}`);
    } catch (err) {
      if (err.status !== 404) throw err;
    }
  }
  if (!seq) {
    mount(ctx.main, h('h1', {}, session.sequence_name), h('p', {}, 'This sequence is gone, but you can still finish the practice.'));
    ctx.main.append(finishForm(session));
    return;
  }
  const plan = seq.steps.map((st) => phases(st, st.pose.two_sided));
  new Player(ctx, session, seq, plan).start();
}

class Player {
  constructor(ctx, session, seq, plan) {
    this.ctx = ctx;
    this.session = session;
    this.seq = seq;
    this.plan = plan;
    this.step = this.clampStep(session.current_step);
    this.phase = 0;
    this.remaining = this.plan[this.step][0].seconds;
    this.deadline = 0;
    this.timer = null;
    this.lock = null;
    this.done = false;
  }

  clampStep(position) {
    return Math.min(Math.max(position, 1), this.plan.length) - 1;
  }

  get running() {
    return this.session.status === 'in_progress' && !this.done;
  }

  start() {
    const el = (tag, attrs, ...c) => h(tag, attrs, ...c);
    this.ui = {
      count: el('p', { class: 'step-count', id: 'step-count' }),
      status: el('p', { class: 'status', id: 'player-status', role: 'status' }),
      name: el('h1', { id: 'pose-name' }),
      sanskrit: el('p', { class: 'sanskrit big', id: 'pose-sanskrit', lang: 'sa-Latn' }),
      side: el('p', { class: 'side', id: 'pose-side' }),
      time: el('p', { class: 'countdown', id: 'countdown', role: 'timer', 'aria-label': 'Time left in this pose' }),
      fill: el('div', { class: 'fill' }),
      cue: el('p', { class: 'cue', id: 'pose-cue' }),
      next: el('p', { class: 'next', id: 'next-pose' }),
      pause: el('button', { type: 'button', class: 'primary big', id: 'pause', onClick: safely(() => this.toggle()) }),
      skip: el('button', { type: 'button', class: 'big', id: 'skip', onClick: safely(() => this.advance(true)) }, 'Skip'),
      finish: el('button', { type: 'button', class: 'big', id: 'finish', onClick: () => this.finish() }, 'Finish'),
      announce: el('p', { class: 'sr-only', 'aria-live': 'polite' }),
      end: el('div', { id: 'finish-area' }),
    };
    const chimeBox = el('input', { type: 'checkbox', id: 'chime', checked: chime.enabled() });
    chimeBox.addEventListener('change', () => chime.setEnabled(chimeBox.checked));
    if (chime.enabled()) document.addEventListener('pointerdown', () => chime.unlock(), { once: true });
    const u = this.ui;
    mount(
      this.ctx.main,
      h('section', { class: 'player', 'aria-label': `Practising ${this.seq.name}` },
        h('p', { class: 'crumbs' }, this.seq.name),
        u.count, u.status, u.name, u.sanskrit, u.side, u.time,
        h('div', { class: 'progress', 'aria-hidden': 'true' }, u.fill),
        u.cue, u.next,
        h('div', { class: 'controls' }, u.pause, u.skip, u.finish),
        h('p', { class: 'options' }, h('label', { class: 'check' }, chimeBox, 'Soft chime between poses')),
        h('p', { class: 'keys' }, 'Keys: Space pauses and resumes, → skips to the next pose.'),
        u.announce),
      u.end,
    );

    this.onKey = (e) => this.key(e);
    this.onVisible = () => {
      if (document.visibilityState === 'visible') this.sync().catch(() => {});
    };
    document.addEventListener('keydown', this.onKey);
    document.addEventListener('visibilitychange', this.onVisible);
    this.ctx.onLeave(() => this.stop());
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.resumeClock();
    this.draw();
  }

  stop() {
    clearInterval(this.timer);
    document.removeEventListener('keydown', this.onKey);
    document.removeEventListener('visibilitychange', this.onVisible);
    this.wake(false);
  }

  // The countdown runs against a deadline, not by counting ticks, so a
  // slow or throttled timer does not stretch a pose.
  resumeClock() {
    this.deadline = performance.now() + this.remaining * 1000;
    this.wake(this.running);
  }

  tick() {
    if (!this.running) return;
    this.remaining = Math.max(0, (this.deadline - performance.now()) / 1000);
    if (this.remaining <= 0) {
      this.advance(false).catch((err) => toast(err.message));
      return;
    }
    this.drawTime();
  }

  key(e) {
    if (this.done || e.altKey || e.ctrlKey || e.metaKey) return;
    const t = e.target;
    const typing = t.closest && t.closest('input, textarea, select');
    if (e.key === ' ' && !typing && !(t.closest && t.closest('button'))) {
      e.preventDefault();
      this.toggle().catch((err) => toast(err.message));
    } else if (e.key === 'ArrowRight' && !typing) {
      e.preventDefault();
      this.advance(true).catch((err) => toast(err.message));
    }
  }

  async toggle() {
    if (this.done) return;
    const verb = this.session.status === 'paused' ? 'resume' : 'pause';
    if (verb === 'pause') this.remaining = Math.max(0, (this.deadline - performance.now()) / 1000);
    try {
      this.session = await api.post(`/sessions/${this.session.id}/${verb}`, undefined, { idempotent: true });
    } catch (err) {
      if (err.code !== 'invalid_transition') throw err;
      await this.sync(); // another device got there first
      return;
    }
    if (this.running) {
      chime.unlock();
      this.resumeClock();
    } else {
      this.wake(false);
    }
    this.say(this.running ? 'Resumed.' : 'Paused.');
    this.draw();
  }

  // advance moves to the next side or the next step, telling the server of
  // a new step; after the last, it offers to finish.
  async advance(skipped) {
    if (this.done) return;
    if (this.phase + 1 < this.plan[this.step].length) {
      this.phase++;
    } else if (this.step + 1 < this.plan.length) {
      this.step++;
      this.phase = 0;
      const position = this.step + 1;
      this.session = await api.post(`/sessions/${this.session.id}/progress`, { step_position: position }, { idempotent: true })
        .catch((err) => {
          toast(`Your place was not saved: ${err.message}`);
          return this.session;
        });
    } else {
      chime.chime();
      this.remaining = 0;
      this.finish();
      return;
    }
    this.remaining = this.plan[this.step][this.phase].seconds;
    if (this.running) this.resumeClock();
    chime.chime();
    const st = this.seq.steps[this.step];
    const side = sideLabel(this.plan[this.step][this.phase].side);
    this.say(`${skipped ? 'Skipped. ' : ''}Now ${st.pose.english_name}${side ? `, ${side.toLowerCase()}` : ''}.`);
    this.draw();
  }

  // sync takes the server's word: another device may have moved on,
  // paused, or ended the practice.
  async sync() {
    let s;
    try {
      s = await api.get('/sessions/current');
    } catch (err) {
      if (err.status !== 404) throw err;
      this.stop();
      mount(this.ctx.main, h('h1', {}, 'Practice ended'), h('p', {}, 'This practice was finished or ended on another device. ', h('a', { href: '/history' }, 'See your history')));
      return;
    }
    if (s.id !== this.session.id) {
      navigate('/practice', { replace: true });
      return;
    }
    const step = this.clampStep(s.current_step);
    if (step !== this.step) {
      this.step = step;
      this.phase = 0;
      this.remaining = this.plan[step][0].seconds;
    } else if (this.running) {
      this.remaining = Math.max(0, (this.deadline - performance.now()) / 1000);
    }
    this.session = s;
    if (this.running) this.resumeClock();
    else this.wake(false);
    this.draw();
  }

  say(text) {
    this.ui.announce.textContent = text;
  }

  draw() {
    const u = this.ui;
    const st = this.seq.steps[this.step];
    const ph = this.plan[this.step][this.phase];
    u.count.textContent = `Pose ${this.step + 1} of ${this.plan.length}`;
    u.status.textContent = this.session.status === 'paused' ? 'Paused' : '';
    u.status.hidden = this.session.status !== 'paused';
    u.name.textContent = st.pose.english_name;
    u.sanskrit.textContent = st.pose.sanskrit_name || '';
    const phaseCount = this.plan[this.step].length;
    u.side.textContent = ph.side ? `${sideLabel(ph.side)}${phaseCount > 1 ? ` (${this.phase + 1} of ${phaseCount})` : ''}` : '';
    u.side.hidden = !ph.side;
    u.cue.textContent = st.cue || '';
    u.cue.hidden = !st.cue;
    const next = this.phase + 1 < phaseCount
      ? `Next: ${sideLabel(this.plan[this.step][this.phase + 1].side).toLowerCase()}`
      : this.step + 1 < this.plan.length
        ? `Next: ${this.seq.steps[this.step + 1].pose.english_name}`
        : 'Last pose';
    u.next.textContent = next;
    u.pause.textContent = this.session.status === 'paused' ? 'Resume' : 'Pause';
    u.pause.setAttribute('aria-pressed', String(this.session.status === 'paused'));
    this.drawTime();
  }

  drawTime() {
    const total = this.plan[this.step][this.phase].seconds;
    this.ui.time.textContent = clock(this.remaining);
    this.ui.fill.style.width = `${Math.min(100, ((total - this.remaining) / total) * 100)}%`;
  }

  // The screen stays on while the clock runs, where the browser allows it;
  // the browser drops the lock when the tab is hidden, so it is asked for
  // again on the way back.
  async wake(on) {
    if (!('wakeLock' in navigator)) return;
    if (on && !this.lock && document.visibilityState === 'visible') {
      try {
        this.lock = await navigator.wakeLock.request('screen');
        this.lock.addEventListener('release', () => (this.lock = null));
      } catch {
        // refused (battery saver, no permission): the practice goes on
      }
    } else if (!on && this.lock) {
      const l = this.lock;
      this.lock = null;
      l.release().catch(() => {});
    }
  }

  finish() {
    if (this.ui.end.firstChild) {
      this.ui.end.querySelector('input, textarea')?.focus();
      return;
    }
    if (this.plan.length && this.remaining <= 0 && this.step === this.plan.length - 1) {
      this.ui.time.textContent = clock(0);
      this.done = true;
      this.wake(false);
    }
    const form = finishForm(this.session, () => this.stop());
    this.ui.end.append(form);
    form.querySelector('input').focus();
  }
}

// finishForm completes the session with a rating and a note, or ends it
// without counting it as done.
function finishForm(session, stopped = () => {}) {
  const stars = h('fieldset', { class: 'rating-input' }, h('legend', {}, 'How was it? (optional)'),
    [1, 2, 3, 4, 5].map((n) => h('label', { class: 'check' }, h('input', { type: 'radio', name: 'rating', value: String(n) }), `${n} ${'★'.repeat(n)}`)));
  const notes = h('textarea', { id: 'finish-notes', name: 'notes', rows: 3, maxlength: 2000 });
  const form = h('form', { class: 'panel', id: 'finish-form' },
    h('h2', {}, 'Finish your practice'),
    stars,
    h('div', { class: 'field' }, h('label', { for: 'finish-notes' }, 'Note (optional)'), notes),
    h('p', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary' }, 'Finish and save'),
      h('button', { type: 'button', class: 'danger', onClick: safely(async () => {
        if (!confirm('End this practice without counting it as done?')) return;
        await api.post(`/sessions/${session.id}/abandon`, undefined, { idempotent: true });
        stopped();
        navigate('/history');
      }) }, 'End without saving')));
  form.addEventListener('submit', safely(async (e) => {
    e.preventDefault();
    const f = new FormData(form);
    const body = {};
    if (f.get('rating')) body.rating = Number(f.get('rating'));
    if (f.get('notes').trim()) body.notes = f.get('notes').trim();
    const done = await api.post(`/sessions/${session.id}/complete`, body, { idempotent: true });
    stopped();
    const main = document.getElementById('main');
    mount(main,
      h('h1', {}, 'Well done'),
      h('p', {}, `${done.sequence_name}: ${duration(done.duration_seconds)} on the mat.`),
      h('p', { class: 'actions' }, h('a', { href: '/stats', class: 'button primary' }, 'See your progress'), h('a', { href: '/history', class: 'button' }, 'History')));
    main.querySelector('h1').focus();
  }));
  return form;
}
