// All Kysely for campaigns and the stores they are valid in.
import { sql } from 'kysely';
import type { Database } from '../../db/database.ts';
import { olderThan, type Position } from '../../lib/pagination.ts';

export function selectCampaigns(db: Database) {
  return db
    .selectFrom('campaigns')
    .selectAll('campaigns')
    .select((eb) =>
      eb.fn
        .coalesce(
          eb
            .selectFrom('campaign_stores')
            .select(sql<string[]>`array_agg(store_id order by store_id)`.as('ids'))
            .whereRef('campaign_stores.campaign_id', '=', 'campaigns.id'),
          sql<string[]>`'{}'::uuid[]`,
        )
        .as('store_ids'),
    );
}
export type CampaignRow = Awaited<
  ReturnType<ReturnType<typeof selectCampaigns>['executeTakeFirstOrThrow']>
>;

export function findCampaign(db: Database, id: string): Promise<CampaignRow | undefined> {
  return selectCampaigns(db).where('campaigns.id', '=', id).executeTakeFirst();
}

/** Campaigns newest first; `nameContains` ignores case. */
export function listCampaigns(
  db: Database,
  filter: { status?: 'active' | 'paused' | 'archived'; nameContains?: string },
  after: Position | null,
  limit: number,
) {
  let query = selectCampaigns(db)
    .orderBy('campaigns.created_at', 'desc')
    .orderBy('campaigns.id', 'desc')
    .limit(limit + 1);
  if (filter.status !== undefined) query = query.where('campaigns.status', '=', filter.status);
  if (filter.nameContains !== undefined && filter.nameContains !== '') {
    // LIKE's own wildcards in the search are matched literally
    const escaped = filter.nameContains.replace(/[\\%_]/g, (c) => `\\${c}`);
    query = query.where('campaigns.name', 'ilike', `%${escaped}%`);
  }
  if (after !== null) query = query.where(olderThan('campaigns', 'campaigns', after));

  return query.execute();
}

export interface CampaignValues {
  name: string;
  discount_type: 'percent' | 'fixed_amount' | 'free_item';
  discount_value: number | null;
  discount_currency: string | null;
  discount_description: string;
  valid_from: Date | null;
  valid_until: Date | null;
  time_zone: string;
}

export async function insertCampaign(
  db: Database,
  values: CampaignValues & { max_redemptions_per_coupon: number; created_by: string },
): Promise<string> {
  const row = await db
    .insertInto('campaigns')
    .values(values)
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateCampaign(
  db: Database,
  id: string,
  values: Partial<CampaignValues> & { status?: 'active' | 'paused' | 'archived' },
): Promise<void> {
  await db
    .updateTable('campaigns')
    .set((eb) => ({ ...values, updated_at: eb.fn('now') }))
    .where('id', '=', id)
    .execute();
}

/**
 * The campaign, locked FOR SHARE until the transaction ends: issuers share it, a change to the
 * campaign (which locks it FOR UPDATE) waits for them.
 */
export function shareLockCampaign(db: Database, id: string): Promise<CampaignRow | undefined> {
  return selectCampaigns(db)
    .where('campaigns.id', '=', id)
    .forShare('campaigns')
    .executeTakeFirst();
}

export function lockCampaign(db: Database, id: string) {
  return db.selectFrom('campaigns').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function replaceCampaignStores(
  db: Database,
  campaignId: string,
  storeIds: readonly string[],
): Promise<void> {
  await db.deleteFrom('campaign_stores').where('campaign_id', '=', campaignId).execute();
  if (storeIds.length > 0) {
    await db
      .insertInto('campaign_stores')
      .values(storeIds.map((storeId) => ({ campaign_id: campaignId, store_id: storeId })))
      .execute();
  }
}

export async function campaignExists(db: Database, id: string): Promise<boolean> {
  const row = await db.selectFrom('campaigns').select('id').where('id', '=', id).executeTakeFirst();
  return row !== undefined;
}

/** The names of the stores a campaign is limited to (a `wrong_store` refusal names them). */
export async function campaignStoreNames(db: Database, campaignId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('campaign_stores')
    .innerJoin('stores', 'stores.id', 'campaign_stores.store_id')
    .select('stores.name')
    .where('campaign_stores.campaign_id', '=', campaignId)
    .orderBy('stores.name')
    .execute();
  return rows.map((row) => row.name);
}
