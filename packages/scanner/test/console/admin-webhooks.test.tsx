// Administration → Webhooks: register an endpoint (its secret shown once), disable and delete
// only after a confirmation, and the delivery log with each attempt and a re-send button.
import type { Page } from '@couponscan/shared/common';
import type {
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEndpointWithSecret,
} from '@couponscan/shared/webhooks';
import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { server } from '../msw-server.ts';
import { renderApp } from '../render-app.tsx';
import { consoleServer, loadConsoleChunk, recordRequests } from './console-fixtures.ts';

vi.setConfig({ testTimeout: 20_000 });

beforeAll(async () => {
  await loadConsoleChunk();
  await import('../../src/features/console/components/admin-webhooks.tsx');
}, 60_000);

function endpoint(overrides: Partial<WebhookEndpoint> = {}): WebhookEndpoint {
  return {
    id: crypto.randomUUID(),
    url: 'https://till.example.com/hooks',
    description: 'Till',
    events: ['redemption.created'],
    enabled: true,
    createdAt: '2026-11-28T10:00:00.000Z',
    updatedAt: '2026-11-28T10:00:00.000Z',
    ...overrides,
  };
}

function delivery(endpointId: string, overrides: Partial<WebhookDelivery> = {}): WebhookDelivery {
  return {
    id: crypto.randomUUID(),
    endpointId,
    eventId: crypto.randomUUID(),
    eventType: 'redemption.created',
    status: 'succeeded',
    nextAttemptAt: null,
    lastError: null,
    createdAt: '2026-11-28T10:00:00.000Z',
    finishedAt: '2026-11-28T10:00:01.000Z',
    attempts: [],
    ...overrides,
  };
}

let endpoints: WebhookEndpoint[];

beforeEach(() => {
  consoleServer('admin');
  endpoints = [];
  server.use(
    http.get('/api/webhooks', () =>
      HttpResponse.json<Page<WebhookEndpoint>>({ items: endpoints, nextCursor: null }),
    ),
  );
});

