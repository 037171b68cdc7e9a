import '@testing-library/jest-dom/vitest';
import { cleanup, configure, waitFor } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, beforeEach, expect, vi } from 'vitest';
import { fakeCamera } from './fake-camera.ts';
import { server } from './msw-server.ts';

vi.mock('html5-qrcode', () =>
  import('./fake-camera.ts').then((fake) => ({
    Html5Qrcode: fake.FakeHtml5Qrcode,
    Html5QrcodeScannerState: fake.Html5QrcodeScannerState,
    Html5QrcodeSupportedFormats: fake.Html5QrcodeSupportedFormats,
  })),
);

// CI runs every package's tests at once on two cores: give findBy/waitFor room, not sleeps
configure({ asyncUtilTimeout: 25_000 });

beforeAll(() => {
  server.listen({ onUnhandledFrame: 'error' });
});

beforeEach(() => {
  // jsdom has neither a secure-context flag nor media devices; a phone on HTTPS has both
  Object.defineProperty(window, 'isSecureContext', { value: true, configurable: true });
  Object.defineProperty(navigator, 'mediaDevices', {
    value: { getUserMedia: () => Promise.reject(new Error('not in jsdom')) },
    configurable: true,
  });
  Object.defineProperty(navigator, 'onLine', { value: true, configurable: true });
  window.history.replaceState(null, '', '/');
});

afterEach(async () => {
  vi.useRealTimers();
  cleanup();
  // let the unmounted scanner finish stopping its camera before the next test counts cameras
  await waitFor(() => {
    expect(fakeCamera.transitionsInFlight).toBe(0);
  });
  server.resetHandlers();
  server.events.removeAllListeners();
  fakeCamera.reset();
  localStorage.clear();
});

afterAll(() => {
  server.close();
});
