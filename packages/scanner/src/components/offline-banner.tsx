import { useOnlineStatus } from '../lib/use-online-status.ts';

/** Always visible while offline: coupons cannot be redeemed without the server. */
export function OfflineBanner() {
  const online = useOnlineStatus();
  if (online) return null;
  return (
    <div className="offline-banner" role="alert">
      <strong>You are offline.</strong> Coupons cannot be checked or redeemed until the connection
      is back.
    </div>
  );
}
