import { act, waitFor } from '@testing-library/react';
import { expect } from 'vitest';
import { fakeCamera } from './fake-camera.ts';

export async function cameraRunning(): Promise<void> {
  await waitFor(() => {
    // settled: one camera running and no start/stop under way (StrictMode mounts twice)
    expect(fakeCamera.running.size).toBe(1);
    expect(fakeCamera.transitionsInFlight).toBe(0);
    expect(fakeCamera.paused).toBe(false);
  });
}

/** Hold a QR code carrying `text` in front of the (fake) camera. */
export async function scan(text: string): Promise<void> {
  await cameraRunning();
  act(() => {
    fakeCamera.show(text);
  });
}
