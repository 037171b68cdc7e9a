// Administration: users. Create with a role (and a store for staff), disable or enable (disabling
// ends their sessions at once), reset a password.
import { ROLES, type Role, type User } from '@couponscan/shared/auth';
import { CreateUserBodySchema, UpdateUserBodySchema } from '@couponscan/shared/users';
import { useState, type SubmitEvent } from 'react';
import { isApiError } from '../../../lib/api-client.ts';
import { useSignedInSession } from '../../../lib/session.tsx';
import { useCreateUser, useUpdateUser, useUsers } from '../api/admin.ts';
import { useStores } from '../api/campaigns.ts';
import { serverFieldErrors, validate, type FieldErrors } from '../lib/validation.ts';
import {
  ConfirmDialog,
  DataRow,
  DataTable,
  ErrorNotice,
  Field,
  Loading,
  PageHeading,
} from './ui.tsx';

function CreateUserForm() {
  const create = useCreateUser();
  const stores = useStores();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('staff');
  const [storeId, setStoreId] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [created, setCreated] = useState<User | null>(null);

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
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
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    create.mutate(body, {
      onSuccess: (user) => {
        setCreated(user);
        setEmail('');
        setName('');
        setPassword('');
      },
      onError: (error) => {
        if (isApiError(error)) setErrors(serverFieldErrors(error.problem.errors));
      },
    });
  };

  return (
    <form
      className="panel inline-form"
      noValidate
      onSubmit={submit}
      aria-labelledby="new-user-title"
    >
      <h2 id="new-user-title">New user</h2>
      <div className="field-row">
        <Field label="Email" error={errors['/email']}>
          {(props) => (
            <input
              {...props}
              type="email"
              autoComplete="off"
              value={email}
              onChange={(event) => {
                setEmail(event.target.value);
              }}
            />
          )}
        </Field>
        <Field label="Name" error={errors['/name']}>
          {(props) => (
            <input
              {...props}
              value={name}
              maxLength={200}
              onChange={(event) => {
                setName(event.target.value);
              }}
            />
          )}
        </Field>
        <Field
          label="Password"
          error={errors['/password']}
          hint="At least 10 characters; tell it to them in person."
        >
          {(props) => (
            <input
              {...props}
              type="password"
              autoComplete="new-password"
              value={password}
              onChange={(event) => {
                setPassword(event.target.value);
              }}
            />
          )}
        </Field>
        <Field label="Role" error={errors['/role']}>
          {(props) => (
            <select
              {...props}
              value={role}
              onChange={(event) => {
                setRole(event.target.value as Role);
              }}
            >
              {ROLES.map((value) => (
                <option key={value} value={value}>
                  {value}
                </option>
              ))}
            </select>
          )}
        </Field>
        {role === 'staff' && (
          <Field label="Store" error={errors['/storeId']}>
            {(props) => (
              <select
                {...props}
                value={storeId}
                onChange={(event) => {
                  setStoreId(event.target.value);
                }}
              >
                <option value="">Choose a store</option>
                {(stores.data ?? []).map((store) => (
                  <option key={store.id} value={store.id}>
                    {store.name} ({store.code})
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
      </div>
      <ErrorNotice error={create.error} title="Not created." />
      {created !== null && create.isSuccess && (
        <p className="success-notice" role="status">
          {created.name} can sign in now as {created.email}.
        </p>
      )}
      <button type="submit" className="button button--primary" disabled={create.isPending}>
        Create user
      </button>
    </form>
  );
}

type Asking = { kind: 'disable' | 'enable' | 'password'; user: User } | null;

export default function AdminUsers() {
  const me = useSignedInSession().user;
  const users = useUsers();
  const update = useUpdateUser();
  const [asking, setAsking] = useState<Asking>(null);
  const [password, setPassword] = useState('');
  const passwordError =
    asking?.kind === 'password' && password !== ''
      ? validate(UpdateUserBodySchema, { password })['/password']
      : undefined;

  const confirm = () => {
    if (asking === null) return;
    const body =
      asking.kind === 'password' ? { password } : { disabled: asking.kind === 'disable' };
    update.mutate(
      { id: asking.user.id, body },
      {
        onSuccess: () => {
          setAsking(null);
        },
      },
    );
  };

  return (
    <section className="console-page">
      <PageHeading title="Users">Users</PageHeading>
      <CreateUserForm />
      <ErrorNotice error={users.error} />
      {users.isPending && <Loading what="users" />}
      {users.data !== undefined && (
        <DataTable
          label="Users"
          columns={[
            { label: 'Name' },
            { label: 'Email' },
            { label: 'Role' },
            { label: 'Store' },
            { label: 'State' },
            { label: 'Actions', actions: true },
          ]}
        >
          {users.data.map((user) => (
            <DataRow key={user.id} data-user={user.email}>
              <th scope="row">{user.name}</th>
              <td>{user.email}</td>
              <td>{user.role}</td>
              <td>{user.storeName ?? '—'}</td>
              <td>
                {user.disabled ? <span className="badge badge--voided">disabled</span> : 'active'}
              </td>
              <td>
                <div className="actions-row">
                  {user.id !== me.id && (
                    <button
                      type="button"
                      className={`button button--small ${user.disabled ? '' : 'button--danger-outline'}`}
                      aria-label={`${user.disabled ? 'Enable' : 'Disable'} ${user.name}`}
                      onClick={() => {
                        update.reset();
                        setAsking({ kind: user.disabled ? 'enable' : 'disable', user });
                      }}
                    >
                      {user.disabled ? 'Enable' : 'Disable'}
                    </button>
                  )}
                  <button
                    type="button"
                    className="button button--small"
                    aria-label={`Reset password of ${user.name}`}
                    onClick={() => {
                      update.reset();
                      setPassword('');
                      setAsking({ kind: 'password', user });
                    }}
                  >
                    Reset password
                  </button>
                </div>
              </td>
            </DataRow>
          ))}
        </DataTable>
      )}
      {asking !== null && (
        <ConfirmDialog
          title={
            asking.kind === 'disable'
              ? `Disable ${asking.user.name}?`
              : asking.kind === 'enable'
                ? `Enable ${asking.user.name}?`
                : `New password for ${asking.user.name}`
          }
          confirmLabel={
            asking.kind === 'disable'
              ? 'Disable'
              : asking.kind === 'enable'
                ? 'Enable'
                : 'Set password'
          }
          danger={asking.kind !== 'enable'}
          busy={update.isPending}
          canConfirm={
            asking.kind !== 'password' || (password !== '' && passwordError === undefined)
          }
          onCancel={() => {
            setAsking(null);
          }}
          onConfirm={confirm}
        >
          {asking.kind === 'disable' && (
            <p>They are signed out everywhere at once and cannot sign in until enabled again.</p>
          )}
          {asking.kind === 'enable' && <p>They can sign in again with their password.</p>}
          {asking.kind === 'password' && (
            <>
              <p>Their sessions end at once; they sign in again with the new password.</p>
              <Field label="New password" error={passwordError} hint="At least 10 characters.">
                {(props) => (
                  <input
                    {...props}
                    type="password"
                    autoComplete="new-password"
                    value={password}
                    onChange={(event) => {
                      setPassword(event.target.value);
                    }}
                  />
                )}
              </Field>
            </>
          )}
          <ErrorNotice error={update.error} title="Not changed." />
        </ConfirmDialog>
      )}
    </section>
  );
}
