// The staff scanner: camera, manual entry, the last redemptions and this device's settings, with
// the verdict screen over them when there is something to say.
import { useCallback, useEffect } from 'react';
import { useSignedInSession } from '../../../lib/session.tsx';
import { useDeviceSettings } from '../hooks/use-device-settings.ts';
import { useRecentRedemptions } from '../hooks/use-recent-redemptions.ts';
import { useScanFlow } from '../hooks/use-scan-flow.ts';
import { prepareVerdictFeedback } from '../utils/verdict-feedback.ts';
import { CameraPanel } from './camera-panel.tsx';
import { FlowScreen } from './flow-screen.tsx';
import { MANUAL_CODE_INPUT_ID, ManualEntry } from './manual-entry.tsx';
import { RecentRedemptions } from './recent-redemptions.tsx';
import { ScanSettings } from './scan-settings.tsx';

export default function ScanPage() {
  const session = useSignedInSession();
  const [settings, updateSettings] = useDeviceSettings();
  const recent = useRecentRedemptions();
  const controls = useScanFlow({
    mode: settings.mode,
    sound: settings.sound,
    onRedeemed: recent.added,
  });
  const overlayOpen = controls.screen.step !== 'ready';
  useEffect(() => prepareVerdictFeedback(), []);

  const { dismiss, forgetRedemption } = controls;
  const typeCode = useCallback(() => {
    dismiss();
    // after the screen has closed and the page is no longer inert
    requestAnimationFrame(() => {
      document.getElementById(MANUAL_CODE_INPUT_ID)?.focus();
    });
  }, [dismiss]);

  return (
    <>
      <div className="scan-page" inert={overlayOpen}>
        <h1 className="visually-hidden">Scan coupons</h1>
        <CameraPanel
          onDecoded={controls.submitScanned}
          onMissed={controls.frameMissed}
          paused={overlayOpen}
        />
        <ManualEntry onSubmit={controls.submitTyped} />
        <RecentRedemptions
          recent={recent}
          undoWindowMinutes={session.undoWindowMinutes}
          onUndone={forgetRedemption}
        />
        <ScanSettings settings={settings} onChange={updateSettings} />
      </div>
      <FlowScreen controls={controls} autoReturn={settings.autoReturn} onTypeCode={typeCode} />
    </>
  );
}
