// A campaign's coupons: cursor pages with status filter and code search, one coupon's preview
// (with its redemptions), voiding, and the CSV import.
import type { Batch } from '@couponscan/shared/batches';
import type { Page } from '@couponscan/shared/common';
import type { Coupon, CouponPreview, CouponStatus } from '@couponscan/shared/coupons';
import type { ImportResult } from '@couponscan/shared/imports';
import {
  keepPreviousData,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import { apiRequest } from '../../../lib/api-client.ts';
import { campaignKeys } from './campaigns.ts';

export const COUPON_PAGE_SIZE = 50;

export const couponKeys = {
  campaign: (campaignId: string) => ['coupons', campaignId] as const,
  list: (campaignId: string, filter: { status: CouponStatus | ''; q: string }) =>
    ['coupons', campaignId, 'list', filter] as const,
  preview: (code: string) => ['coupon', code] as const,
};

export function useCouponList(
  campaignId: string,
  filter: { status: CouponStatus | ''; q: string },
) {
  return useInfiniteQuery({
    queryKey: couponKeys.list(campaignId, filter),
    queryFn: ({ pageParam, signal }) =>
      apiRequest<Page<Coupon>>(`/api/campaigns/${campaignId}/coupons`, {
        query: {
          limit: COUPON_PAGE_SIZE,
          cursor: pageParam,
          status: filter.status === '' ? undefined : filter.status,
          q: filter.q === '' ? undefined : filter.q,
        },
        signal,
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
}

export function useCouponPreview(code: string) {
  return useQuery({
    queryKey: couponKeys.preview(code),
    queryFn: ({ signal }) =>
      apiRequest<CouponPreview>(`/api/coupons/${encodeURIComponent(code)}`, { signal }),
  });
}

export function useVoidCoupon(campaignId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ code, reason }: { code: string; reason: string }) =>
      apiRequest<Coupon>(`/api/coupons/${encodeURIComponent(code)}/void`, {
        method: 'POST',
        body: { reason },
      }),
    onSuccess: (coupon) =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: couponKeys.campaign(campaignId) }),
        queryClient.invalidateQueries({ queryKey: couponKeys.preview(coupon.code) }),
        queryClient.invalidateQueries({ queryKey: campaignKeys.detail(campaignId) }),
      ]),
  });
}

/** Uploads a CSV as it is (text/csv); the server answers all or nothing. */
export async function importCoupons(campaignId: string, file: Blob): Promise<Batch> {
  const result = await apiRequest<ImportResult>(`/api/campaigns/${campaignId}/imports`, {
    method: 'POST',
    rawBody: { data: file, contentType: 'text/csv' },
    // a million lines take a while to upload and check
    timeoutMs: 300_000,
  });
  return result.batch;
}
