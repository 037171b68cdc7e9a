// Settings that belong to this phone, not to the user: kept in localStorage.
import { useCallback, useState } from 'react';

export type ScanMode = 'confirm' | 'instant';

export interface DeviceSettings {
  /** confirm: show the coupon, then a Redeem button; instant: redeem as soon as it is scanned. */
  mode: ScanMode;
  sound: boolean;
  /** After a REDEEMED verdict, go back to scanning by itself after a visible countdown. */
  autoReturn: boolean;
}

const STORAGE_KEY = 'couponscan.scanner.settings';
const DEFAULTS: DeviceSettings = { mode: 'confirm', sound: true, autoReturn: false };

function readSettings(): DeviceSettings {
  try {
    const stored: unknown = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null');
    if (typeof stored !== 'object' || stored === null) return DEFAULTS;
    const { mode, sound, autoReturn } = stored as Partial<Record<keyof DeviceSettings, unknown>>;
    return {
      mode: mode === 'instant' || mode === 'confirm' ? mode : DEFAULTS.mode,
      sound: typeof sound === 'boolean' ? sound : DEFAULTS.sound,
      autoReturn: typeof autoReturn === 'boolean' ? autoReturn : DEFAULTS.autoReturn,
    };
  } catch {
    return DEFAULTS;
  }
}

export function useDeviceSettings(): [DeviceSettings, (change: Partial<DeviceSettings>) => void] {
  const [settings, setSettings] = useState(readSettings);
  const update = useCallback((change: Partial<DeviceSettings>) => {
    setSettings((previous) => {
      const next = { ...previous, ...change };
      try {
        localStorage.setItem(STORAGE_KEY, JSON.stringify(next));
      } catch {
        // private mode or full storage: the setting lasts for this page only
      }
      return next;
    });
  }, []);
  return [settings, update];
}
