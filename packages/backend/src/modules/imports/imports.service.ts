// Importing existing codes from a CSV upload: streamed line by line into a staging table, checked
// as a whole, and inserted only when every line is good.
import { pipeline, type Readable } from 'node:stream';
import type { Batch } from '@couponscan/shared/batches';
import {
  compactCode,
  IMPORTED_MAX_LENGTH,
  IMPORTED_MIN_LENGTH,
  looksGenerated,
} from '@couponscan/shared/code';
import { MAX_GUESS_PROBABILITY } from '@couponscan/shared/batches';
import {
  IMPORT_MIN_CODE_LENGTH,
  importGuessProbability,
  IMPORT_MAX_LINES,
  IMPORT_MAX_REPORTED_LINES,
  type ImportLineError,
  type ImportLineProblem,
} from '@couponscan/shared/imports';
import { CsvError, parse } from 'csv-parse';
import type { Database } from '../../db/database.ts';
import { HttpProblem } from '../../lib/http-problem.ts';
import type { AuthUser } from '../auth/auth.service.ts';
import { toBatch } from '../batches/batches.mapper.ts';
import { insertBatch, markBatchSucceeded } from '../batches/batches.repository.ts';
import { campaignOpenForIssuing } from '../campaigns/campaigns.service.ts';
import {
  createImportStaging,
  findImportProblems,
  insertImportedCoupons,
  stageImportLines,
  type StagedLine,
} from './imports.repository.ts';

/** Lines per staging INSERT. */
const STAGE_CHUNK = 10_000;
const IMPORTED_CODE = new RegExp(`^[A-Z0-9]{${IMPORTED_MIN_LENGTH},${IMPORTED_MAX_LENGTH}}$`);

/** The shared rules: upper-case, no spaces or dashes, 4–64 letters and digits, not our shape. */
export function judgeImportedCode(raw: string): {
  code: string | null;
  problem: ImportLineProblem | null;
} {
  const code = compactCode(raw.trim());
  if (!IMPORTED_CODE.test(code)) return { code: null, problem: 'malformed' };
  if (code.length < IMPORT_MIN_CODE_LENGTH) return { code: null, problem: 'too_short' };
  if (looksGenerated(code)) return { code: null, problem: 'looks_generated' };
  return { code, problem: null };
}

/** What a guesser learns from a file's codes: their alphabet and the shortest length. */
class ImportedCodeSpace {
  private digits = false;
  private letters = false;
  private shortest = Number.POSITIVE_INFINITY;

  add(code: string): void {
    if (/[0-9]/.test(code)) this.digits = true;
    if (/[A-Z]/.test(code)) this.letters = true;
    this.shortest = Math.min(this.shortest, code.length);
  }

  /** 422 code_space_too_small when one random guess would hit a code too likely. */
  assertLargeEnough(count: number): void {
    const alphabet = (this.digits ? 10 : 0) + (this.letters ? 26 : 0);
    const chance = importGuessProbability(count, alphabet, this.shortest);
    if (chance < MAX_GUESS_PROBABILITY) return;
    throw new HttpProblem(
      422,
      'code_space_too_small',
      `${count} codes of ${this.shortest} characters from ${alphabet} possible ones: a single ` +
        `random guess would hit one with a chance of ${chance.toExponential(1)}, and it must ` +
        `stay below ${MAX_GUESS_PROBABILITY}. Use longer codes, or letters and digits.`,
      { guessProbability: chance, maxGuessProbability: MAX_GUESS_PROBABILITY },
    );
  }
}

function invalid(detail: string, extensions: Record<string, unknown> = {}): HttpProblem {
  return new HttpProblem(422, 'import_invalid', detail, extensions);
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === '23505';
}

/**
 * One code per record, in the first column or in a column headed `code`. A header is
 * recognised by that name; every other first line is a code.
 */
