import type { LoginBody, SessionResponse } from '@couponscan/shared/auth';
import { apiRequest } from '../../../lib/api-client.ts';

export function login(body: LoginBody): Promise<SessionResponse> {
  return apiRequest<SessionResponse>('/api/auth/login', {
    method: 'POST',
    body,
    timeoutMs: 15_000,
  });
}

export function logout(): Promise<void> {
  return apiRequest<undefined>('/api/auth/logout', { method: 'POST', timeoutMs: 10_000 });
}
