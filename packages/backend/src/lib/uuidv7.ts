// Time-ordered ids (RFC 9562 UUIDv7: 48 bits of Unix milliseconds, then random bits), drawn in
// the application because PostgreSQL before 18 has no uuidv7(). Inserting a million coupons with
// them appends to the primary key and to (campaign_id, id) instead of writing into random pages of
// both: measured in bench/issuing-keys.ts (docs/benchmarks.md, "Issuing: keys").
import { randomFillSync } from 'node:crypto';

export type DrawId = () => string;

/** A generator of UUIDv7 strings that draws its random bytes from a buffer refilled in bulk. */
export function uuidv7Drawer(now: () => number = Date.now): DrawId {
  const random = Buffer.alloc(10 * 4096);
  let offset = random.length;
  const bytes = Buffer.alloc(16);
  return () => {
    if (offset === random.length) {
      randomFillSync(random);
      offset = 0;
    }
    bytes.writeUIntBE(now(), 0, 6);
    random.copy(bytes, 6, offset, offset + 10);
    offset += 10;
    bytes[6] = 0x70 | ((bytes[6] ?? 0) & 0x0f); // version 7
    bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f); // variant 10
    const hex = bytes.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };
}
