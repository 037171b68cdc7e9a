// A stand-in for html5-qrcode's Html5Qrcode: jsdom has no camera. It behaves like the library
// where the app depends on it (start/stop throw when called in the wrong state, start takes a
// moment) and lets a test "show" a QR code to every running camera.

export const Html5QrcodeScannerState = {
  UNKNOWN: 0,
  NOT_STARTED: 1,
  SCANNING: 2,
  PAUSED: 3,
} as const;
export const Html5QrcodeSupportedFormats = { QR_CODE: 0 } as const;

type State = (typeof Html5QrcodeScannerState)[keyof typeof Html5QrcodeScannerState];

export const fakeCamera = {
  /** What the next start() rejects with, as the library would (a string or an Error). */
  startError: null as unknown,
  running: new Set<FakeHtml5Qrcode>(),
  starts: 0,
  stops: 0,
  transitionsInFlight: 0,
  maxTransitionsInFlight: 0,
  torchSupported: false,
  cameras: [{ id: 'back', label: 'Back camera' }],
  /** Every running camera that is not paused decodes `text`. */
  show(text: string): void {
    for (const camera of this.running) camera.decoded(text);
  },
  /** Whether any running camera has decoding paused. */
  get paused(): boolean {
    return [...this.running].some((camera) => camera.getState() === Html5QrcodeScannerState.PAUSED);
  },
  reset(): void {
    this.startError = null;
    this.running.clear();
    this.starts = 0;
    this.stops = 0;
    this.maxTransitionsInFlight = 0;
    this.torchSupported = false;
    this.cameras = [{ id: 'back', label: 'Back camera' }];
  },
};

function track<T>(work: () => Promise<T>): Promise<T> {
  fakeCamera.transitionsInFlight++;
  fakeCamera.maxTransitionsInFlight = Math.max(
    fakeCamera.maxTransitionsInFlight,
    fakeCamera.transitionsInFlight,
  );
  return work().finally(() => {
    fakeCamera.transitionsInFlight--;
  });
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

export class FakeHtml5Qrcode {
  private state: State = Html5QrcodeScannerState.NOT_STARTED;
  /** Like the library: true once the video plays and frames are decoded. */
  isScanning = false;
  private onSuccess: ((text: string) => void) | null = null;

  constructor(elementId: string) {
    if (document.getElementById(elementId) === null) {
      throw new Error(`HTML Element with id=${elementId} not found`);
    }
  }

  start(
    _camera: unknown,
    _config: unknown,
    onSuccess: (text: string, result: unknown) => void,
  ): Promise<null> {
    if (this.state !== Html5QrcodeScannerState.NOT_STARTED) {
      throw new Error('Cannot transition to a new state, already under transition');
    }
    return track(async () => {
      fakeCamera.starts++;
      await tick();
      // html5-qrcode rejects with strings, so the fake does too
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      if (fakeCamera.startError !== null) throw fakeCamera.startError;
      this.state = Html5QrcodeScannerState.SCANNING;
      this.isScanning = true;
      this.onSuccess = (text) => {
        onSuccess(text, {});
      };
      fakeCamera.running.add(this);
      return null;
    });
  }

  stop(): Promise<void> {
    if (this.state === Html5QrcodeScannerState.NOT_STARTED) {
      throw new Error('Cannot stop, scanner is not running or paused.');
    }
    return track(async () => {
      fakeCamera.stops++;
      await tick();
      this.state = Html5QrcodeScannerState.NOT_STARTED;
      this.isScanning = false;
      fakeCamera.running.delete(this);
    });
  }

  getState(): State {
    return this.state;
  }

  pause(): void {
    if (this.state !== Html5QrcodeScannerState.SCANNING) {
      throw new Error('Cannot pause, scanner is not scanning.');
    }
    this.state = Html5QrcodeScannerState.PAUSED;
  }

  resume(): void {
    if (this.state !== Html5QrcodeScannerState.PAUSED) {
      throw new Error('Cannot resume, scanner is not paused.');
    }
    this.state = Html5QrcodeScannerState.SCANNING;
  }

  /** Like the library, a paused camera decodes nothing. */
  decoded(text: string): void {
    if (this.state === Html5QrcodeScannerState.SCANNING) this.onSuccess?.(text);
  }

  getRunningTrackCameraCapabilities() {
    return {
      torchFeature: () => ({
        isSupported: () => fakeCamera.torchSupported,
        value: () => false,
        apply: () => Promise.resolve(),
      }),
    };
  }

  static getCameras(): Promise<{ id: string; label: string }[]> {
    return Promise.resolve(fakeCamera.cameras);
  }
}