export async function importCoupons(
  db: Database,
  user: AuthUser,
  campaignId: string,
  file: Readable,
): Promise<Batch> {
  // judged before the upload is read, and again, locked, just before the coupons are inserted
  // (not for the whole upload: a slow one would hold up every change to the campaign)
  const campaign = await campaignOpenForIssuing(db, campaignId);

  const upload = { aborted: false };
  const space = new ImportedCodeSpace();
  try {
    return await db.transaction().execute(async (trx) => {
      await createImportStaging(trx);
      const parser = parse({
        bom: true,
        skip_empty_lines: true,
        relax_column_count: true,
        info: true,
        // a code has at most 64 characters: a huge record is not a list of codes
        max_record_size: 4096,
      });
      // pipeline, not pipe: an upload the client abandons half-way errors the parser, so the
      // loop below throws, the transaction rolls back and its connection goes back to the pool
      // at once (with pipe the loop waited forever, idle in transaction)
      pipeline(file, parser, (error) => {
        if (error !== null) upload.aborted = true;
      });
      let column = 0;
      let count = 0;
      let first = true;
      let chunk: StagedLine[] = [];
      for await (const { record, info } of parser as AsyncIterable<{
        record: string[];
        info: { lines: number };
      }>) {
        if (first) {
          first = false;
          const header = record.findIndex((cell) => cell.trim().toLowerCase() === 'code');
          if (header >= 0) {
            column = header;
            continue;
          }
        }
        count += 1;
        if (count > IMPORT_MAX_LINES) {
          throw invalid(`A file holds at most ${IMPORT_MAX_LINES} codes; split it.`);
        }
        // PostgreSQL text cannot hold NUL (22021); the line is refused as malformed anyway
        const raw = (record[column] ?? '').replaceAll('\u0000', '\uFFFD');
        const judged = judgeImportedCode(raw);
        if (judged.code !== null) space.add(judged.code);
        chunk.push({ line: info.lines, raw, ...judged });
        if (chunk.length >= STAGE_CHUNK) {
          await stageImportLines(trx, chunk);
          chunk = [];
        }
      }
      if (chunk.length > 0) await stageImportLines(trx, chunk);
      if (count === 0) throw invalid('The file has no codes.');

      const problems = await findImportProblems(trx, IMPORT_MAX_REPORTED_LINES);
      if (problems.total > 0) {
        const lines: ImportLineError[] = problems.rows.map((row) => ({
          line: row.line,
          value: row.value,
          problem: row.problem,
          ...(row.first_line === null ? {} : { firstLine: row.first_line }),
        }));
        throw invalid(
          `${problems.total} of ${count} lines are not valid; nothing was imported. ` +
            `The first: line ${String(lines[0]?.line)} (${String(lines[0]?.problem)}).`,
          { invalidLines: problems.total, lines },
        );
      }

      space.assertLargeEnough(count);
      await campaignOpenForIssuing(trx, campaign.id);
      const batch = await insertBatch(trx, {
        campaign_id: campaign.id,
        source: 'imported',
        count,
        prefix: null,
        created_by: user.id,
        status: 'running',
      });
      await insertImportedCoupons(trx, {
        id: batch.id,
        campaignId: campaign.id,
        maxRedemptions: campaign.max_redemptions_per_coupon,
      });
      const done = await markBatchSucceeded(trx, batch.id, count);
      if (done === undefined) throw new Error('the import batch vanished');
      return toBatch(done);
    });
  } catch (error) {
    if (upload.aborted && !(error instanceof HttpProblem) && !(error instanceof CsvError)) {
      throw new HttpProblem(400, 'malformed_request', 'The upload ended before the file did.');
    }
    if (error instanceof CsvError) {
      throw invalid(`The file is not valid CSV: ${error.message}`, {
        invalidLines: 1,
        ...('lines' in error && typeof error.lines === 'number' ? { line: error.lines } : {}),
      });
    }
    // the same code was issued by someone else between our check and our insert
    if (isUniqueViolation(error)) {
      throw new HttpProblem(409, 'conflict', 'A code of the file was issued meanwhile; try again.');
    }
    throw error;
  }
}
