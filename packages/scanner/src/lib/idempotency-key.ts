// One key per redemption attempt, reused on every retry of that attempt, so the server can answer a
// retry with the stored result instead of redeeming again (Stripe's rules).

export function newIdempotencyKey(): string {
  // randomUUID exists only in secure contexts; typing a code still works over plain http.
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
