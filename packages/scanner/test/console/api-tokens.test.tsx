// Administration of API tokens: the list (never a secret), creating one (a store for staff, the
// rule checked before sending, the server's detail when it refuses), the show-once panel with its
// copy button, and revoking after a confirmation.
import type { ApiToken, CreateApiTokenBody, CreatedApiToken } from '@couponscan/shared/api-tokens';
import type { Page } from '@couponscan/shared/common';
import { problemType } from '@couponscan/shared/errors';
import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { problemResponse } from '../fixtures.ts';
import { server } from '../msw-server.ts';
import { renderApp } from '../render-app.tsx';
import { consoleServer, loadConsoleChunk, recordRequests, STORE_ID } from './console-fixtures.ts';

vi.setConfig({ testTimeout: 30_000 });

beforeAll(loadConsoleChunk, 60_000);

const PATH = '/console/admin/api-tokens';
const SECRET = 'cs_live_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcde';

function apiToken(overrides: Partial<ApiToken> = {}): ApiToken {
  return {
    id: crypto.randomUUID(),
    name: 'Till 1',
    role: 'staff',
    storeId: STORE_ID,
    storeName: 'Demo Store',
    prefix: 'cs_live_Zz9x',
    userId: crypto.randomUUID(),
    createdAt: '2026-11-20T10:00:00.000Z',
    createdByName: 'Ada Admin',
    lastUsedAt: null,
    revokedAt: null,
    ...overrides,
  };
}

let tokens: ApiToken[];

beforeEach(() => {
  consoleServer('admin');
  tokens = [
    apiToken({ name: 'Till 1', lastUsedAt: '2026-11-28T09:30:00.000Z' }),
    apiToken({
      name: 'Old till',
      revokedAt: '2026-11-25T08:00:00.000Z',
      prefix: 'cs_live_Qq1w',
    }),
    apiToken({ name: 'Reporting', role: 'marketer', storeId: null, storeName: null }),
  ];
  server.use(
    http.get('/api/api-tokens', () =>
      HttpResponse.json<Page<ApiToken>>({ items: tokens, nextCursor: null }),
    ),
    http.post('/api/api-tokens', async ({ request }) => {
      const body = (await request.json()) as CreateApiTokenBody;
      const token = apiToken({
        name: body.name,
        role: body.role,
        storeId: body.storeId ?? null,
        storeName: body.storeId === STORE_ID ? 'Demo Store' : null,
        prefix: SECRET.slice(0, 12),
      });
      tokens = [token, ...tokens];
      return HttpResponse.json<CreatedApiToken>({ token, secret: SECRET }, { status: 201 });
    }),
    http.post('/api/api-tokens/:id/revoke', ({ params }) => {
      tokens = tokens.map((token) =>
        token.id === params.id ? { ...token, revokedAt: new Date().toISOString() } : token,
      );
      const revoked = tokens.find((token) => token.id === params.id);
      return HttpResponse.json<ApiToken | undefined>(revoked);
    }),
  );
});

function rowOf(name: string): HTMLElement {
  const row = screen.getByRole('rowheader', { name }).closest('tr');
  if (row === null) throw new Error(`no row for ${name}`);
  return row;
}

