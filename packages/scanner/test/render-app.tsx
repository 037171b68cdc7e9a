import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { StrictMode } from 'react';
import { expect } from 'vitest';
import { App } from '../src/app/app.tsx';
import { RetryPolicyContext, type RetryPolicy } from '../src/features/scan/api/retry-policy.ts';
import type { ScanMode } from '../src/features/scan/hooks/use-device-settings.ts';

/** Short waits so that retry tests take milliseconds, with the production shape. */
export const FAST_RETRIES: RetryPolicy = {
  attemptTimeoutMs: 150,
  backoffMs: [10, 20, 40],
  maxRetryAfterMs: 60,
};

export function renderApp(
  options: { path?: string; mode?: ScanMode; policy?: RetryPolicy; autoReturn?: boolean } = {},
) {
  window.history.replaceState(null, '', options.path ?? '/scan');
  localStorage.setItem(
    'couponscan.scanner.settings',
    JSON.stringify({
      mode: options.mode ?? 'confirm',
      sound: false,
      autoReturn: options.autoReturn ?? false,
    }),
  );
  const user = userEvent.setup();
  const result = render(
    <StrictMode>
      <RetryPolicyContext value={options.policy ?? FAST_RETRIES}>
        <App />
      </RetryPolicyContext>
    </StrictMode>,
  );
  return { user, ...result };
}

/** The list of last redemptions, once its first load has answered (it loads on its own). */
export async function recentListLoaded(): Promise<HTMLElement> {
  const list = await screen.findByRole('region', { name: 'Last redemptions on this device' });
  await waitFor(() => {
    expect(list).toHaveAttribute('data-state', 'loaded');
  });
  return list;
}

/** The verdict element (the live region), once it carries an outcome. */
export function verdictElement(): HTMLElement | null {
  return document.querySelector<HTMLElement>('[data-outcome]');
}
