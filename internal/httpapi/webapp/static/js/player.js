// The practice player. The server's session is the truth: the player opens
// whatever GET /sessions/current holds at its step, side and second
// (current_step, current_side, step_elapsed_seconds), paused if it is
// paused, and tells the server where the practice stands at every change
// of pose or side, on every pause, and when the page is hidden. Opening the
// player claims the practice for this tab (device_id); a tab that sees the
// practice claimed by another stops its own clock and says so. Idle time is
// not practice: the player pauses the session itself when the last pose
// ends and when the page stays hidden past the end of a pose. It speaks
// (Web Speech API, the device's voices) and chimes as the user's practice
// settings say; without speech it works the same, in silence.

import * as api from './api.js';
import { h, mount, toast, safely } from './dom.js';
import { navigate } from './router.js';
import { clock, duration, phases, sideLabel } from './format.js';
import * as chime from './chime.js';
import * as speech from './speech.js';
import * as guidance from './guidance.js';
import { setFigure } from './figure.js';
import * as outbox from './outbox.js';
import * as state from './state.js';

const TICK_MS = 200;
const POLL_MS = 10000; // how soon another tab's claim is seen
const LEAD_SECONDS = 5; // the get-ready before the first pose
const COUNT_WORDS = { 3: 'Three', 2: 'Two', 1: 'One' };

// deviceId names this tab to the server, for as long as the tab lives.
function deviceId() {
  let id = sessionStorage.getItem('yogaflow.device');
  if (!id) {
    id = crypto.randomUUID();
    sessionStorage.setItem('yogaflow.device', id);
  }
  return id;
}

// placeOf is where a session stands in a plan: the step and side (as
// indexes) and the seconds left of that side.
function placeOf(plan, s) {
  const step = Math.min(Math.max(s.current_step, 1), plan.length) - 1;
  const phs = plan[step];
  const secs = phs[0].seconds;
  const elapsed = s.step_elapsed_seconds || 0;
  let phase = s.current_side ? phs.findIndex((p) => p.side === s.current_side) : -1;
  if (phase < 0) phase = Math.min(phs.length - 1, Math.floor(elapsed / secs));
  return { step, phase, remaining: Math.min(secs, Math.max(0, secs - (elapsed - phase * secs))) };
}

// stepSeconds is how far into its step a place is; seconds, how far into
// the whole practice.
function stepSeconds(plan, { step, phase, remaining }) {
  const secs = plan[step][phase].seconds;
  return phase * secs + (secs - remaining);
}

function seconds(plan, place) {
  let before = 0;
  for (let i = 0; i < place.step; i++) before += plan[i].reduce((n, p) => n + p.seconds, 0);
  return before + stepSeconds(plan, place);
}

// A practice begun without a connection has no session on the server: it
// lives in this device's storage, and its record goes to POST /history
// when it ends.
const OFFLINE_KEY = 'yogaflow.offline-practice';

function offlineSession() {
  try {
    const s = JSON.parse(localStorage.getItem(OFFLINE_KEY));
    return s && state.user() && s.user === state.user().id ? s : null;
  } catch {
    return null;
  }
}

function keepOffline(s) {
  if (s) localStorage.setItem(OFFLINE_KEY, JSON.stringify(s));
  else localStorage.removeItem(OFFLINE_KEY);
}

// startOffline begins a practice of seq on this device alone.
export function startOffline(seq) {
  keepOffline({ id: `offline-${crypto.randomUUID()}`, offline: true, user: state.user().id, sequence_id: seq.id,
    sequence_name: seq.name, status: 'in_progress', started_at: new Date().toISOString(), current_step: 1,
    current_side: null, step_elapsed_seconds: 0, duration_seconds: 0 });
}

