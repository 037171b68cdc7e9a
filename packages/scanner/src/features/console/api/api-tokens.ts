// Administration: API tokens for tills and other programs (admins only). The secret is in the
// create answer only: never in the query cache, and the screen resets the create mutation (and
// with it the secret) when its show-once panel closes.
import type { ApiToken, CreateApiTokenBody, CreatedApiToken } from '@couponscan/shared/api-tokens';
import type { Page } from '@couponscan/shared/common';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '../../../lib/api-client.ts';

export const apiTokenKeys = { all: ['api-tokens'] as const };

export function useApiTokens() {
  return useQuery({
    queryKey: apiTokenKeys.all,
    queryFn: ({ signal }) =>
      apiRequest<Page<ApiToken>>('/api/api-tokens', { query: { limit: 500 }, signal }).then(
        (page) => page.items,
      ),
  });
}

export function useCreateApiToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateApiTokenBody) =>
      apiRequest<CreatedApiToken>('/api/api-tokens', { method: 'POST', body }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: apiTokenKeys.all }),
  });
}

export function useRevokeApiToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      apiRequest<ApiToken>(`/api/api-tokens/${id}/revoke`, { method: 'POST' }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: apiTokenKeys.all }),
  });
}
