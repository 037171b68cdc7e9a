import type { DeviceSettings } from '../hooks/use-device-settings.ts';

export function ScanSettings({
  settings,
  onChange,
}: {
  settings: DeviceSettings;
  onChange: (change: Partial<DeviceSettings>) => void;
}) {
  return (
    <section className="settings" aria-labelledby="settings-heading">
      <h2 id="settings-heading">This device</h2>
      <fieldset>
        <legend>After a scan</legend>
        <label className="choice">
          <input
            type="radio"
            name="scan-mode"
            checked={settings.mode === 'confirm'}
            onChange={() => {
              onChange({ mode: 'confirm' });
            }}
          />
          <span>
            <strong>Confirm first</strong> — show the coupon, then tap Redeem
          </span>
        </label>
        <label className="choice">
          <input
            type="radio"
            name="scan-mode"
            checked={settings.mode === 'instant'}
            onChange={() => {
              onChange({ mode: 'instant' });
            }}
          />
          <span>
            <strong>Redeem instantly</strong> — for long queues
          </span>
        </label>
      </fieldset>
      <label className="choice">
        <input
          type="checkbox"
          checked={settings.sound}
          onChange={(event) => {
            onChange({ sound: event.target.checked });
          }}
        />
        <span>Sound on verdicts</span>
      </label>
      <label className="choice">
        <input
          type="checkbox"
          checked={settings.autoReturn}
          onChange={(event) => {
            onChange({ autoReturn: event.target.checked });
          }}
        />
        <span>Back to scanning by itself after REDEEMED (with a countdown)</span>
      </label>
    </section>
  );
}
