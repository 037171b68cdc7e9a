// The "New API token" form: a name, a role, and a store for staff tokens.
import {
  API_TOKEN_ROLES,
  CreateApiTokenBodySchema,
  type ApiTokenRole,
  type CreatedApiToken,
} from '@couponscan/shared/api-tokens';
import { useEffect, useRef, useState } from 'react';
import { useCreateApiToken } from '../api/api-tokens.ts';
import { useStores } from '../api/campaigns.ts';
import { useFieldErrors } from '../hooks/use-field-errors.ts';
import { validate } from '../lib/validation.ts';
import { PanelForm, SelectField, StoreSelectField, TextField } from './form.tsx';

const ROLE_LABELS: Record<ApiTokenRole, string> = {
  staff: 'staff (redeems in one store)',
  marketer: 'marketer (reads campaigns and figures)',
};

export function CreateTokenForm({
  onCreated,
  focusName,
}: {
  onCreated: (created: CreatedApiToken) => void;
  /** Back from the show-once panel: keyboard focus returns to the form, not to the page's top. */
  focusName: boolean;
}) {
  const create = useCreateApiToken();
  const nameField = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (focusName) nameField.current?.focus();
  }, [focusName]);
  const stores = useStores();
  const [name, setName] = useState('');
  const [role, setRole] = useState<ApiTokenRole>('staff');
  const [storeId, setStoreId] = useState('');
  const fields = useFieldErrors();
  const { errors } = fields;

  const submit = () => {
    const body = {
      name: name.trim(),
      role,
      storeId: role === 'staff' ? storeId || null : null,
    };
    const found = validate(CreateApiTokenBodySchema, body);
    if (role === 'staff' && storeId === '')
      found['/storeId'] = 'A staff token redeems in one store: choose it.';
    if (!fields.show(found)) return;
    create.mutate(body, {
      onSuccess: (created) => {
        setName('');
        onCreated(created);
        // the secret lives in the show-once panel only, not in this mutation's state
        create.reset();
      },
      onError: fields.fromServer,
    });
  };

  return (
    <PanelForm
      title="New API token"
      onSubmit={submit}
      error={create.error}
      submitLabel="Create token"
      busy={create.isPending}
    >
      <div className="field-row">
        <TextField
          label="Name"
          error={errors['/name']}
          hint="Where it is used, e.g. Till 2, Hafenstrasse."
          inputRef={nameField}
          value={name}
          onChange={setName}
          maxLength={100}
          autoComplete="off"
        />
        <SelectField
          label="Role"
          error={errors['/role']}
          value={role}
          onChange={setRole}
          choices={API_TOKEN_ROLES.map((value) => [value, ROLE_LABELS[value]] as const)}
        />
        {role === 'staff' && (
          <StoreSelectField
            stores={stores.data}
            value={storeId}
            onChange={setStoreId}
            error={errors['/storeId']}
          />
        )}
      </div>
    </PanelForm>
  );
}