describe('API tokens', () => {
  it('lists tokens with role, store, prefix and last use; a revoked one has no Revoke button', async () => {
    renderApp({ path: PATH });
    expect(await screen.findByRole('heading', { level: 1, name: 'API tokens' })).toBeVisible();
    await screen.findByRole('rowheader', { name: 'Till 1' });
    const till = within(rowOf('Till 1'));
    expect(till.getByText('staff')).toBeInTheDocument();
    expect(till.getByText('Demo Store')).toBeInTheDocument();
    expect(till.getByText('cs_live_Zz9x…')).toBeInTheDocument();
    expect(till.getByRole('button', { name: 'Revoke Till 1' })).toBeEnabled();
    expect(within(rowOf('Reporting')).getByText('never')).toBeInTheDocument();
    const old = within(rowOf('Old till'));
    expect(old.getByText('revoked')).toBeInTheDocument();
    expect(old.queryByRole('button', { name: /Revoke/ })).toBeNull();
  });

  it('a staff token needs a store: refused before sending, next to the field', async () => {
    const sent = recordRequests('POST', /\/api\/api-tokens$/);
    const { user } = renderApp({ path: PATH });
    await user.type(await screen.findByLabelText('Name'), 'Till 2');
    await user.click(screen.getByRole('button', { name: 'Create token' }));
    expect(await screen.findByText('A staff token redeems in one store: choose it.')).toBeVisible();
    expect(screen.getByLabelText('Store')).toHaveAttribute('aria-invalid', 'true');
    expect(sent).toHaveLength(0);
  });

  it('creates a staff token with the keyboard, then shows its secret once with a copy button', async () => {
    const sent = recordRequests('POST', /\/api\/api-tokens$/);
    const { user } = renderApp({ path: PATH });
    await user.type(await screen.findByLabelText('Name'), 'Till 2');
    await user.selectOptions(screen.getByLabelText('Store'), 'Demo Store (DEMO)');
    screen.getByLabelText('Name').focus();
    await user.keyboard('{Enter}');

    const panel = await screen.findByRole('region', { name: 'Token “Till 2” created' });
    expect(await sent[0]?.json()).toEqual({ name: 'Till 2', role: 'staff', storeId: STORE_ID });
    expect(within(panel).getByText(/you will not see it again/)).toBeVisible();
    expect(within(panel).getByLabelText('Secret')).toHaveValue(SECRET);
    expect(within(panel).getByRole('heading', { name: 'Token “Till 2” created' })).toHaveFocus();

    await user.click(within(panel).getByRole('button', { name: 'Copy secret' }));
    expect(await within(panel).findByText('Copied to the clipboard.')).toBeVisible();
    await expect(navigator.clipboard.readText()).resolves.toBe(SECRET);

    // the new token is listed, by its prefix only
    expect(await screen.findByRole('rowheader', { name: 'Till 2' })).toBeInTheDocument();
    expect(within(rowOf('Till 2')).getByText(`${SECRET.slice(0, 12)}…`)).toBeInTheDocument();

    await user.click(within(panel).getByRole('button', { name: 'Done, I have stored it' }));
    expect(screen.queryByRole('region', { name: /created$/ })).toBeNull();
    expect(screen.queryByDisplayValue(SECRET)).toBeNull();
    expect(document.body.textContent).not.toContain(SECRET);
    expect(screen.getByRole('button', { name: 'Create token' })).toBeVisible();
    expect(screen.getByLabelText('Name')).toHaveFocus();
  });

  it('a marketer token has no store: the field goes, and storeId is sent as null', async () => {
    const sent = recordRequests('POST', /\/api\/api-tokens$/);
    const { user } = renderApp({ path: PATH });
    await user.type(await screen.findByLabelText('Name'), 'Reports');
    await user.selectOptions(screen.getByLabelText('Role'), 'marketer');
    expect(screen.queryByLabelText('Store')).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Create token' }));
    await screen.findByRole('region', { name: 'Token “Reports” created' });
    expect(await sent[0]?.json()).toEqual({ name: 'Reports', role: 'marketer', storeId: null });
  });

  it('when the server refuses, its detail is shown and no secret panel opens', async () => {
    server.use(
      http.post('/api/api-tokens', () =>
        problemResponse({
          type: problemType('validation_failed'),
          title: 'Validation failed',
          status: 422,
          code: 'validation_failed',
          detail: 'There is no such store.',
          errors: [{ pointer: '/body/storeId', message: 'names no store' }],
        }),
      ),
    );
    const { user } = renderApp({ path: PATH });
    await user.type(await screen.findByLabelText('Name'), 'Till 3');
    await user.selectOptions(screen.getByLabelText('Store'), 'Demo Store (DEMO)');
    await user.click(screen.getByRole('button', { name: 'Create token' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Not created. There is no such store.',
    );
    expect(screen.queryByRole('region', { name: /created$/ })).toBeNull();
  });

  it('revokes only after confirming: Cancel sends nothing, Revoke does and the list shows it', async () => {
    const sent = recordRequests('POST', /\/revoke$/);
    const { user } = renderApp({ path: PATH });
    await user.click(await screen.findByRole('button', { name: 'Revoke Till 1' }));
    let dialog = await screen.findByRole('dialog', { name: 'Revoke Till 1?' });
    expect(within(dialog).getByText(/very next request is refused/)).toBeVisible();
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(sent).toHaveLength(0);

    await user.click(screen.getByRole('button', { name: 'Revoke Till 1' }));
    dialog = await screen.findByRole('dialog', { name: 'Revoke Till 1?' });
    await user.click(within(dialog).getByRole('button', { name: 'Revoke' }));
    await waitFor(() => {
      expect(screen.queryByRole('dialog')).toBeNull();
    });
    expect(sent).toHaveLength(1);
    expect(await within(rowOf('Till 1')).findByText('revoked')).toBeInTheDocument();
  });

  it("a refused revocation shows the API's detail in the dialog", async () => {
    server.use(
      http.post('/api/api-tokens/:id/revoke', () =>
        problemResponse({
          type: problemType('not_found'),
          title: 'Not found',
          status: 404,
          code: 'not_found',
          detail: 'There is no such API token.',
        }),
      ),
    );
    const { user } = renderApp({ path: PATH });
    await user.click(await screen.findByRole('button', { name: 'Revoke Till 1' }));
    const dialog = await screen.findByRole('dialog', { name: 'Revoke Till 1?' });
    await user.click(within(dialog).getByRole('button', { name: 'Revoke' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'Not revoked. There is no such API token.',
    );
  });
});
