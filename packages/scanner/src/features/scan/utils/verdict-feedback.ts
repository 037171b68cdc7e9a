// A sound and a vibration per kind of verdict, so staff know the answer without looking.
// Both are optional: browsers without Web Audio or navigator.vibrate simply stay quiet.
// The audio context is prepared when the scanner opens and unlocked by the first tap, so the first
// verdict does not wait for it (setting it up once took 384 ms).
import type { VerdictTone } from '../flow/verdicts.ts';

const VIBRATION: Record<VerdictTone, number[]> = {
  success: [80],
  refused: [250, 100, 250, 100, 250],
  reminder: [60, 80, 60],
  warning: [150, 100, 150],
};

/** [frequency Hz, duration s] per beep */
const BEEPS: Record<VerdictTone, [number, number][]> = {
  success: [[1320, 0.12]],
  refused: [
    [220, 0.18],
    [220, 0.18],
    [220, 0.18],
  ],
  reminder: [
    [880, 0.08],
    [880, 0.08],
  ],
  warning: [
    [520, 0.15],
    [440, 0.15],
  ],
};

let audio: AudioContext | null = null;

/** Creates the audio context ahead of the first verdict; browsers unlock it on a user gesture. */
export function prepareVerdictFeedback(): () => void {
  if (typeof AudioContext === 'undefined') return () => undefined;
  try {
    audio ??= new AudioContext();
  } catch {
    return () => undefined;
  }
  const unlock = () => {
    if (audio?.state === 'suspended') audio.resume().catch(() => undefined);
  };
  const events = ['pointerdown', 'keydown'] as const;
  for (const name of events) window.addEventListener(name, unlock, { passive: true });
  return () => {
    for (const name of events) window.removeEventListener(name, unlock);
  };
}

export function playVerdictFeedback(tone: VerdictTone, sound: boolean): void {
  if (typeof navigator.vibrate === 'function') navigator.vibrate(VIBRATION[tone]);
  if (!sound || typeof AudioContext === 'undefined') return;
  try {
    audio ??= new AudioContext();
    let at = audio.currentTime;
    for (const [frequency, duration] of BEEPS[tone]) {
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      oscillator.type = tone === 'refused' ? 'square' : 'sine';
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.2, at);
      gain.gain.exponentialRampToValueAtTime(0.001, at + duration);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(at);
      oscillator.stop(at + duration);
      at += duration + 0.06;
    }
  } catch {
    // audio blocked (no user gesture yet) or unavailable: the screen and vibration still tell
  }
}
