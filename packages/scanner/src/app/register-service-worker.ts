// The service worker (public/sw.js) caches the app shell so the scanner opens on a flaky network;
// it never caches /api, so no verdict can ever come from a cache.
export function registerServiceWorker(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js').catch(() => {
      // not installable here (e.g. plain http on a LAN address): the app works without it
    });
  });
}
