// A form's field errors, keyed by JSON pointer: found in the browser by the request's own schema,
// or sent back by the server (a 422's `errors`), and shown next to the field they name.
import { useState } from 'react';
import { isApiError } from '../../../lib/api-client.ts';
import { serverFieldErrors, type FieldErrors } from '../lib/validation.ts';

export function useFieldErrors() {
  const [errors, setErrors] = useState<FieldErrors>({});
  return {
    errors,
    /** Shows what a check found; true when it found nothing, so the form may send. */
    show: (found: FieldErrors): boolean => {
      setErrors(found);
      return Object.keys(found).length === 0;
    },
    /** For a mutation's `onError`: the server's field errors under their fields. */
    fromServer: (error: unknown): void => {
      if (isApiError(error)) setErrors(serverFieldErrors(error.problem.errors));
    },
  };
}
