// Spoken guidance through the Web Speech API, with the device's own voices
// (nothing is downloaded). Where the browser has no speech, every call is
// a no-op and the practice goes on in silence.

let enabled = false;

function synth() {
  const s = window.speechSynthesis;
  return s && typeof s.speak === 'function' && typeof window.SpeechSynthesisUtterance === 'function' ? s : null;
}

export function available() {
  return synth() !== null;
}

export function setEnabled(on) {
  enabled = !!on;
  if (!enabled) stop();
}

// An English voice that works offline, when the device has one: local
// voices do not need the network, and the cues are English.
function voice(s) {
  const voices = s.getVoices ? s.getVoices() : [];
  const english = voices.filter((v) => v.lang && v.lang.toLowerCase().startsWith('en'));
  return english.find((v) => v.localService) || english[0] || null;
}

// say speaks text; interrupt drops what is still queued first (a new pose
// makes the rest of the old one's cues pointless).
export function say(text, { interrupt = false } = {}) {
  const s = synth();
  if (!enabled || !s) return;
  if (interrupt) s.cancel();
  const u = new window.SpeechSynthesisUtterance(text);
  u.lang = 'en';
  u.rate = 0.95;
  const v = voice(s);
  if (v) u.voice = v;
  s.speak(u);
}

export function speaking() {
  const s = synth();
  return !!s && (s.speaking || s.pending);
}

export function stop() {
  const s = synth();
  if (s) s.cancel();
}
