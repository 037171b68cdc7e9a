// Registering a webhook endpoint: its URL, a description and the events it wants; then its
// signing secret, shown once.
import {
  CreateWebhookEndpointBodySchema,
  WEBHOOK_EVENT_TYPES,
  type WebhookEndpointWithSecret,
  type WebhookEventType,
} from '@couponscan/shared/webhooks';
import { useState } from 'react';
import { useCreateWebhookEndpoint } from '../api/webhooks.ts';
import { useFieldErrors } from '../hooks/use-field-errors.ts';
import { validate } from '../lib/validation.ts';
import { PanelForm, TextField } from './form.tsx';

const EVENT_LABELS: Record<WebhookEventType, string> = {
  'redemption.created': 'a coupon is redeemed',
  'redemption.reversed': 'a redemption is undone',
  'coupon.voided': 'a coupon is voided',
  'batch.finished': 'a batch finishes',
};

/** The secret, once: after this panel closes nobody can read it again. */
export function SecretOnce({
  endpoint,
  onDone,
}: {
  endpoint: WebhookEndpointWithSecret;
  onDone: () => void;
}) {
  return (
    <div className="panel" role="status" aria-labelledby="webhook-secret-title">
      <h3 id="webhook-secret-title">Signing secret for {endpoint.url}</h3>
      <p>
        Copy it into the receiver now: it is not shown again. The receiver checks the{' '}
        <code>Couponscan-Signature</code> header with it.
      </p>
      <p>
        <code aria-label="Signing secret" style={{ wordBreak: 'break-all' }}>
          {endpoint.secret}
        </code>
      </p>
      <button type="button" className="button" onClick={onDone}>
        I have copied it
      </button>
    </div>
  );
}

export function CreateEndpointForm({
  onCreated,
}: {
  onCreated: (e: WebhookEndpointWithSecret) => void;
}) {
  const create = useCreateWebhookEndpoint();
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [events, setEvents] = useState<WebhookEventType[]>([]);
  const fields = useFieldErrors();
  const { errors } = fields;

  const submit = () => {
    const body = { url: url.trim(), events, description: description.trim() };
    const found = validate(CreateWebhookEndpointBodySchema, body);
    if (found['/url'] !== undefined) found['/url'] = 'Enter an https:// URL.';
    if (events.length === 0) found['/events'] = 'Tick at least one event.';
    if (!fields.show(found)) return;
    create.mutate(body, {
      onSuccess: (endpoint) => {
        setUrl('');
        setDescription('');
        setEvents([]);
        onCreated(endpoint);
      },
      onError: fields.fromServer,
    });
  };

  return (
    <PanelForm
      title="New endpoint"
      onSubmit={submit}
      error={create.error}
      submitLabel="Add endpoint"
      busy={create.isPending}
    >
      <div className="field-row">
        <TextField
          label="URL"
          error={errors['/url']}
          hint="https://…; http:// only to localhost while developing."
          type="url"
          autoComplete="off"
          value={url}
          onChange={setUrl}
          maxLength={2000}
        />
        <TextField
          label="Description"
          error={errors['/description']}
          value={description}
          onChange={setDescription}
          maxLength={500}
        />
      </div>
      <fieldset className="fieldset">
        <legend>Events</legend>
        <div className="checkbox-list">
          {WEBHOOK_EVENT_TYPES.map((type) => (
            <label key={type} className="checkbox">
              <input
                type="checkbox"
                checked={events.includes(type)}
                onChange={(event) => {
                  setEvents((current) =>
                    event.target.checked ? [...current, type] : current.filter((t) => t !== type),
                  );
                }}
              />
              <code>{type}</code> <span className="muted">({EVENT_LABELS[type]})</span>
            </label>
          ))}
        </div>
        {errors['/events'] !== undefined && <p className="field-error">{errors['/events']}</p>}
      </fieldset>
    </PanelForm>
  );
}
