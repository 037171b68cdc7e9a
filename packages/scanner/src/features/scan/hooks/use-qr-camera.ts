// The camera, through html5-qrcode's Html5Qrcode class. Start and stop are transitions that must
// never overlap (the library throws, or leaks a running camera, if stop() races start()): every
// transition is chained on one promise kept in a ref, so React StrictMode's mount–unmount–mount,
// route changes and the page being hidden all settle in order.
//
// The library (about 110 KB gzip with its zxing decoder) is a chunk of its own, requested as soon
// as the scanner's code runs, so that the scanner is on screen and typing a code works before it
// has arrived (the first load stays within 150 KB gzip, test/bundle-size.test.ts).
import type * as Html5QrcodeLibrary from 'html5-qrcode';
import type { CameraDevice, Html5Qrcode, Html5QrcodeScannerState } from 'html5-qrcode';
import { useCallback, useEffect, useRef, useState } from 'react';

type CameraLibrary = typeof Html5QrcodeLibrary;
let cameraLibrary: Promise<CameraLibrary> | null = null;

/** The library, loaded once; also called early so the download starts with the page. */
export function loadCameraLibrary(): Promise<CameraLibrary> {
  cameraLibrary ??= import('html5-qrcode');
  return cameraLibrary;
}

/** Html5QrcodeScannerState's values, without importing the library to read them. */
const ScannerState: {
  NOT_STARTED: Html5QrcodeScannerState.NOT_STARTED;
  SCANNING: Html5QrcodeScannerState.SCANNING;
  PAUSED: Html5QrcodeScannerState.PAUSED;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment -- the library's values (esm/state-manager.d.ts), written out so as not to load it to read them
} = { NOT_STARTED: 1, SCANNING: 2, PAUSED: 3 };

export type CameraProblem =
  'insecure_context' | 'unsupported' | 'no_camera' | 'permission_denied' | 'in_use' | 'failed';

export type CameraStatus =
  | { state: 'starting' }
  | { state: 'scanning' }
  /** Released because the page is hidden; restarts when it is shown again. */
  | { state: 'paused' }
  | { state: 'error'; problem: CameraProblem; detail: string };

export interface QrCamera {
  status: CameraStatus;
  cameras: CameraDevice[];
  switchCamera: () => void;
  torch: { supported: boolean; on: boolean };
  toggleTorch: () => void;
  retry: () => void;
}

/** Marked when the camera is asked for, and when its frames are being decoded; the e2e test
 * measures from these to the verdict. */
export const CAMERA_REQUESTED_MARK = 'couponscan:camera-requested';
export const CAMERA_STARTED_MARK = 'couponscan:camera-started';

const SCAN_CONFIG = {
  fps: 10,
  // the decode region: the middle 75 % of the shorter side
  qrbox: (width: number, height: number) => {
    const side = Math.max(120, Math.floor(Math.min(width, height) * 0.75));
    return { width: side, height: side };
  },
};

const SURFACE_READY_DEADLINE_MS = 5_000;

async function until(condition: () => boolean, deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!condition() && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
}

function isMounted(ref: { readonly current: boolean }): boolean {
  return ref.current;
}

function pauseDecoding(scanner: Html5Qrcode): void {
  if (scanner.getState() !== ScannerState.SCANNING) return;
  try {
    // false: the picture stays live, only decoding stops
    scanner.pause(false);
  } catch {
    // not scanning after all: nothing to pause
  }
}

function resumeDecoding(scanner: Html5Qrcode): void {
  if (scanner.getState() !== ScannerState.PAUSED) return;
  try {
    scanner.resume();
  } catch {
    // the library lost its camera: the next start begins afresh
  }
}

export function classifyCameraError(error: unknown): CameraProblem {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  if (/NotAllowedError|PermissionDenied|Permission denied|SecurityError/i.test(text)) {
    return 'permission_denied';
  }
  if (/NotFoundError|DevicesNotFound|OverconstrainedError|device not found/i.test(text)) {
    return 'no_camera';
  }
  if (/NotReadableError|TrackStartError|Could not start video source|AbortError/i.test(text)) {
    return 'in_use';
  }
  if (/not supported/i.test(text)) return 'unsupported';
  return 'failed';
}

function preflightProblem(): CameraProblem | null {
  if (!window.isSecureContext) return 'insecure_context';
  // undefined outside secure contexts and in old browsers, whatever lib.dom says
  const media = navigator.mediaDevices as MediaDevices | undefined;
  if (typeof media?.getUserMedia !== 'function') return 'unsupported';
  return null;
}

/**
 * `paused`: while a confirmation or verdict is on screen the camera stays on (restarting it is
 * slow) but decodes nothing, so a code in view cannot decide anything behind the screen.
 */
