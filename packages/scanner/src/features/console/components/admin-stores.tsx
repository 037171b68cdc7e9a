// Administration: stores (create; rename and change the time zone of existing ones).
import {
  CreateStoreBodySchema,
  UpdateStoreBodySchema,
  type Store,
} from '@couponscan/shared/stores';
import { useState } from 'react';
import { useCreateStore, useUpdateStore } from '../api/admin.ts';
import { useStores } from '../api/campaigns.ts';
import { useFieldErrors } from '../hooks/use-field-errors.ts';
import { validate } from '../lib/validation.ts';
import { PanelForm, TextField } from './form.tsx';
import { TimeZoneSelect } from './time-zone-select.tsx';
import { DataRow, DataTable, ErrorNotice, Field, Loading, PageHeading } from './ui.tsx';

function CreateStoreForm() {
  const create = useCreateStore();
  const [code, setCode] = useState('');
  const [name, setName] = useState('');
  const [timeZone, setTimeZone] = useState(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
  const fields = useFieldErrors();
  const { errors } = fields;

  const submit = () => {
    const body = { code: code.trim(), name: name.trim(), timeZone };
    const found = validate(CreateStoreBodySchema, body);
    if (found['/code'] !== undefined) {
      found['/code'] = '2 to 32 letters, digits or dashes, starting with a letter or digit.';
    }
    if (!fields.show(found)) return;
    create.mutate(body, {
      onSuccess: () => {
        setCode('');
        setName('');
      },
      onError: fields.fromServer,
    });
  };

  return (
    <PanelForm
      title="New store"
      onSubmit={submit}
      error={create.error}
      submitLabel="Create store"
      busy={create.isPending}
    >
      <div className="field-row">
        <TextField
          label="Code"
          error={errors['/code']}
          hint="Short and unique, e.g. BERLIN-01."
          value={code}
          onChange={setCode}
          maxLength={32}
          autoCapitalize="characters"
        />
        <TextField
          label="Name"
          error={errors['/name']}
          value={name}
          onChange={setName}
          maxLength={200}
        />
        <Field label="Time zone" error={errors['/timeZone']}>
          {(props) => <TimeZoneSelect {...props} value={timeZone} onChange={setTimeZone} />}
        </Field>
      </div>
    </PanelForm>
  );
}

function StoreRow({ store }: { store: Store }) {
  const update = useUpdateStore();
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(store.name);
  const [timeZone, setTimeZone] = useState(store.timeZone);
  const fields = useFieldErrors();
  const { errors } = fields;

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
    if (!fields.show(validate(UpdateStoreBodySchema, body))) return;
    update.mutate(
      { id: store.id, body },
      {
        onSuccess: () => {
          setEditing(false);
        },
        onError: fields.fromServer,
      },
    );
  };
  return (
    <DataRow>
      <td className="code">{store.code}</td>
      <td>
        <TextField
          label={`Name of ${store.code}`}
          error={errors['/name']}
          value={name}
          onChange={setName}
          maxLength={200}
        />
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
