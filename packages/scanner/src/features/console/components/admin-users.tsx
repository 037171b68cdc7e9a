// Administration: users. Create with a role (and a store for staff), disable or enable (disabling
// ends their sessions at once), reset a password.
import type { User } from '@couponscan/shared/auth';
import { UpdateUserBodySchema } from '@couponscan/shared/users';
import { useState } from 'react';
import { useSignedInSession } from '../../../lib/session.tsx';
import { useUpdateUser, useUsers } from '../api/admin.ts';
import { useAsking } from '../hooks/use-asking.ts';
import { validate } from '../lib/validation.ts';
import { ConfirmAction, EnableToggle, TextField, type ConfirmWording } from './form.tsx';
import { DataRow, DataTable, ErrorNotice, Loading, PageHeading } from './ui.tsx';
import { CreateUserForm } from './user-form.tsx';

type Action = 'disable' | 'enable' | 'password';

const WORDING: Record<Action, ConfirmWording<User>> = {
  disable: {
    title: (user) => `Disable ${user.name}?`,
    confirmLabel: 'Disable',
    danger: true,
    explanation: (
      <p>They are signed out everywhere at once and cannot sign in until enabled again.</p>
    ),
  },
  enable: {
    title: (user) => `Enable ${user.name}?`,
    confirmLabel: 'Enable',
    danger: false,
    explanation: <p>They can sign in again with their password.</p>,
  },
  password: {
    title: (user) => `New password for ${user.name}`,
    confirmLabel: 'Set password',
    danger: true,
    explanation: <p>Their sessions end at once; they sign in again with the new password.</p>,
  },
};

export default function AdminUsers() {
  const me = useSignedInSession().user;
  const users = useUsers();
  const update = useUpdateUser();
  const { asking, ask, close } = useAsking<{ action: Action; user: User }>(update);
  const [password, setPassword] = useState('');
  const passwordError =
    asking?.action === 'password' && password !== ''
      ? validate(UpdateUserBodySchema, { password })['/password']
      : undefined;

  const confirm = () => {
    if (asking === null) return;
    const body =
      asking.action === 'password' ? { password } : { disabled: asking.action === 'disable' };
    update.mutate({ id: asking.user.id, body }, { onSuccess: close });
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
                    <EnableToggle
                      disabled={user.disabled}
                      name={user.name}
                      onClick={() => {
                        ask({ action: user.disabled ? 'enable' : 'disable', user });
                      }}
                    />
                  )}
                  <button
                    type="button"
                    className="button button--small"
                    aria-label={`Reset password of ${user.name}`}
                    onClick={() => {
                      setPassword('');
                      ask({ action: 'password', user });
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
        <ConfirmAction
          wording={WORDING[asking.action]}
          subject={asking.user}
          busy={update.isPending}
          error={update.error}
          canConfirm={
            asking.action !== 'password' || (password !== '' && passwordError === undefined)
          }
          onCancel={close}
          onConfirm={confirm}
        >
          {asking.action === 'password' && (
            <TextField
              label="New password"
              error={passwordError}
              hint="At least 10 characters."
              type="password"
              autoComplete="new-password"
              value={password}
              onChange={setPassword}
            />
          )}
        </ConfirmAction>
      )}
    </section>
  );
}
