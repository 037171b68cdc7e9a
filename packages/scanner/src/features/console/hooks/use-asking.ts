// What a confirmation dialog is asking about, or null. Asking clears the last attempt's error
// from the mutations the dialog may run, so an old refusal never shows in a new question.
import { useState } from 'react';

export function useAsking<T>(...mutations: { reset: () => void }[]) {
  const [asking, setAsking] = useState<T | null>(null);
  return {
    asking,
    ask: (what: T): void => {
      for (const mutation of mutations) mutation.reset();
      setAsking(what);
    },
    close: (): void => {
      setAsking(null);
    },
  };
}
