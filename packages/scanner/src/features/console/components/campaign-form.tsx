// Create or edit a campaign. The body is checked with the API's own TypeBox schema (and the
// discount rules the API applies) before anything is sent; what the server refuses anyway is shown
// with its own words, next to the field it names.
import type { CampaignDetail, CreateCampaignBody } from '@couponscan/shared/campaigns';
import { useState, type SubmitEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useCampaign, useCreateCampaign, useUpdateCampaign } from '../api/campaigns.ts';
import { useFieldErrors } from '../hooks/use-field-errors.ts';
import { viewerTimeZone } from '../lib/zoned-dates.ts';
import {
  checkCampaign,
  createBodyOf,
  initialValues,
  updateBodyOf,
  type CampaignFormValues,
} from '../lib/campaign-form-values.ts';
import {
  DiscountFields,
  StoreFields,
  ValidityFields,
  type SetValue,
} from './campaign-form-fields.tsx';
import { TextField } from './form.tsx';
import { ErrorNotice, Loading, PageHeading } from './ui.tsx';

export function CampaignForm() {
  const { campaignId } = useParams();
  if (campaignId === undefined) return <CampaignFormScreen campaign={undefined} />;
  return <EditCampaign id={campaignId} />;
}

function EditCampaign({ id }: { id: string }) {
  const campaign = useCampaign(id);
  if (campaign.isPending) return <Loading what="the campaign" />;
  if (campaign.isError) return <ErrorNotice error={campaign.error} />;
  return <CampaignFormScreen campaign={campaign.data} />;
}

function CampaignFormScreen({ campaign }: { campaign: CampaignDetail | undefined }) {
  const mode = campaign === undefined ? 'create' : 'edit';
  const navigate = useNavigate();
  const [initial] = useState(() => initialValues(campaign, viewerTimeZone()));
  const [values, setValues] = useState(initial);
  const fields = useFieldErrors();
  const { errors } = fields;
  const [submitted, setSubmitted] = useState(false);
  const create = useCreateCampaign();
  const update = useUpdateCampaign(campaign?.id ?? '');
  const saving = create.isPending || update.isPending;
  const failure = mode === 'create' ? create.error : update.error;
  const set: SetValue = <K extends keyof CampaignFormValues>(
    key: K,
    value: CampaignFormValues[K],
  ) => {
    const next = { ...values, [key]: value };
    setValues(next);
    // once a marketer tried to save, errors follow the typing
    if (submitted)
      fields.show(
        checkCampaign(
          next,
          mode === 'create' ? createBodyOf(next) : updateBodyOf(initial, next),
          mode,
        ),
      );
  };

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    setSubmitted(true);
    const body = mode === 'create' ? createBodyOf(values) : updateBodyOf(initial, values);
    const found = checkCampaign(
      values,
      mode === 'create' ? body : { ...body, name: values.name.trim() },
      mode,
    );
    if (!fields.show(found)) {
      // the first field in error gets the focus, so a keyboard or screen-reader user lands there
      requestAnimationFrame(() => {
        document.querySelector<HTMLElement>('.console form [aria-invalid="true"]')?.focus();
      });
      return;
    }
    if (mode === 'create') {
      create.mutate(body as CreateCampaignBody, {
        onSuccess: (created) => {
          void navigate(`/console/campaigns/${created.id}`);
        },
        onError: fields.fromServer,
      });
    } else if (Object.keys(body).length === 0) {
      void navigate(`/console/campaigns/${campaign?.id ?? ''}`);
    } else {
      update.mutate(body, {
        onSuccess: () => {
          void navigate(`/console/campaigns/${campaign?.id ?? ''}`);
        },
        onError: fields.fromServer,
      });
    }
  };

  const title = mode === 'create' ? 'New campaign' : `Edit ${campaign?.name ?? ''}`;

  return (
    <section className="console-page">
      {mode === 'create' ? (
        <PageHeading title={title}>New campaign</PageHeading>
      ) : (
        <h2 className="section-title">Edit the campaign</h2>
      )}
      <form className="campaign-form" noValidate onSubmit={submit} aria-label={title}>
        <TextField
          label="Name"
          error={errors['/name']}
          hint="Staff see it at the till when they scan."
          value={values.name}
          maxLength={200}
          autoComplete="off"
          onChange={(name) => {
            set('name', name);
          }}
        />

        <DiscountFields values={values} set={set} errors={errors} />

        {mode === 'create' && (
          <TextField
            label="Redemptions per coupon"
            error={errors['/maxRedemptionsPerCoupon']}
            hint="1: each coupon can be used once."
            inputMode="numeric"
            value={values.maxRedemptionsPerCoupon}
            onChange={(count) => {
              set('maxRedemptionsPerCoupon', count);
            }}
          />
        )}

        <ValidityFields values={values} set={set} errors={errors} />

        <StoreFields values={values} set={set} errors={errors} />

        <ErrorNotice error={failure} title="Not saved." />
        <div className="form-actions">
          <button type="submit" className="button button--primary" disabled={saving}>
            {saving ? 'Saving…' : mode === 'create' ? 'Create campaign' : 'Save changes'}
          </button>
          <Link
            className="button"
            to={campaign === undefined ? '/console/campaigns' : `/console/campaigns/${campaign.id}`}
          >
            Cancel
          </Link>
        </div>
      </form>
    </section>
  );
}
