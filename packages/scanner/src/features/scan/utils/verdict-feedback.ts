// A sound and a vibration per kind of verdict, so staff know the answer without looking.
// Both are optional: browsers without Web Audio or navigator.vibrate simply stay quiet.

export type VerdictTone = 'success' | 'refused' | 'warning';

const VIBRATION: Record<VerdictTone, number[]> = {
  success: [80],
  refused: [250, 100, 250, 100, 250],
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
  warning: [
    [520, 0.15],
    [440, 0.15],
  ],
};

let audio: AudioContext | null = null;

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
