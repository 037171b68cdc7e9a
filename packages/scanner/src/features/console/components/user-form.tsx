// The "New user" form: a role, and a store for staff; the password is told to them in person.
import { ROLES, type Role, type User } from '@couponscan/shared/auth';
import { CreateUserBodySchema } from '@couponscan/shared/users';
import { useState } from 'react';
import { useCreateUser } from '../api/admin.ts';
import { useStores } from '../api/campaigns.ts';
import { useFieldErrors } from '../hooks/use-field-errors.ts';
import { validate } from '../lib/validation.ts';
import { PanelForm, SelectField, StoreSelectField, TextField } from './form.tsx';

export function CreateUserForm() {
  const create = useCreateUser();
  const stores = useStores();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('staff');
  const [storeId, setStoreId] = useState('');
  const fields = useFieldErrors();
  const { errors } = fields;
  const [created, setCreated] = useState<User | null>(null);

  const submit = () => {
    const body = {
      email: email.trim(),
      name: name.trim(),
      password,
      role,
      storeId: role === 'staff' ? storeId || null : null,
    };
    const found = validate(CreateUserBodySchema, body);
    if (role === 'staff' && storeId === '')
      found['/storeId'] = 'Staff work in one store: choose it.';
    if (!fields.show(found)) return;
    create.mutate(body, {
      onSuccess: (user) => {
        setCreated(user);
        setEmail('');
        setName('');
        setPassword('');
      },
      onError: fields.fromServer,
    });
  };

  return (
    <PanelForm
      title="New user"
      onSubmit={submit}
      error={create.error}
      status={
        created !== null &&
        create.isSuccess && (
          <p className="success-notice" role="status">
            {created.name} can sign in now as {created.email}.
          </p>
        )
      }
      submitLabel="Create user"
      busy={create.isPending}
    >
      <div className="field-row">
        <TextField
          label="Email"
          error={errors['/email']}
          type="email"
          autoComplete="off"
          value={email}
          onChange={setEmail}
        />
        <TextField
          label="Name"
          error={errors['/name']}
          value={name}
          onChange={setName}
          maxLength={200}
        />
        <TextField
          label="Password"
          error={errors['/password']}
          hint="At least 10 characters; tell it to them in person."
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={setPassword}
        />
        <SelectField
          label="Role"
          error={errors['/role']}
          value={role}
          onChange={setRole}
          choices={ROLES.map((value) => [value, value] as const)}
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
