// Import existing codes from a CSV, with the server's line-by-line report when it refuses the
// file (nothing is imported then).
import { IMPORT_MIN_CODE_LENGTH, type ImportLineError } from '@couponscan/shared/imports';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { ApiError } from '../../../lib/api-client.ts';
import { batchKeys } from '../api/batches.ts';
import { couponKeys, importCoupons } from '../api/coupons.ts';
import { DataRow, DataTable, ErrorNotice, Field, formatCount } from './ui.tsx';

const PROBLEM_WORDS: Record<ImportLineError['problem'], string> = {
  malformed: 'not 4–64 letters and digits',
  too_short: `shorter than ${IMPORT_MIN_CODE_LENGTH} characters: too easy to guess`,
  looks_generated: 'looks like one of our generated codes',
  duplicate_in_file: 'repeats an earlier line',
  exists: 'a coupon with this code exists already',
};

export function ImportCoupons({ campaignId }: { campaignId: string }) {
  const queryClient = useQueryClient();
  const file = useRef<HTMLInputElement>(null);
  const [chosen, setChosen] = useState<File | null>(null);
  const upload = useMutation({
    mutationFn: (csv: File) => importCoupons(campaignId, csv),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: couponKeys.campaign(campaignId) }),
        queryClient.invalidateQueries({ queryKey: batchKeys.campaign(campaignId) }),
        queryClient.invalidateQueries({ queryKey: ['campaigns'] }),
      ]),
  });
  const report =
    upload.error instanceof ApiError && upload.error.code === 'import_invalid'
      ? {
          lines: (upload.error.problem.lines ?? []) as ImportLineError[],
          total: Number(upload.error.problem.invalidLines ?? 0),
        }
      : null;

  return (
    <section className="panel" aria-labelledby="import-title">
      <h2 id="import-title">Import existing codes</h2>
      <p className="muted">
        A CSV file with one code per line, or a column headed <span className="code">code</span>.
        All or nothing: if any line is wrong, nothing is imported and every bad line is listed.
      </p>
      <form
        className="import-form"
        onSubmit={(event) => {
          event.preventDefault();
          if (chosen !== null) upload.mutate(chosen);
        }}
      >
        <Field label="CSV file">
          {(props) => (
            <input
              {...props}
              ref={file}
              type="file"
              accept=".csv,text/csv,text/plain"
              onChange={(event) => {
                upload.reset();
                setChosen(event.target.files?.[0] ?? null);
              }}
            />
          )}
        </Field>
        <button type="submit" className="button" disabled={chosen === null || upload.isPending}>
          {upload.isPending ? 'Importing…' : 'Import codes'}
        </button>
      </form>
      {upload.isSuccess && (
        <p className="success-notice" role="status">
          Imported {formatCount(upload.data.count)} codes.
        </p>
      )}
      {upload.isError && <ErrorNotice error={upload.error} title="Nothing imported." />}
      {report !== null && report.lines.length > 0 && (
        <DataTable
          label="Lines refused"
          caption={
            <>
              {formatCount(report.total)} lines refused
              {report.total > report.lines.length
                ? ` (the first ${formatCount(report.lines.length)} shown)`
                : ''}
            </>
          }
          columns={[{ label: 'Line', numeric: true }, { label: 'Value' }, { label: 'Problem' }]}
        >
          {report.lines.map((line) => (
            <DataRow key={line.line}>
              <td className="num">{line.line}</td>
              <td className="code code--wrap">{line.value}</td>
              <td>
                {PROBLEM_WORDS[line.problem]}
                {line.firstLine !== undefined ? ` (line ${line.firstLine})` : ''}
              </td>
            </DataRow>
          ))}
        </DataTable>
      )}
    </section>
  );
}
