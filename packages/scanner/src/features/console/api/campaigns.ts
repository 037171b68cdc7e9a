// Campaigns: the list (cursor pages), one campaign with its counts, create and update.
import type {
  Campaign,
  CampaignDetail,
  CampaignListItem,
  CampaignStatus,
  CreateCampaignBody,
  UpdateCampaignBody,
} from '@couponscan/shared/campaigns';
import type { Page } from '@couponscan/shared/common';
import type { Store } from '@couponscan/shared/stores';
import {
  keepPreviousData,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import { apiRequest } from '../../../lib/api-client.ts';

export const PAGE_SIZE = 25;

export const campaignKeys = {
  all: ['campaigns'] as const,
  list: (filter: { q: string; status: CampaignStatus | '' }) =>
    ['campaigns', 'list', filter] as const,
  detail: (id: string) => ['campaigns', 'detail', id] as const,
};

export function useCampaignList(filter: { q: string; status: CampaignStatus | '' }) {
  return useInfiniteQuery({
    queryKey: campaignKeys.list(filter),
    queryFn: ({ pageParam, signal }) =>
      apiRequest<Page<CampaignListItem>>('/api/campaigns', {
        query: {
          limit: PAGE_SIZE,
          cursor: pageParam,
          q: filter.q === '' ? undefined : filter.q,
          status: filter.status === '' ? undefined : filter.status,
        },
        signal,
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
}

export function useCampaign(id: string) {
  return useQuery({
    queryKey: campaignKeys.detail(id),
    queryFn: ({ signal }) => apiRequest<CampaignDetail>(`/api/campaigns/${id}`, { signal }),
  });
}

export function useCreateCampaign() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateCampaignBody) =>
      apiRequest<Campaign>('/api/campaigns', { method: 'POST', body }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: campaignKeys.all }),
  });
}

export function useUpdateCampaign(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: UpdateCampaignBody) =>
      apiRequest<CampaignDetail>(`/api/campaigns/${id}`, { method: 'PATCH', body }),
    onSuccess: (campaign) => {
      queryClient.setQueryData(campaignKeys.detail(id), campaign);
      return queryClient.invalidateQueries({ queryKey: ['campaigns', 'list'] });
    },
  });
}

export const storeKeys = { all: ['stores'] as const };

/** Every store (admins and marketers may read them); a shop chain has hundreds at most. */
export function useStores() {
  return useQuery({
    queryKey: storeKeys.all,
    queryFn: ({ signal }) =>
      apiRequest<Page<Store>>('/api/stores', { query: { limit: 500 }, signal }).then(
        (page) => page.items,
      ),
    staleTime: 60_000,
  });
}
