// A clear message, never a black box, when the camera cannot be used.
import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { classifyCameraError } from '../src/features/scan/hooks/use-qr-camera.ts';
import { cameraRunning } from './camera-helpers.ts';
import { fakeCamera } from './fake-camera.ts';
import { renderApp } from './render-app.tsx';

describe('camera problems', () => {
  it.each([
    [
      'permission denied',
      'Error getting userMedia, error = NotAllowedError: Permission denied',
      'Camera access is blocked',
      /Allow/,
    ],
    [
      'no camera',
      'Error getting userMedia, error = NotFoundError: Requested device not found',
      'No camera found',
      /Type codes below/,
    ],
    [
      'camera in use',
      'Error getting userMedia, error = NotReadableError: Could not start video source',
      'The camera is in use',
      /Close it/,
    ],
  ])('%s', async (_, error, title, advice) => {
    fakeCamera.startError = error;
    renderApp({ mode: 'instant' });
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent(title);
    expect(alert).toHaveTextContent(advice);
    expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument();
    expect(screen.getByLabelText('Or type the code')).toBeInTheDocument();
  });

  it('an insecure context explains HTTPS', async () => {
    Object.defineProperty(window, 'isSecureContext', { value: false, configurable: true });
    renderApp({ mode: 'instant' });
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The camera needs a secure connection');
    expect(alert).toHaveTextContent('https://');
    expect(fakeCamera.starts).toBe(0);
  });

  it('Try again starts the camera once the problem is solved', async () => {
    fakeCamera.startError = new DOMException('Permission denied', 'NotAllowedError');
    const { user } = renderApp({ mode: 'instant' });
    const tryAgain = await screen.findByRole('button', { name: 'Try again' });
    expect(screen.queryByText('Point at the QR code')).toBeNull();
    fakeCamera.startError = null;
    await user.click(tryAgain);
    await cameraRunning();
    expect(screen.getByText('Point at the QR code')).toBeInTheDocument();
  });

  it('classifies the browser errors html5-qrcode passes on', () => {
    expect(classifyCameraError(new DOMException('x', 'NotAllowedError'))).toBe('permission_denied');
    expect(classifyCameraError(new DOMException('x', 'OverconstrainedError'))).toBe('no_camera');
    expect(classifyCameraError('Camera streaming not supported by the browser.')).toBe(
      'unsupported',
    );
    expect(classifyCameraError(new Error('something else'))).toBe('failed');
  });
});
