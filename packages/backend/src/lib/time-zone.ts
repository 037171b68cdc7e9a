// IANA time zones from requests: the schema checks the shape, this checks the zone exists.
import { isTimeZone } from '@couponscan/shared/common';
import { HttpProblem } from './http-problem.ts';

/** The zone, or 422 validation_failed pointing at `pointer` (e.g. `/querystring/tz`). */
export function requireTimeZone(name: string, pointer: string): string {
  if (!isTimeZone(name)) {
    throw new HttpProblem(422, 'validation_failed', `${name} is not a known IANA time zone`, {}, [
      { pointer, message: 'is not a known IANA time zone (e.g. Europe/Berlin)' },
    ]);
  }
  return name;
}
