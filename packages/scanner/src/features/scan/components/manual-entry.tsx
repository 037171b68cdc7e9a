// Typing a code: with or without dashes, any case. The check character is verified here, so a typo
// is caught before any request.
import { useState, type SubmitEvent } from 'react';
import type { ParsedCode } from '@couponscan/shared/code';

const PROBLEM_TEXT: Record<Exclude<ParsedCode, { ok: true }>['reason'], string> = {
  empty: 'Type the code printed under the QR code.',
  malformed: 'That is not a coupon code: use only the letters and digits on the coupon.',
  check_failed: 'That code has a typo: check each character (the last one is a check character).',
};

export const MANUAL_CODE_INPUT_ID = 'manual-code';

export function ManualEntry({ onSubmit }: { onSubmit: (text: string) => ParsedCode }) {
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const parsed = onSubmit(text);
    if (parsed.ok) {
      setText('');
      setProblem(null);
    } else {
      setProblem(PROBLEM_TEXT[parsed.reason]);
    }
  };

  return (
    <form className="manual-entry" onSubmit={submit} noValidate>
      <label htmlFor={MANUAL_CODE_INPUT_ID}>Or type the code</label>
      <div className="manual-entry-row">
        <input
          id={MANUAL_CODE_INPUT_ID}
          name="code"
          value={text}
          onChange={(event) => {
            setText(event.target.value);
            setProblem(null);
          }}
          autoComplete="off"
          autoCapitalize="characters"
          autoCorrect="off"
          spellCheck={false}
          enterKeyHint="go"
          placeholder="XXXX-XXXX-XXXX-XXXX-XXXX"
          aria-invalid={problem !== null}
          aria-describedby={problem === null ? undefined : 'manual-code-problem'}
        />
        <button type="submit" className="button button--primary">
          Check
        </button>
      </div>
      {problem !== null && (
        <p id="manual-code-problem" className="field-problem" role="alert">
          {problem}
        </p>
      )}
    </form>
  );
}
