// The campaign form's sections: the discount, when it is valid, and the stores it is valid in.
// Each shows the values it is given and reports a change with `set`.
import { useStores } from '../api/campaigns.ts';
import { CURRENCIES, windowOf, type CampaignFormValues } from '../lib/campaign-form-values.ts';
import type { FieldErrors } from '../lib/validation.ts';
import { lastSecondBefore } from '../lib/zoned-dates.ts';
import { SelectField, TextField } from './form.tsx';
import { TimeZoneSelect } from './time-zone-select.tsx';
import { ErrorNotice, ExactInstant, Field } from './ui.tsx';

export type SetValue = <K extends keyof CampaignFormValues>(
  key: K,
  value: CampaignFormValues[K],
) => void;

interface SectionProps {
  values: CampaignFormValues;
  set: SetValue;
  errors: FieldErrors;
}

export function DiscountFields({ values, set, errors }: SectionProps) {
  return (
    <fieldset className="fieldset">
      <legend>Discount</legend>
      <div className="radio-row">
        {(
          [
            ['percent', 'Percent off'],
            ['fixed_amount', 'Amount off'],
            ['free_item', 'Free item'],
          ] as const
        ).map(([type, label]) => (
          <label key={type} className="radio">
            <input
              type="radio"
              name="discountType"
              value={type}
              checked={values.discountType === type}
              onChange={() => {
                set('discountType', type);
              }}
            />
            {label}
          </label>
        ))}
      </div>
      {values.discountType !== 'free_item' && (
        <div className="field-row">
          <TextField
            label={values.discountType === 'percent' ? 'Percent' : 'Amount'}
            error={errors['/discount/value']}
            inputMode="decimal"
            value={values.value}
            onChange={(value) => {
              set('value', value);
            }}
          />
          {values.discountType === 'fixed_amount' && (
            <SelectField
              label="Currency"
              error={errors['/discount/currency']}
              value={values.currency}
              onChange={(currency) => {
                set('currency', currency);
              }}
              choices={CURRENCIES.map((code) => [code, code] as const)}
            />
          )}
        </div>
      )}
      <TextField
        label={values.discountType === 'free_item' ? 'Free item' : 'Description (optional)'}
        error={errors['/discount/description']}
        hint={
          values.discountType === 'free_item'
            ? 'What the customer gets, e.g. “a coffee of any size”.'
            : 'Shown to staff with the discount, e.g. “on everything but books”.'
        }
        value={values.description}
        maxLength={500}
        onChange={(description) => {
          set('description', description);
        }}
      />
    </fieldset>
  );
}

export function ValidityFields({ values, set, errors }: SectionProps) {
  const window = windowOf(values);
  return (
    <fieldset className="fieldset">
      <legend>When it is valid</legend>
      <Field
        label="Time zone"
        hint="The campaign's days start and end at midnight in this time zone."
      >
        {(props) => (
          <TimeZoneSelect
            {...props}
            value={values.timeZone}
            onChange={(zone) => {
              set('timeZone', zone);
            }}
          />
        )}
      </Field>
      <div className="field-row">
        <TextField
          label="First day (optional)"
          error={errors['/validFrom']}
          hint={
            window.validFrom === null ? (
              'Empty: valid at once.'
            ) : (
              <span data-testid="valid-from-instant">
                Starts{' '}
                <ExactInstant instant={new Date(window.validFrom)} timeZone={values.timeZone} />
              </span>
            )
          }
          type="date"
          value={values.validFrom}
          onChange={(day) => {
            set('validFrom', day);
          }}
        />
        <TextField
          label="Last day (optional)"
          error={errors['/validUntil']}
          hint={
            window.validUntil === null ? (
              'Empty: no end date.'
            ) : (
              <span data-testid="valid-until-instant">
                Ends{' '}
                <ExactInstant
                  instant={lastSecondBefore(new Date(window.validUntil))}
                  timeZone={values.timeZone}
                />
              </span>
            )
          }
          type="date"
          value={values.validUntil}
          onChange={(day) => {
            set('validUntil', day);
          }}
        />
      </div>
    </fieldset>
  );
}

export function StoreFields({ values, set, errors }: SectionProps) {
  const stores = useStores();
  return (
    <fieldset className="fieldset">
      <legend>Stores</legend>
      <p className="field-hint">None ticked: the coupons are valid in every store.</p>
      {stores.isError && <ErrorNotice error={stores.error} />}
      <div className="checkbox-list">
        {(stores.data ?? []).map((store) => (
          <label key={store.id} className="checkbox">
            <input
              type="checkbox"
              checked={values.storeIds.includes(store.id)}
              onChange={(event) => {
                set(
                  'storeIds',
                  event.target.checked
                    ? [...values.storeIds, store.id]
                    : values.storeIds.filter((id) => id !== store.id),
                );
              }}
            />
            {store.name} <span className="muted">({store.code})</span>
          </label>
        ))}
      </div>
      {errors['/storeIds'] !== undefined && <p className="field-error">{errors['/storeIds']}</p>}
    </fieldset>
  );
}
