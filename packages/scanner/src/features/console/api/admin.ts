// Administration: stores, users and the ledger (admins only).
import type { User } from '@couponscan/shared/auth';
import type { Page } from '@couponscan/shared/common';
import type { LedgerEntry } from '@couponscan/shared/redemptions';
import type { CreateStoreBody, Store, UpdateStoreBody } from '@couponscan/shared/stores';
import type { CreateUserBody, UpdateUserBody } from '@couponscan/shared/users';
import {
  keepPreviousData,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import { apiRequest } from '../../../lib/api-client.ts';
import { storeKeys } from './campaigns.ts';
import { statsKeys } from './stats.ts';

export function useCreateStore() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateStoreBody) =>
      apiRequest<Store>('/api/stores', { method: 'POST', body }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: storeKeys.all }),
  });
}

export function useUpdateStore() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: UpdateStoreBody }) =>
      apiRequest<Store>(`/api/stores/${id}`, { method: 'PATCH', body }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: storeKeys.all }),
  });
}

export const userKeys = { all: ['users'] as const };

export function useUsers() {
  return useQuery({
    queryKey: userKeys.all,
    queryFn: ({ signal }) =>
      apiRequest<Page<User>>('/api/users', { query: { limit: 500 }, signal }).then(
        (page) => page.items,
      ),
  });
}

export function useCreateUser() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateUserBody) => apiRequest<User>('/api/users', { method: 'POST', body }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: userKeys.all }),
  });
}

export function useUpdateUser() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: UpdateUserBody }) =>
      apiRequest<User>(`/api/users/${id}`, { method: 'PATCH', body }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: userKeys.all }),
  });
}

export interface LedgerFilter {
  campaignId: string;
  storeId: string;
  userId: string;
  /** RFC 3339, inclusive */
  from: string;
  /** RFC 3339, exclusive */
  to: string;
}

export function ledgerQuery(filter: LedgerFilter): Record<string, string | undefined> {
  return {
    campaignId: filter.campaignId || undefined,
    storeId: filter.storeId || undefined,
    userId: filter.userId || undefined,
    from: filter.from || undefined,
    to: filter.to || undefined,
  };
}

export const ledgerKeys = {
  all: ['ledger'] as const,
  list: (filter: LedgerFilter) => ['ledger', filter] as const,
};

export function useLedger(filter: LedgerFilter) {
  return useInfiniteQuery({
    queryKey: ledgerKeys.list(filter),
    queryFn: ({ pageParam, signal }) =>
      apiRequest<Page<LedgerEntry>>('/api/redemptions', {
        query: { ...ledgerQuery(filter), limit: 50, cursor: pageParam },
        signal,
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
}

export function useReverseRedemption() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, reason }: { id: string; reason: string }) =>
      apiRequest<LedgerEntry>(`/api/redemptions/${id}/reversal`, {
        method: 'POST',
        body: { reason },
      }),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: ledgerKeys.all }),
        queryClient.invalidateQueries({ queryKey: statsKeys.all }),
      ]),
  });
}
