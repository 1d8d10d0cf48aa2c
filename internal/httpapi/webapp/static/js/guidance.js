// The practice settings (voice, chime, breath pacing), kept on the user's
// profile so they follow them to another device: read from the signed-in
// user, saved with PATCH /users/me, one change at a time.

import * as api from './api.js';
import { h, select, toast } from './dom.js';
import * as state from './state.js';

const DEFAULTS = { voice: true, chime: false, breath_pacing: false, breaths_per_minute: 6 };
const PACES = [3, 4, 5, 6, 8, 10, 12, 15, 20];

export function settings() {
  return { ...DEFAULTS, ...(state.user()?.practice_settings || {}) };
}

async function save(change) {
  try {
    state.setUser(await api.patch('/users/me', { practice_settings: change }));
  } catch (err) {
    toast(`Your setting was not saved: ${err.message}`);
  }
}

// controls are the settings as a fieldset; onChange hears each new value
// at once, before the server has it, so the player follows the tap.
export function controls(idPrefix, onChange = () => {}) {
  const now = settings();
  const box = (key, text, hint) => {
    const input = h('input', { type: 'checkbox', id: `${idPrefix}-${key}`, name: key, checked: now[key] });
    input.addEventListener('change', () => {
      onChange({ ...settings(), [key]: input.checked });
      save({ [key]: input.checked });
    });
    return h('label', { class: 'check' }, input, text, hint ? h('span', { class: 'hint' }, ` ${hint}`) : null);
  };
  const pace = select({ id: `${idPrefix}-pace`, name: 'breaths_per_minute' },
    PACES.map((n) => [String(n), `${n} breaths a minute`]), String(now.breaths_per_minute));
  pace.addEventListener('change', () => {
    const n = Number(pace.value);
    onChange({ ...settings(), breaths_per_minute: n });
    save({ breaths_per_minute: n });
  });
  return h('fieldset', { class: 'guidance' },
    h('legend', {}, 'Guidance'),
    box('voice', 'Spoken guidance', '(pose names, sides, a count before each change)'),
    box('chime', 'Soft chime between poses'),
    box('breath_pacing', 'Breath cues'),
    h('label', { for: pace.id, class: 'pace' }, 'Pace of breath cues'), pace);
}
