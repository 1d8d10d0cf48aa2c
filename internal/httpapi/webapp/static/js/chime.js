// A soft chime made on the spot with WebAudio (two sine partials fading
// out): nothing to download. The audio context is made on a tap, as
// browsers allow sound only after one; whether to chime is the user's
// practice setting, which the player passes.

let audio = null;

// unlock makes or wakes the audio context; call it from a user's gesture.
export function unlock() {
  const Ctx = window.AudioContext || window.webkitAudioContext;
  if (!Ctx) return;
  audio ??= new Ctx();
  if (audio.state === 'suspended') audio.resume();
}

export function chime() {
  if (!audio) return;
  const t = audio.currentTime;
  for (const [freq, peak] of [[660, 0.16], [1320, 0.04]]) {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.type = 'sine';
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.0001, t);
    gain.gain.exponentialRampToValueAtTime(peak, t + 0.03);
    gain.gain.exponentialRampToValueAtTime(0.0001, t + 1.8);
    osc.connect(gain).connect(audio.destination);
    osc.start(t);
    osc.stop(t + 1.9);
  }
}
