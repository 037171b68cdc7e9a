// Administration: stores (create; rename and change the time zone of existing ones).
import {
  CreateStoreBodySchema,
  UpdateStoreBodySchema,
  type Store,
} from '@couponscan/shared/stores';
import { useState, type SubmitEvent } from 'react';
import { isApiError } from '../../../lib/api-client.ts';
import { useCreateStore, useUpdateStore } from '../api/admin.ts';
import { useStores } from '../api/campaigns.ts';
import { serverFieldErrors, validate, type FieldErrors } from '../lib/validation.ts';
import { TimeZoneSelect } from './time-zone-select.tsx';
import { DataRow, DataTable, ErrorNotice, Field, Loading, PageHeading } from './ui.tsx';

function CreateStoreForm() {
  const create = useCreateStore();
  const [code, setCode] = useState('');
  const [name, setName] = useState('');
  const [timeZone, setTimeZone] = useState(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
  const [errors, setErrors] = useState<FieldErrors>({});

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const body = { code: code.trim(), name: name.trim(), timeZone };
    const found = validate(CreateStoreBodySchema, body);
    if (found['/code'] !== undefined) {
      found['/code'] = '2 to 32 letters, digits or dashes, starting with a letter or digit.';
    }
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    create.mutate(body, {
      onSuccess: () => {
        setCode('');
        setName('');
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
      aria-labelledby="new-store-title"
    >
      <h2 id="new-store-title">New store</h2>
      <div className="field-row">
        <Field label="Code" error={errors['/code']} hint="Short and unique, e.g. BERLIN-01.">
          {(props) => (
            <input
              {...props}
              value={code}
              maxLength={32}
              autoCapitalize="characters"
              onChange={(event) => {
                setCode(event.target.value);
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
        <Field label="Time zone" error={errors['/timeZone']}>
          {(props) => <TimeZoneSelect {...props} value={timeZone} onChange={setTimeZone} />}
        </Field>
      </div>
      <ErrorNotice error={create.error} title="Not created." />
      <button type="submit" className="button button--primary" disabled={create.isPending}>
        Create store
      </button>
    </form>
  );
}

function StoreRow({ store }: { store: Store }) {
  const update = useUpdateStore();
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(store.name);
  const [timeZone, setTimeZone] = useState(store.timeZone);
  const [errors, setErrors] = useState<FieldErrors>({});

  if (!editing) {
    return (
      <DataRow>
        <td className="code">{store.code}</td>
        <td>{store.name}</td>
        <td>{store.timeZone.replaceAll('_', ' ')}</td>
        <td>
          <button
            type="button"
            className="button button--small"
            aria-label={`Edit ${store.name}`}
            onClick={() => {
              setName(store.name);
              setTimeZone(store.timeZone);
              update.reset();
              setEditing(true);
            }}
          >
            Edit
          </button>
        </td>
      </DataRow>
    );
  }
  const save = () => {
    const body = {
      ...(name.trim() !== store.name ? { name: name.trim() } : {}),
      ...(timeZone !== store.timeZone ? { timeZone } : {}),
    };
    if (Object.keys(body).length === 0) {
      setEditing(false);
      return;
    }
    const found = validate(UpdateStoreBodySchema, body);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    update.mutate(
      { id: store.id, body },
      {
        onSuccess: () => {
          setEditing(false);
        },
        onError: (error) => {
          if (isApiError(error)) setErrors(serverFieldErrors(error.problem.errors));
        },
      },
    );
  };
  return (
    <DataRow>
      <td className="code">{store.code}</td>
      <td>
        <Field label={`Name of ${store.code}`} error={errors['/name']}>
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
      </td>
      <td>
        <Field label={`Time zone of ${store.code}`} error={errors['/timeZone']}>
          {(props) => <TimeZoneSelect {...props} value={timeZone} onChange={setTimeZone} />}
        </Field>
      </td>
      <td>
        <div className="actions-row">
          <button
            type="button"
            className="button button--small button--primary"
            onClick={save}
            disabled={update.isPending}
          >
            Save
          </button>
          <button
            type="button"
            className="button button--small"
            onClick={() => {
              setEditing(false);
            }}
          >
            Cancel
          </button>
        </div>
        <ErrorNotice error={update.error} title="Not saved." />
      </td>
    </DataRow>
  );
}

export default function AdminStores() {
  const stores = useStores();
  return (
    <section className="console-page">
      <PageHeading title="Stores">Stores</PageHeading>
      <CreateStoreForm />
      <ErrorNotice error={stores.error} />
      {stores.isPending && <Loading what="stores" />}
      {stores.data !== undefined && (
        <DataTable
          label="Stores"
          columns={[
            { label: 'Code' },
            { label: 'Name' },
            { label: 'Time zone' },
            { label: 'Actions', actions: true },
          ]}
        >
          {stores.data.map((store) => (
            <StoreRow key={store.id} store={store} />
          ))}
        </DataTable>
      )}
    </section>
  );
}