export function useQrCamera(
  elementId: string,
  onDecoded: (text: string) => void,
  paused = false,
  /** A frame was looked at and held no QR code (about ten a second while nothing is in view). */
  onMissed: () => void = () => undefined,
): QrCamera {
  const [status, setStatus] = useState<CameraStatus>({ state: 'starting' });
  const [cameras, setCameras] = useState<CameraDevice[]>([]);
  const [torch, setTorch] = useState({ supported: false, on: false });
  const scannerRef = useRef<Html5Qrcode | null>(null);
  const transitionRef = useRef<Promise<void>>(Promise.resolve());
  const cameraIdRef = useRef<string | null>(null);
  const mountedRef = useRef(false);
  const onDecodedRef = useRef(onDecoded);
  const onMissedRef = useRef(onMissed);
  useEffect(() => {
    onDecodedRef.current = onDecoded;
    onMissedRef.current = onMissed;
  }, [onDecoded, onMissed]);
  const pausedRef = useRef(paused);

  const enqueue = useCallback((transition: () => Promise<void>) => {
    transitionRef.current = transitionRef.current.then(transition).catch(() => undefined);
  }, []);

  const start = useCallback(() => {
    enqueue(async () => {
      if (!mountedRef.current || document.visibilityState === 'hidden') return;
      const problem = preflightProblem();
      if (problem !== null) {
        setStatus({ state: 'error', problem, detail: '' });
        return;
      }
      let library: CameraLibrary;
      try {
        library = await loadCameraLibrary();
      } catch (error) {
        // the chunk did not arrive (flaky Wi-Fi): Try again asks for it anew
        cameraLibrary = null;
        setStatus({ state: 'error', problem: 'failed', detail: String(error) });
        return;
      }
      // unmounted while the library loaded (a ref read after an await, not a stale copy)
      if (!isMounted(mountedRef)) return;
      scannerRef.current ??= new library.Html5Qrcode(elementId, {
        formatsToSupport: [library.Html5QrcodeSupportedFormats.QR_CODE],
        useBarCodeDetectorIfSupported: true,
        verbose: false,
      });
      const scanner = scannerRef.current;
      if (scanner.getState() !== ScannerState.NOT_STARTED) return;
      setStatus({ state: 'starting' });
      performance.mark(CAMERA_REQUESTED_MARK);
      try {
        await scanner.start(
          cameraIdRef.current ?? { facingMode: 'environment' },
          SCAN_CONFIG,
          (text) => {
            onDecodedRef.current(text);
          },
          () => {
            onMissedRef.current();
          },
        );
      } catch (error) {
        setStatus({ state: 'error', problem: classifyCameraError(error), detail: String(error) });
        return;
      }
      // start() resolves before the video plays, and stop() fails half-way if called before it
      // does, leaving the library stuck; so a start transition ends when frames are decoded.
      await until(() => scanner.isScanning, SURFACE_READY_DEADLINE_MS);
      performance.mark(CAMERA_STARTED_MARK);
      if (pausedRef.current) pauseDecoding(scanner);
      setStatus({ state: 'scanning' });
      try {
        const feature = scanner.getRunningTrackCameraCapabilities().torchFeature();
        setTorch({ supported: feature.isSupported(), on: feature.value() === true });
      } catch {
        setTorch({ supported: false, on: false });
      }
      // labels and ids are only available once permission is granted, i.e. now
      library.Html5Qrcode.getCameras().then(setCameras, () => {
        setCameras([]);
      });
    });
  }, [elementId, enqueue]);

  const stop = useCallback(
    (next: CameraStatus) => {
      enqueue(async () => {
        const scanner = scannerRef.current;
        if (scanner !== null && scanner.getState() !== ScannerState.NOT_STARTED) {
          try {
            await scanner.stop();
          } catch {
            // the library can fail half-way through stopping: start afresh next time
            scannerRef.current = null;
            document.getElementById(elementId)?.replaceChildren();
          }
        }
        setTorch({ supported: false, on: false });
        if (mountedRef.current) setStatus(next);
      });
    },
    [elementId, enqueue],
  );

  useEffect(() => {
    mountedRef.current = true;
    start();
    const onVisibility = () => {
      // a hidden page must not keep the camera (and its light) on
      if (document.visibilityState === 'hidden') stop({ state: 'paused' });
      else start();
    };
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      document.removeEventListener('visibilitychange', onVisibility);
      mountedRef.current = false;
      stop({ state: 'paused' });
    };
  }, [start, stop]);

  useEffect(() => {
    pausedRef.current = paused;
    enqueue(() => {
      const scanner = scannerRef.current;
      if (scanner === null) return Promise.resolve();
      if (paused) pauseDecoding(scanner);
      else resumeDecoding(scanner);
      return Promise.resolve();
    });
  }, [paused, enqueue]);

  const switchCamera = useCallback(() => {
    if (cameras.length < 2) return;
    const current = cameras.findIndex((camera) => camera.id === cameraIdRef.current);
    const next = cameras[(current + 1) % cameras.length];
    if (next === undefined) return;
    cameraIdRef.current = next.id;
    stop({ state: 'starting' });
    start();
  }, [cameras, start, stop]);

  const toggleTorch = useCallback(() => {
    enqueue(async () => {
      const scanner = scannerRef.current;
      if (scanner?.getState() !== ScannerState.SCANNING) return;
      const feature = scanner.getRunningTrackCameraCapabilities().torchFeature();
      const on = feature.value() !== true;
      await feature.apply(on);
      setTorch({ supported: true, on });
    });
  }, [enqueue]);

  const retry = useCallback(() => {
    stop({ state: 'starting' });
    start();
  }, [start, stop]);

  return { status, cameras, switchCamera, torch, toggleTorch, retry };
}
