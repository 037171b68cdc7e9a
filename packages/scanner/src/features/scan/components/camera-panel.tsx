// The viewfinder, its controls, and a clear message instead of a black box when the camera
// cannot be used.
import { useId, type ReactNode } from 'react';
import { useQrCamera, type CameraProblem } from '../hooks/use-qr-camera.ts';

const PROBLEMS: Record<CameraProblem, { title: string; body: ReactNode; canRetry: boolean }> = {
  insecure_context: {
    title: 'The camera needs a secure connection',
    body: (
      <>
        Browsers only open the camera on pages served over HTTPS (or from localhost). Open this app
        at its <strong>https://</strong> address. You can still type codes below.
      </>
    ),
    canRetry: false,
  },
  unsupported: {
    title: 'This browser cannot use the camera',
    body: 'Use a current version of Chrome, Safari, Firefox or Edge, or type codes below.',
    canRetry: false,
  },
  no_camera: {
    title: 'No camera found',
    body: 'This device has no camera we can use. Type codes below instead.',
    canRetry: true,
  },
  permission_denied: {
    title: 'Camera access is blocked',
    body: (
      <>
        To allow it: tap the <strong>lock or camera icon</strong> next to the address, set{' '}
        <strong>Camera</strong> to <strong>Allow</strong>, then tap Try again. On an iPhone:
        Settings → Safari → Camera → Allow. You can type codes below meanwhile.
      </>
    ),
    canRetry: true,
  },
  in_use: {
    title: 'The camera is in use',
    body: 'Another app or browser tab is using the camera. Close it, then tap Try again.',
    canRetry: true,
  },
  failed: {
    title: 'The camera could not start',
    body: 'Tap Try again. If it keeps failing, restart the browser or type codes below.',
    canRetry: true,
  },
};

export function CameraPanel({
  onDecoded,
  onMissed,
  paused,
}: {
  onDecoded: (text: string) => void;
  /** A frame without a QR code: how the scan flow knows a code has left the view. */
  onMissed?: () => void;
  /** Decoding stops while something is on screen over the camera. */
  paused: boolean;
}) {
  const elementId = `qr-camera-${useId().replace(/[^a-zA-Z0-9_-]/g, '')}`;
  const camera = useQrCamera(elementId, onDecoded, paused, onMissed);
  const { status } = camera;
  const problem = status.state === 'error' ? PROBLEMS[status.problem] : null;

  return (
    <section className="camera" aria-label="Camera">
      <div id={elementId} className="camera-view" hidden={problem !== null} />
      {status.state === 'starting' && (
        <p className="camera-status" role="status">
          Starting the camera…
        </p>
      )}
      {status.state === 'paused' && <p className="camera-status">Camera paused.</p>}
      {problem !== null && (
        <div
          className="camera-problem"
          role="alert"
          data-camera-problem={status.state === 'error' ? status.problem : undefined}
        >
          <h2>{problem.title}</h2>
          <p>{problem.body}</p>
          {problem.canRetry && (
            <button type="button" className="button button--primary" onClick={camera.retry}>
              Try again
            </button>
          )}
        </div>
      )}
      {status.state === 'scanning' && (
        <div className="camera-controls">
          <p className="camera-hint">Point at the QR code</p>
          {camera.cameras.length > 1 && (
            <button type="button" className="button button--small" onClick={camera.switchCamera}>
              Switch camera
            </button>
          )}
          {camera.torch.supported && (
            <button
              type="button"
              className="button button--small"
              aria-pressed={camera.torch.on}
              onClick={camera.toggleTorch}
            >
              Light
            </button>
          )}
        </div>
      )}
    </section>
  );
}