describe('administration: webhooks', () => {
  it('registers an endpoint for the ticked events and shows its secret once', async () => {
    const sent = recordRequests('POST', /^\/api\/webhooks$/);
    server.use(
      http.post('/api/webhooks', async ({ request }) => {
        const body = (await request.json()) as { url: string; events: string[] };
        const created = endpoint({ url: body.url, events: body.events as never });
        endpoints = [created];
        return HttpResponse.json<WebhookEndpointWithSecret>(
          { ...created, secret: 'whsec_shown_once' },
          { status: 201 },
        );
      }),
    );
    const { user } = renderApp({ path: '/console/admin/webhooks' });
    await screen.findByRole('heading', { name: 'Webhooks', level: 1 });
    expect(await screen.findByText('No endpoints yet.')).toBeInTheDocument();

    // nothing is sent without an event
    await user.type(screen.getByLabelText('URL'), 'https://till.example.com/hooks');
    await user.click(screen.getByRole('button', { name: 'Add endpoint' }));
    expect(await screen.findByText('Tick at least one event.')).toBeInTheDocument();
    expect(sent).toHaveLength(0);

    await user.click(screen.getByRole('checkbox', { name: /redemption\.created/ }));
    await user.click(screen.getByRole('checkbox', { name: /coupon\.voided/ }));
    await user.click(screen.getByRole('button', { name: 'Add endpoint' }));
    expect(await screen.findByLabelText('Signing secret')).toHaveTextContent('whsec_shown_once');
    expect(await sent[0]?.json()).toEqual({
      url: 'https://till.example.com/hooks',
      events: ['redemption.created', 'coupon.voided'],
      description: '',
    });
    const row = (await screen.findByRole('rowheader', { name: /till\.example\.com/ })).closest(
      'tr',
    ) as HTMLElement;
    expect(within(row).getByText('redemption.created, coupon.voided')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'I have copied it' }));
    expect(screen.queryByText('whsec_shown_once')).toBeNull();
  });

  it("shows the server's refusal of a private address next to the URL", async () => {
    server.use(
      http.post('/api/webhooks', () =>
        HttpResponse.json(
          {
            type: 'about:blank',
            title: 'Unprocessable Content',
            status: 422,
            code: 'webhook_url_refused',
            detail: 'The host resolves to a private address.',
            errors: [
              { pointer: '/body/url', message: 'resolves to a loopback or private address' },
            ],
          },
          { status: 422, headers: { 'content-type': 'application/problem+json' } },
        ),
      ),
    );
    const { user } = renderApp({ path: '/console/admin/webhooks' });
    await user.type(await screen.findByLabelText('URL'), 'https://10.0.0.7/hook');
    await user.click(screen.getByRole('checkbox', { name: /batch\.finished/ }));
    await user.click(screen.getByRole('button', { name: 'Add endpoint' }));
    expect(
      await screen.findByText('resolves to a loopback or private address'),
    ).toBeInTheDocument();
    expect(screen.queryByLabelText('Signing secret')).toBeNull();
  });

  it('disables and deletes only after a confirmation', async () => {
    const target = endpoint();
    endpoints = [target];
    const patched = recordRequests('PATCH', /^\/api\/webhooks\//);
    const deleted = recordRequests('DELETE', /^\/api\/webhooks\//);
    server.use(
      http.patch('/api/webhooks/:id', async ({ request }) => {
        const body = (await request.json()) as { enabled: boolean };
        endpoints = [{ ...target, enabled: body.enabled }];
        return HttpResponse.json<WebhookEndpoint>(endpoints[0]);
      }),
      http.delete('/api/webhooks/:id', () => {
        endpoints = [];
        return new HttpResponse(null, { status: 204 });
      }),
    );
    const { user } = renderApp({ path: '/console/admin/webhooks' });
    await user.click(await screen.findByRole('button', { name: `Disable ${target.url}` }));
    let dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(patched).toHaveLength(0);

    await user.click(screen.getByRole('button', { name: `Disable ${target.url}` }));
    dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Disable' }));
    await waitFor(() => {
      expect(screen.queryByRole('dialog')).toBeNull();
    });
    expect(await patched[0]?.json()).toEqual({ enabled: false });
    expect(await screen.findByText('disabled')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: `Delete ${target.url}` }));
    dialog = await screen.findByRole('dialog');
    expect(deleted).toHaveLength(0);
    await user.click(within(dialog).getByRole('button', { name: 'Delete' }));
    expect(await screen.findByText('No endpoints yet.')).toBeInTheDocument();
    expect(deleted[0]?.url).toContain(`/api/webhooks/${target.id}`);
  });

  it('lists the deliveries with their attempts, and re-sends one', async () => {
    const target = endpoint();
    endpoints = [target];
    const failed = delivery(target.id, {
      status: 'failed',
      lastError: 'no answer within 10 s',
      attempts: [
        {
          number: 1,
          statusCode: 500,
          durationMs: 12,
          error: 'answered HTTP 500',
          createdAt: '2026-11-28T10:00:00.000Z',
        },
        {
          number: 2,
          statusCode: null,
          durationMs: 10_000,
          error: 'no answer within 10 s',
          createdAt: '2026-11-28T10:00:31.000Z',
        },
      ],
    });
    let items = [failed];
    const resent = recordRequests('POST', /\/resend$/);
    server.use(
      http.get('/api/webhooks/:id/deliveries', () =>
        HttpResponse.json<Page<WebhookDelivery>>({ items, nextCursor: null }),
      ),
      http.post('/api/webhooks/:id/deliveries/:deliveryId/resend', () => {
        const again = delivery(target.id, {
          eventId: failed.eventId,
          status: 'pending',
          createdAt: '2026-11-28T11:00:00.000Z',
        });
        items = [again, failed];
        return HttpResponse.json<WebhookDelivery>(again, { status: 202 });
      }),
    );
    const { user } = renderApp({ path: '/console/admin/webhooks' });
    await user.click(await screen.findByRole('button', { name: `Deliveries to ${target.url}` }));
    const log = await screen.findByRole('region', { name: 'Deliveries' });
    const row = within(log).getByText(failed.eventId).closest('tr') as HTMLElement;
    expect(within(row).getByText('failed')).toBeInTheDocument();
    expect(within(row).getByText('2: HTTP 500 · no answer within 10 s')).toBeInTheDocument();

    await user.click(
      within(row).getByRole('button', { name: `Re-send redemption.created ${failed.eventId}` }),
    );
    await waitFor(() => {
      expect(within(log).getAllByRole('row')).toHaveLength(3);
    });
    expect(resent[0]?.url).toContain(`/api/webhooks/${target.id}/deliveries/${failed.id}/resend`);
    expect(within(log).getByText('pending')).toBeInTheDocument();
  });
});