export async function player(ctx) {
  let session = offlineSession();
  if (!session) {
    try {
      session = await api.get('/sessions/current');
    } catch (err) {
      if (err.status !== 404) throw err;
      mount(ctx.main, h('h1', {}, 'Practice'), h('p', {}, 'Nothing under way. ', h('a', { href: '/sequences' }, 'Choose a sequence'), ' and press "Practise this".'));
      return;
    }
  }
  if (await outbox.finishing(session.id)) {
    mount(ctx.main, h('h1', {}, 'Practice finished'), keptNotice(session));
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
  new Player(ctx, session, seq).start();
}

class Player {
  constructor(ctx, session, seq) {
    this.ctx = ctx;
    this.session = session;
    this.seq = seq;
    this.plan = seq.steps.map((st) => phases(st, st.pose.two_sided));
    this.device = deviceId();
    this.settings = guidance.settings();
    // mode: lead (getting ready), run (practising), finishing (the finish
    // form is open), done (the last pose ended), moved (another tab has it).
    this.mode = 'run';
    this.deadline = 0;
    this.timers = [];
    this.lock = null;
    this.hiddenAt = 0;
    this.nextBreath = 0;
    this.inhale = true;
    this.place(session);
  }

  get ticking() {
    return this.session.status === 'in_progress' && (this.mode === 'run' || this.mode === 'lead');
  }

  // place puts the player where the server says the practice stands.
  place(s) {
    Object.assign(this, placeOf(this.plan, s));
  }

  stepElapsed() {
    return stepSeconds(this.plan, this);
  }

  start() {
    const el = h;
    this.ui = {
      count: el('p', { class: 'step-count', id: 'step-count' }),
      status: el('p', { class: 'status', id: 'player-status', role: 'status' }),
      figure: el('img', { class: 'figure', id: 'pose-figure', width: 240, height: 240, alt: '' }),
      name: el('h1', { id: 'pose-name', tabindex: '-1' }),
      sanskrit: el('p', { class: 'sanskrit big', id: 'pose-sanskrit', lang: 'sa-Latn' }),
      side: el('p', { class: 'side', id: 'pose-side' }),
      time: el('p', { class: 'countdown', id: 'countdown', role: 'timer', 'aria-label': 'Time left in this pose' }),
      fill: el('div', { class: 'fill' }),
      breath: el('p', { class: 'breath', id: 'breath', 'aria-hidden': 'true' }),
      cue: el('p', { class: 'cue', id: 'pose-cue' }),
      next: el('p', { class: 'next', id: 'next-pose' }),
      pause: el('button', { type: 'button', class: 'primary big', id: 'pause', onClick: safely(() => this.toggle()) }),
      skip: el('button', { type: 'button', class: 'big', id: 'skip', onClick: safely(() => this.advance(true)) }, 'Skip'),
      finish: el('button', { type: 'button', class: 'big', id: 'finish', onClick: safely(() => this.finish()) }, 'Finish'),
      moved: el('div', { class: 'panel notice', id: 'moved', role: 'alert', hidden: true },
        el('p', {}, 'This practice moved to another device, so its clock stopped here.'),
        el('button', { type: 'button', class: 'primary', id: 'continue-here', onClick: safely(() => this.claimBack()) }, 'Continue here')),
      announce: el('p', { class: 'sr-only', 'aria-live': 'polite', id: 'player-announce' }),
      end: el('div', { id: 'finish-area' }),
    };
    const u = this.ui;
    mount(
      this.ctx.main,
      h('section', { class: 'player', 'aria-label': `Practising ${this.seq.name}` },
        h('p', { class: 'crumbs' }, this.seq.name),
        u.moved, u.count, u.status, u.figure, u.name, u.sanskrit, u.side, u.time,
        h('div', { class: 'progress', 'aria-hidden': 'true' }, u.fill),
        u.breath, u.cue, u.next,
        h('div', { class: 'controls' }, u.pause, u.skip, u.finish),
        h('p', { class: 'keys' }, 'Keys: Space pauses and resumes, → skips to the next pose.'),
        h('details', { class: 'options' }, h('summary', {}, 'Voice, chime and breath'),
          speech.available() ? null : h('p', { class: 'hint' }, 'This browser cannot speak: the practice goes on in silence.'),
          guidance.controls('player', (s) => this.apply(s))),
        u.announce),
      u.end,
    );
    this.apply(this.settings);
    document.addEventListener('pointerdown', () => chime.unlock(), { once: true });

    this.onKey = (e) => this.key(e);
    this.onVisibility = () => this.visibility();
    document.addEventListener('keydown', this.onKey);
    document.addEventListener('visibilitychange', this.onVisibility);
    this.ctx.onLeave(() => this.stop());
    this.onConnection = (offline) => {
      this.draw();
      if (!offline) this.reconnected().catch((err) => toast(err.message));
    };
    api.onConnection(this.onConnection);
    this.timers.push(setInterval(() => this.tick(), TICK_MS));
    this.timers.push(setInterval(() => {
      if (document.visibilityState === 'visible' && this.mode !== 'done') this.sync().catch(() => {});
    }, POLL_MS));

    const s = this.session;
    const fresh = s.status === 'in_progress' && s.current_step === 1 && !s.step_elapsed_seconds && s.duration_seconds < 3;
    if (fresh) {
      this.mode = 'lead';
      this.remaining = LEAD_SECONDS;
      speech.say(`Get ready. We begin with ${this.seq.steps[0].pose.english_name}.`, { interrupt: true });
    }
    this.claim().catch(() => {});
    this.resumeClock();
    this.draw();
  }

  apply(s) {
    this.settings = s;
    speech.setEnabled(s.voice);
    if (s.chime) chime.unlock();
    this.ui.breath.hidden = !s.breath_pacing;
    this.nextBreath = 0;
  }

  stop() {
    api.offConnection(this.onConnection);
    for (const t of this.timers) clearInterval(t);
    clearTimeout(this.awayTimer);
    document.removeEventListener('keydown', this.onKey);
    document.removeEventListener('visibilitychange', this.onVisibility);
    speech.stop();
    this.wake(false);
  }

  // The countdown runs against a deadline, not by counting ticks, so a
  // slow or throttled timer does not stretch a pose.
  resumeClock() {
    this.deadline = performance.now() + this.remaining * 1000;
    this.wake(this.ticking);
  }

  freeze() {
    if (this.ticking) this.remaining = Math.max(0, (this.deadline - performance.now()) / 1000);
  }

  tick() {
    if (!this.ticking) return;
    const before = Math.ceil(this.remaining);
    this.remaining = Math.max(0, (this.deadline - performance.now()) / 1000);
    const now = Math.ceil(this.remaining);
    if (this.remaining <= 0) {
      (this.mode === 'lead' ? this.begin() : this.advance(false)).catch((err) => toast(err.message));
      return;
    }
    if (now !== before && COUNT_WORDS[now] && (this.mode === 'lead' || this.plan[this.step][this.phase].seconds >= 6)) {
      speech.say(COUNT_WORDS[now]);
    }
    this.breathe();
    this.drawTime();
  }

  // breathe cues inhale and exhale at the user's pace, in the quiet
  // between the pose's own words and its last seconds.
  breathe() {
    if (!this.settings.breath_pacing || this.mode !== 'run') return;
    const now = performance.now();
    if (now < this.nextBreath) return;
    const half = 30000 / this.settings.breaths_per_minute;
    this.nextBreath = now + half;
    const word = this.inhale ? 'Breathe in' : 'Breathe out';
    this.ui.breath.textContent = word;
    this.ui.breath.style.transitionDuration = `${half / 1000}s`;
    this.ui.breath.classList.toggle('in', this.inhale);
    this.inhale = !this.inhale;
    if (this.remaining > 4.5 && !speech.speaking()) speech.say(word);
  }

  key(e) {
    if (this.mode === 'done' || this.mode === 'moved' || e.altKey || e.ctrlKey || e.metaKey) return;
    const t = e.target;
    const typing = t.closest && t.closest('input, textarea, select');
    if (e.key === ' ' && !typing && !(t.closest && t.closest('button, summary'))) {
      e.preventDefault();
      this.toggle().catch((err) => toast(err.message));
    } else if (e.key === 'ArrowRight' && !typing) {
      e.preventDefault();
      this.advance(true).catch((err) => toast(err.message));
    }
  }

  // report tells the server where the practice stands; claim also names
  // this tab as the one playing it.
  async report(claim = false) {
    const st = this.seq.steps[this.step];
    const ph = this.plan[this.step][this.phase];
    const body = { step_position: this.step + 1, step_elapsed_seconds: Math.floor(this.stepElapsed() + 1e-6) };
    if (ph.side) body.side = ph.side;
    if (claim) body.device_id = this.device;
    if (this.session.offline) {
      Object.assign(this.session, { current_step: body.step_position, current_side: ph.side || null, step_elapsed_seconds: body.step_elapsed_seconds });
      keepOffline(this.session);
      return;
    }
    try {
      this.session = await api.post(`/sessions/${this.session.id}/progress`, body, { idempotent: true });
    } catch (err) {
      if (api.isNetworkError(err)) return; // told again when the connection is back
      if (err.code === 'invalid_transition' || err.status === 404) return this.sync();
      toast(`Your place was not saved: ${err.message}`);
      return;
    }
    if (this.session.device_id && this.session.device_id !== this.device) this.moved();
  }

  claim() {
    return this.report(true);
  }

  // setStatus pauses or resumes the practice. Without a connection the
  // clock here goes on as asked, and the server is told when it is back.
  async setStatus(verb) {
    const local = () => {
      this.session = { ...this.session, status: verb === 'pause' ? 'paused' : 'in_progress' };
      if (this.session.offline) keepOffline(this.session);
      return true;
    };
    if (this.session.offline) return local();
    try {
      this.session = await api.post(`/sessions/${this.session.id}/${verb}`, undefined, { idempotent: true });
    } catch (err) {
      if (api.isNetworkError(err)) {
        this.unsent = true;
        return local();
      }
      if (err.code !== 'invalid_transition') throw err;
      await this.sync(); // another device got there first
      return false;
    }
    return true;
  }

  // reconnected tells the server what happened here while it could not
  // be reached: paused or not, and where the practice stands.
  async reconnected() {
    if (this.session.offline || this.mode === 'moved') return;
    if (this.unsent) {
      this.unsent = false;
      const verb = this.session.status === 'paused' ? 'pause' : 'resume';
      try {
        this.session = await api.post(`/sessions/${this.session.id}/${verb}`, undefined, { idempotent: true });
      } catch (err) {
        if (err.code !== 'invalid_transition') throw err; // already so
      }
    }
    this.freeze();
    await this.report();
  }

  // toggle pauses or resumes. A press made while the last is still being
  // sent waits its turn, so that two quick presses on a slow or lost
  // connection pause and then resume, instead of both pausing.
  toggle() {
    const turn = (this.toggling || Promise.resolve()).catch(() => {}).then(() => this.pauseOrResume());
    this.toggling = turn;
    return turn;
  }

  async pauseOrResume() {
    if (this.mode !== 'run' && this.mode !== 'lead') return;
    const pausing = this.session.status !== 'paused';
    this.freeze();
    if (!(await this.setStatus(pausing ? 'pause' : 'resume'))) return;
    if (pausing) {
      speech.stop();
      this.wake(false);
      await this.report();
    } else {
      chime.unlock();
      this.resumeClock();
    }
    this.announce(pausing ? 'Paused.' : 'Resumed.');
    this.draw();
  }

  // begin ends the get-ready and starts the first pose from its start.
  async begin() {
    this.mode = 'run';
    this.step = 0;
    this.phase = 0;
    this.remaining = this.plan[0][0].seconds;
    this.resumeClock();
    this.poseStarts(false, true);
    this.draw();
    await this.report();
  }

  // advance moves to the next side or the next step and tells the server;
  // after the last, the practice is over and its clock stops.
  async advance(skipped) {
    if (this.mode === 'lead') return this.begin();
    if (this.mode !== 'run') return;
    const newStep = this.phase + 1 >= this.plan[this.step].length;
    if (!newStep) {
      this.phase++;
    } else if (this.step + 1 < this.plan.length) {
      this.step++;
      this.phase = 0;
    } else {
      return this.over();
    }
    this.remaining = this.plan[this.step][this.phase].seconds;
    if (this.ticking) this.resumeClock();
    this.poseStarts(skipped, newStep);
    this.draw();
    await this.report();
  }

  poseStarts(skipped, newStep) {
    if (this.settings.chime) chime.chime();
    const st = this.seq.steps[this.step];
    const side = sideLabel(this.plan[this.step][this.phase].side);
    const words = newStep ? `${st.pose.english_name}${side ? `. ${side}` : ''}.` : `${side}.`;
    speech.say(words, { interrupt: true });
    this.announce(`${skipped ? 'Skipped. ' : ''}Now ${st.pose.english_name}${side ? `, ${side.toLowerCase()}` : ''}.`);
  }

  // over: the last pose has ended. The session is paused, so the time
  // until the practitioner saves it is not counted, and the finish form
  // opens.
  async over() {
    this.remaining = 0;
    this.mode = 'done';
    this.wake(false);
    if (this.settings.chime) chime.chime();
    speech.say('That is the end of your practice. Well done.', { interrupt: true });
    this.announce('The practice is over.');
    this.draw();
    this.showFinish(false);
    if (this.session.status === 'in_progress') await this.setStatus('pause');
    await this.report();
    this.draw();
  }

  // finish stops the clock (here and on the server) and asks how it went;
  // "Back to practice" takes it up again.
  async finish() {
    if (this.mode === 'done' || this.mode === 'finishing') {
      this.ui.end.querySelector('input, textarea')?.focus();
      return;
    }
    this.freeze();
    const was = this.session.status;
    this.mode = 'finishing';
    speech.stop();
    this.wake(false);
    this.showFinish(was === 'in_progress');
    this.draw();
    if (was === 'in_progress' && (await this.setStatus('pause'))) await this.report();
    this.draw();
  }

  showFinish(canGoBack) {
    const back = canGoBack
      ? h('button', { type: 'button', id: 'back-to-practice', onClick: safely(async () => {
          this.ui.end.replaceChildren();
          this.mode = 'run';
          if (this.session.status === 'paused' && (await this.setStatus('resume'))) this.resumeClock();
          this.draw();
        }) }, 'Back to practice')
      : null;
    const form = finishForm(this.session, () => this.stop(), back, () => Math.max(1, Math.round(seconds(this.plan, this))));
    this.ui.end.replaceChildren(form);
    form.querySelector('input').focus();
  }

  // moved: another tab or device claimed the practice.
  moved() {
    if (this.mode === 'moved') return;
    this.freeze();
    this.mode = 'moved';
    speech.stop();
    this.wake(false);
    this.ui.moved.hidden = false;
    this.announce('This practice moved to another device.');
    this.draw();
  }

  async claimBack() {
    const s = await api.get('/sessions/current');
    this.session = s;
    this.place(s);
    this.mode = 'run';
    this.ui.moved.hidden = true;
    await this.claim();
    this.resumeClock();
    this.draw();
    this.ui.name.focus();
  }

  // visibility: a page hidden past the end of its pose (a phone put away,
  // a laptop asleep) is not practising, so the session is paused; the
  // server learns the exact place as the page goes.
  visibility() {
    clearTimeout(this.awayTimer);
    if (document.visibilityState === 'hidden') {
      if (!this.ticking || this.mode !== 'run') return;
      this.freeze();
      this.hiddenAt = performance.now();
      this.awayFor = this.remaining;
      this.report().catch(() => {});
      this.awayTimer = setTimeout(() => this.away(), (this.awayFor + 1) * 1000);
      return;
    }
    // A sleeping device runs no timer: on waking, judge by the time gone.
    const gone = this.hiddenAt ? (performance.now() - this.hiddenAt) / 1000 : 0;
    this.hiddenAt = 0;
    const next = gone > this.awayFor + 1 && this.ticking ? this.away() : Promise.resolve();
    next.then(() => this.sync()).catch(() => {});
  }

  async away() {
    if (!this.ticking || this.mode !== 'run') return;
    this.freeze();
    if (!(await this.setStatus('pause'))) return;
    speech.stop();
    this.wake(false);
    this.announce('Paused while you were away.');
    this.draw();
  }

  // sync takes the server's word: another device may have moved on,
  // paused, claimed or ended the practice.
  async sync() {
    if (this.session.offline) return;
    let s;
    try {
      s = await api.get('/sessions/current');
      if (api.isOffline()) return; // what the device kept, older than the clock here
    } catch (err) {
      if (api.isNetworkError(err)) return;
      if (err.status !== 404) throw err;
      this.stop();
      mount(this.ctx.main, h('h1', {}, 'Practice ended'), h('p', {}, 'This practice was finished or ended on another device. ', h('a', { href: '/history' }, 'See your history')));
      return;
    }
    if (s.id !== this.session.id) {
      navigate('/practice', { replace: true });
      return;
    }
    const was = this.session.status;
    this.session = s;
    if (s.device_id && s.device_id !== this.device) {
      this.moved();
      return;
    }
    if (this.mode === 'moved' || this.mode === 'lead') return;
    this.freeze();
    // Seconds of drift are the network's; more is another player's doing.
    if (was !== s.status || Math.abs(seconds(this.plan, placeOf(this.plan, s)) - seconds(this.plan, this)) > 3) this.place(s);
    if (this.ticking) this.resumeClock();
    else this.wake(false);
    this.draw();
  }

  announce(text) {
    this.ui.announce.textContent = text;
  }

  draw() {
    const u = this.ui;
    const lead = this.mode === 'lead';
    const st = this.seq.steps[this.step];
    const ph = this.plan[this.step][this.phase];
    const phaseCount = this.plan[this.step].length;
    u.count.textContent = lead ? 'Get ready' : `Pose ${this.step + 1} of ${this.plan.length}`;
    const paused = this.session.status === 'paused';
    const where = this.mode === 'done' ? 'Practice over' : this.mode === 'moved' ? 'On another device' : paused ? 'Paused' : '';
    u.status.textContent = api.isOffline() || this.session.offline ? [where, 'Offline: saved when you are back online'].filter(Boolean).join(' · ') : where;
    u.status.hidden = !u.status.textContent;
    u.name.textContent = lead ? `First: ${st.pose.english_name}` : st.pose.english_name;
    u.sanskrit.textContent = st.pose.sanskrit_name || '';
    u.side.textContent = ph.side ? `${sideLabel(ph.side)}${phaseCount > 1 ? ` (${this.phase + 1} of ${phaseCount})` : ''}` : '';
    u.side.hidden = !ph.side;
    setFigure(this.ui.figure, st.pose, ph.side);
    u.cue.textContent = st.cue || '';
    u.cue.hidden = !st.cue;
    u.next.textContent = lead
      ? 'Find your mat and settle your breath.'
      : this.phase + 1 < phaseCount
        ? `Next: ${sideLabel(this.plan[this.step][this.phase + 1].side).toLowerCase()}`
        : this.step + 1 < this.plan.length
          ? `Next: ${this.seq.steps[this.step + 1].pose.english_name}`
          : 'Last pose';
    u.pause.textContent = paused ? 'Resume' : 'Pause';
    u.pause.setAttribute('aria-pressed', String(paused));
    const still = this.mode === 'done' || this.mode === 'moved' || this.mode === 'finishing';
    u.pause.disabled = still;
    u.skip.disabled = still;
    this.drawTime();
  }

  drawTime() {
    const total = this.mode === 'lead' ? LEAD_SECONDS : this.plan[this.step][this.phase].seconds;
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
}

// finishForm completes the session with a rating and a note, or ends it
// without counting it as done; extra is another action beside them, and
// practised the seconds practised here (for a practice the server has no
// session of). Without a connection the end is kept in the outbox and the
// practitioner told so.
function finishForm(session, stopped = () => {}, extra = null, practised = () => 1) {
  const stars = h('fieldset', { class: 'rating-input' }, h('legend', {}, 'How was it? (optional)'),
    [1, 2, 3, 4, 5].map((n) => h('label', { class: 'check' }, h('input', { type: 'radio', name: 'rating', value: String(n) }), `${n} ${'★'.repeat(n)}`)));
  const notes = h('textarea', { id: 'finish-notes', name: 'notes', rows: 3, maxlength: 2000 });
  const main = document.getElementById('main');
  // end sends path and body and returns the session the server answers;
  // without a connection, or for a practice begun without one, the outbox
  // keeps them (and sends them at once if it can) and end returns null.
  const end = async (path, body) => {
    if (!session.offline) {
      try {
        return await api.post(path, body, { idempotent: true });
      } catch (err) {
        if (!api.isNetworkError(err)) throw err;
      }
    }
    await outbox.add(path, body, session.id);
    keepOffline(null);
    await outbox.flush().catch(() => {});
    return null;
  };
  const form = h('form', { class: 'panel', id: 'finish-form' },
    h('h2', {}, 'Finish your practice'),
    stars,
    h('div', { class: 'field' }, h('label', { for: 'finish-notes' }, 'Note (optional)'), notes),
    h('p', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary' }, 'Finish and save'),
      extra,
      h('button', { type: 'button', class: 'danger', onClick: safely(async () => {
        if (!confirm('End this practice without counting it as done?')) return;
        if (session.offline) keepOffline(null);
        else await end(`/sessions/${session.id}/abandon`, undefined);
        stopped();
        navigate('/history');
      }) }, 'End without saving')));
  form.addEventListener('submit', safely(async (e) => {
    e.preventDefault();
    const f = new FormData(form);
    const body = {};
    if (f.get('rating')) body.rating = Number(f.get('rating'));
    if (f.get('notes').trim()) body.notes = f.get('notes').trim();
    const done = session.offline
      ? await end('/history', { sequence_id: session.sequence_id, title: session.sequence_name, started_at: session.started_at, duration_seconds: practised(), ...body })
      : await end(`/sessions/${session.id}/complete`, body);
    stopped();
    mount(main,
      h('h1', { tabindex: '-1' }, 'Well done'),
      done ? h('p', {}, `${done.sequence_name}: ${duration(done.duration_seconds)} on the mat.`)
        : (await outbox.finishing(session.id)) ? keptNotice(session) : h('p', {}, `${session.sequence_name}: saved to your history.`),
      h('p', { class: 'actions' }, h('a', { href: '/stats', class: 'button primary' }, 'See your progress'), h('a', { href: '/history', class: 'button' }, 'History')));
    main.querySelector('h1').focus();
  }));
  return form;
}

// keptNotice says that a practice ended here is not saved yet, and when
// it will be.
function keptNotice(session) {
  return h('p', { class: 'notice', id: 'practice-kept', role: 'status' },
    `${session.sequence_name}: kept on this device. It will be saved to your history as soon as you are back online.`);
}
