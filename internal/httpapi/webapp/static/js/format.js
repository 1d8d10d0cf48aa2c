// Words and numbers for people: durations, dates in the user's time zone,
// and the API's enumerations.

export const CATEGORIES = ['standing', 'seated', 'balancing', 'backbend', 'forward_bend', 'twist', 'inversion',
  'hip_opener', 'arm_balance', 'core', 'supine', 'prone', 'restorative'];
export const DIFFICULTIES = ['beginner', 'intermediate', 'advanced'];
export const CONTRAINDICATIONS = ['pregnancy', 'knee_injury', 'hip_injury', 'back_injury', 'neck_injury',
  'shoulder_injury', 'wrist_injury', 'high_blood_pressure', 'low_blood_pressure', 'glaucoma', 'heart_condition', 'vertigo'];
export const STYLES = ['hatha', 'vinyasa', 'yin', 'restorative', 'power', 'ashtanga', 'gentle'];
export const FOCUS_AREAS = ['flexibility', 'strength', 'balance', 'relaxation', 'core', 'hips', 'back', 'energy',
  'sleep', 'full_body'];
export const SIDES = ['both', 'left', 'right'];
export const STATUSES = ['in_progress', 'paused', 'completed', 'abandoned'];

// label turns an enumeration value into words: forward_bend → Forward bend.
export function label(v) {
  const s = String(v).replaceAll('_', ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function options(values, blank) {
  const out = values.map((v) => [v, label(v)]);
  return blank ? [['', blank], ...out] : out;
}

// duration: 45 s, 5 min, 1 h 5 min.
export function duration(seconds) {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min`;
  return `${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ''}`;
}

// clock: 1:05, for the countdown.
export function clock(seconds) {
  const s = Math.max(0, Math.ceil(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

let zone;

// setZone makes dates show in the user's own time zone, as the server
// counts their days.
export function setZone(tz) {
  zone = tz || undefined;
}

export function dateTime(iso) {
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short', timeZone: zone }).format(new Date(iso));
}

// today is the date (YYYY-MM-DD) it is now in the user's time zone.
export function today() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

// Dates as YYYY-MM-DD strings, with arithmetic done at noon UTC so that no
// daylight saving change moves them.
export function addDays(date, n) {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

// weekday: 0 for Monday to 6 for Sunday.
export function weekday(date) {
  return (new Date(`${date}T12:00:00Z`).getUTCDay() + 6) % 7;
}

export function shortDate(date) {
  return new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' }).format(new Date(`${date}T12:00:00Z`));
}

export function timezones() {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return ['UTC'];
  }
}

export function browserZone() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

// phases is how a step is practised, as the server plans it: on each side
// when a "both" step holds a two-sided pose (its duration is per side), on
// the one side a left or right step names, and without a side for a pose
// that has none.
export function phases(step, twoSided) {
  if (!twoSided) return [{ side: '', seconds: step.duration_seconds }];
  const sides = step.side === 'both' ? ['right', 'left'] : [step.side];
  return sides.map((side) => ({ side, seconds: step.duration_seconds }));
}

export function sideLabel(side) {
  return side ? `${label(side)} side` : '';
}
