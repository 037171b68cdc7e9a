// The optional return to scanning after a REDEEMED verdict (a per-device setting, off by default):
// a visible countdown, so staff know the screen is about to close and can still read it.
import { useEffect, useState } from 'react';

export const AUTO_RETURN_SECONDS = 4;

export function AutoReturn({ onDone }: { onDone: () => void }) {
  const [left, setLeft] = useState(AUTO_RETURN_SECONDS);

  useEffect(() => {
    if (left <= 0) {
      onDone();
      return;
    }
    const timer = setTimeout(() => {
      setLeft((n) => n - 1);
    }, 1_000);
    return () => {
      clearTimeout(timer);
    };
  }, [left, onDone]);

  return (
    <p className="auto-return" aria-live="off">
      Back to scanning in <span className="auto-return-seconds">{Math.max(left, 0)}</span> s
      <span
        className="auto-return-bar"
        style={{ width: `${(left / AUTO_RETURN_SECONDS) * 100}%` }}
      />
    </p>
  );
}
