// Issuing: the prefix rule before sending, a sample code, confirmation, the server's words when
// it refuses, and a background batch's progress up to done.
import type { Batch, CreateBatchBody } from '@couponscan/shared/batches';
import { problemType } from '@couponscan/shared/errors';
import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { problemResponse } from '../fixtures.ts';
import { server } from '../msw-server.ts';
import { renderApp } from '../render-app.tsx';
import {
  batch,
  CAMPAIGN_ID,
  consoleServer,
  recordRequests,
  loadConsoleChunk,
} from './console-fixtures.ts';

vi.setConfig({ testTimeout: 30_000 });

beforeAll(loadConsoleChunk, 60_000);

beforeEach(() => {
  consoleServer();
});

const ISSUE_PATH = `/console/campaigns/${CAMPAIGN_ID}/issue`;

describe('issue coupons', () => {
  it('a prefix with an I is refused before sending, with the reason', async () => {
    const sent = recordRequests('POST', /\/batches$/);
    const { user } = renderApp({ path: ISSUE_PATH });
    await user.type(await screen.findByLabelText('Prefix (optional)'), 'SPRING');
    await user.click(screen.getByRole('button', { name: 'Issue coupons…' }));
    expect(await screen.findByText(/no I, L, O or U.*found I/)).toBeInTheDocument();
    expect(screen.getByLabelText('Prefix (optional)')).toHaveAttribute('aria-invalid', 'true');
    expect(sent).toHaveLength(0);
  });

  it('a count over a million is refused before sending', async () => {
    const sent = recordRequests('POST', /\/batches$/);
    const { user } = renderApp({ path: ISSUE_PATH });
    const count = await screen.findByLabelText('How many coupons');
    await user.clear(count);
    await user.type(count, '1000001');
    await user.click(screen.getByRole('button', { name: 'Issue coupons…' }));
    expect(await screen.findByText('At most 1,000,000.')).toBeInTheDocument();
    expect(sent).toHaveLength(0);
  });

  it('shows the code format and a sample with the prefix before issuing', async () => {
    const { user } = renderApp({ path: ISSUE_PATH });
    await user.type(await screen.findByLabelText('Prefix (optional)'), 'sprng');
    expect(screen.getByText('SPRNG-XXXX-XXXX-XXXX-XXXX-XXXX')).toBeInTheDocument();
    expect(screen.getByTestId('sample-code').textContent).toMatch(
      /^SPRNG-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/,
    );
  });

  it('when the server refuses anyway, its detail is shown and nothing is issued', async () => {
    server.use(
      http.post('/api/campaigns/:id/batches', () =>
        problemResponse({
          type: problemType('code_space_too_small'),
          title: 'Too many codes for this format',
          status: 422,
          code: 'code_space_too_small',
          detail: 'Guessing one of these codes would be too easy.',
        }),
      ),
    );
    const { user } = renderApp({ path: ISSUE_PATH });
    await user.click(await screen.findByRole('button', { name: 'Issue coupons…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Issue 100 coupons?' });
    await user.click(within(dialog).getByRole('button', { name: 'Issue 100' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Guessing one of these codes would be too easy.',
    );
    expect(screen.queryByRole('heading', { name: 'Latest batch' })).toBeNull();
  });

  it('a batch of 50,000 runs in the background: the bar follows its progress up to done', async () => {
    const id = crypto.randomUUID();
    let polls = 0;
    const sent = recordRequests('POST', /\/batches$/);
    server.use(
      http.post('/api/campaigns/:id/batches', async ({ request }) => {
        const body = (await request.json()) as CreateBatchBody;
        return HttpResponse.json<Batch>(
          batch({ id, count: body.count, status: 'queued', generated: 0, finishedAt: null }),
          { status: 202 },
        );
      }),
      http.get('/api/batches/:id', () => {
        polls += 1;
        const generated = Math.min(50_000, polls * 20_000);
        return HttpResponse.json<Batch>(
          batch({
            id,
            count: 50_000,
            generated,
            status: generated === 50_000 ? 'succeeded' : 'running',
          }),
        );
      }),
    );
    const { user } = renderApp({ path: ISSUE_PATH });
    const count = await screen.findByLabelText('How many coupons');
    await user.clear(count);
    await user.type(count, '50000');
    await user.click(screen.getByRole('button', { name: 'Issue coupons…' }));
    await user.click(
      within(await screen.findByRole('dialog')).getByRole('button', { name: 'Issue 50,000' }),
    );

    const bar = await screen.findByRole('progressbar', { name: 'Batch of 50,000' });
    await waitFor(
      () => {
        expect(bar).toHaveAttribute('value', '20000');
      },
      { timeout: 10_000 },
    );
    await waitFor(
      () => {
        expect(screen.getByText('Done: 50,000 coupons issued')).toBeInTheDocument();
      },
      { timeout: 10_000 },
    );
    expect(await sent[0]?.json()).toEqual({ count: 50_000 });
    // finished: five PDF parts of at most 10,000 coupons
    expect(screen.getAllByRole('link', { name: /^PDF part/ })).toHaveLength(5);
  });
});
