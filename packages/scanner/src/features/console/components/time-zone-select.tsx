// The IANA time zone picker of the store and campaign forms.
import { useState } from 'react';
import { timeZoneChoices } from '../lib/zoned-dates.ts';

export function TimeZoneSelect(props: {
  id: string;
  value: string;
  onChange: (zone: string) => void;
  'aria-invalid': boolean;
  'aria-describedby': string | undefined;
}) {
  const { onChange, value, ...rest } = props;
  // ~400 options, built once (with the starting zone if the list lacks it), so that typing
  // elsewhere in the form does not re-render them
  const [options] = useState(() => {
    const choices = timeZoneChoices();
    return (choices.includes(value) ? choices : [value, ...choices]).map((zone) => (
      <option key={zone} value={zone}>
        {zone.replaceAll('_', ' ')}
      </option>
    ));
  });
  return (
    <select
      {...rest}
      value={value}
      onChange={(event) => {
        onChange(event.target.value);
      }}
    >
      {options}
    </select>
  );
}
