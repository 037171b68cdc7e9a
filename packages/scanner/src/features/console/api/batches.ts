// Issuing: batches of generated codes. Up to 10,000 are issued within the request; larger ones run
// in the background and are polled for progress until they end.
import type { Batch, BatchListItem, CreateBatchBody } from '@couponscan/shared/batches';
import type { Page } from '@couponscan/shared/common';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '../../../lib/api-client.ts';
import { campaignKeys } from './campaigns.ts';
import { couponKeys } from './coupons.ts';

/** How often a running batch's progress is read. */
export const BATCH_POLL_MS = 1_000;

export const batchKeys = {
  all: ['batches'] as const,
  campaign: (campaignId: string) => ['batches', 'campaign', campaignId] as const,
  running: ['batches', 'running'] as const,
  one: (id: string) => ['batches', 'one', id] as const,
};

export function isBatchRunning(batch: Pick<Batch, 'status'>): boolean {
  return batch.status === 'queued' || batch.status === 'running';
}

export function useCampaignBatches(campaignId: string) {
  return useQuery({
    queryKey: batchKeys.campaign(campaignId),
    queryFn: ({ signal }) =>
      apiRequest<{ items: Batch[] }>(`/api/campaigns/${campaignId}/batches`, { signal }).then(
        (answer) => answer.items,
      ),
    // while one runs the list shows its progress
    refetchInterval: (query) =>
      (query.state.data ?? []).some(isBatchRunning) ? BATCH_POLL_MS : false,
  });
}

/** Batches still queued or running, of every campaign (the console's "in progress" list). */
export function useRunningBatches() {
  return useQuery({
    queryKey: batchKeys.running,
    queryFn: ({ signal }) =>
      apiRequest<Page<BatchListItem>>('/api/batches', {
        query: { status: 'queued,running', limit: 100 },
        signal,
      }).then((page) => page.items),
    refetchInterval: (query) => ((query.state.data ?? []).length > 0 ? BATCH_POLL_MS * 2 : 15_000),
  });
}

export function useBatch(id: string, initial?: Batch) {
  const queryClient = useQueryClient();
  return useQuery({
    queryKey: batchKeys.one(id),
    queryFn: async ({ signal }) => {
      const batch = await apiRequest<Batch>(`/api/batches/${id}`, { signal });
      if (!isBatchRunning(batch)) {
        // it ended: the campaign's figures and coupons changed
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: campaignKeys.detail(batch.campaignId) }),
          queryClient.invalidateQueries({ queryKey: couponKeys.campaign(batch.campaignId) }),
          queryClient.invalidateQueries({ queryKey: batchKeys.campaign(batch.campaignId) }),
          queryClient.invalidateQueries({ queryKey: batchKeys.running }),
        ]);
      }
      return batch;
    },
    initialData: initial,
    refetchInterval: (query) =>
      query.state.data === undefined || isBatchRunning(query.state.data) ? BATCH_POLL_MS : false,
  });
}

export function useCreateBatch(campaignId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateBatchBody) =>
      apiRequest<Batch>(`/api/campaigns/${campaignId}/batches`, {
        method: 'POST',
        body,
        // 10,000 codes are issued within the request
        timeoutMs: 120_000,
      }),
    onSuccess: (batch) => {
      queryClient.setQueryData(batchKeys.one(batch.id), batch);
      return Promise.all([
        queryClient.invalidateQueries({ queryKey: batchKeys.campaign(campaignId) }),
        queryClient.invalidateQueries({ queryKey: batchKeys.running }),
        queryClient.invalidateQueries({ queryKey: campaignKeys.detail(campaignId) }),
        queryClient.invalidateQueries({ queryKey: couponKeys.campaign(campaignId) }),
      ]);
    },
  });
}

export function useCancelBatch() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiRequest<Batch>(`/api/batches/${id}/cancel`, { method: 'POST' }),
    onSuccess: (batch) => {
      queryClient.setQueryData(batchKeys.one(batch.id), batch);
      return Promise.all([
        queryClient.invalidateQueries({ queryKey: batchKeys.campaign(batch.campaignId) }),
        queryClient.invalidateQueries({ queryKey: batchKeys.running }),
      ]);
    },
  });
}
