// Rows to the shared User type; services never hand rows to routes.
import type { User } from '@couponscan/shared/auth';
import type { UserRow } from './users.repository.ts';

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    storeId: row.store_id,
    storeName: row.store_name,
    disabled: row.disabled_at !== null,
    createdAt: row.created_at.toISOString(),
  };
}
