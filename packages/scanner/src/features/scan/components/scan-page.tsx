// The staff scanner: camera, manual entry, the last redemptions and this device's settings, with
// the verdict screen over them when there is something to say.
import { useSignedInSession } from '../../../lib/session.tsx';
import { useDeviceSettings } from '../hooks/use-device-settings.ts';
import { useRecentRedemptions } from '../hooks/use-recent-redemptions.ts';
import { useScanFlow } from '../hooks/use-scan-flow.ts';
import { CameraPanel } from './camera-panel.tsx';
import { FlowScreen } from './flow-screen.tsx';
import { ManualEntry } from './manual-entry.tsx';
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
  const overlayOpen = controls.flow.step !== 'ready';

  return (
    <>
      <div className="scan-page" inert={overlayOpen}>
        <h1 className="visually-hidden">Scan coupons</h1>
        <CameraPanel onDecoded={controls.submitScanned} />
        <ManualEntry onSubmit={controls.submitTyped} />
        <RecentRedemptions recent={recent} undoWindowMinutes={session.undoWindowMinutes} />
        <ScanSettings settings={settings} onChange={updateSettings} />
      </div>
      <FlowScreen controls={controls} />
    </>
  );
}
