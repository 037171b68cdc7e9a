// Importing existing codes from CSV: all or nothing, with every bad line reported.
import { Type, type Static } from '@sinclair/typebox';
import { BatchSchema } from './batches.ts';

export const IMPORT_MAX_LINES = 1_000_000;
/** Bad lines listed in one answer; `invalidLines` counts them all. */
export const IMPORT_MAX_REPORTED_LINES = 1000;

/**
 * Imported codes are refused below this length (a 4-character code is guessed in
 * minutes). Scanning still accepts 4–64 characters, for codes imported before the rule.
 */
export const IMPORT_MIN_CODE_LENGTH = 8;

/**
 * The chance that one random guess hits one of `count` imported codes, counted as a guesser who
 * knows the file's alphabet (digits 10, letters 26, both 36) and shortest length would. Refused
 * at MAX_GUESS_PROBABILITY like generated batches.
 */
export function importGuessProbability(
  count: number,
  alphabetSize: number,
  shortestLength: number,
): number {
  return count / alphabetSize ** shortestLength;
}

export const IMPORT_LINE_PROBLEMS = [
  /** shorter than IMPORT_MIN_CODE_LENGTH characters */
  'too_short',
  /** not 4–64 letters and digits after normalising */
  'malformed',
  /** has the shape of one of our generated codes, so scanners could not tell them apart */
  'looks_generated',
  /** the same code (after normalising) appears on an earlier line */
  'duplicate_in_file',
  /** a coupon with this code exists already */
  'exists',
] as const;
export type ImportLineProblem = (typeof IMPORT_LINE_PROBLEMS)[number];

export const ImportLineErrorSchema = Type.Object({
  /** 1-based line number in the uploaded file (the header is line 1 when there is one). */
  line: Type.Integer(),
  /** The text as uploaded. */
  value: Type.String(),
  problem: Type.Union(IMPORT_LINE_PROBLEMS.map((p) => Type.Literal(p))),
  /** For duplicates within the file: the line it repeats. */
  firstLine: Type.Optional(Type.Integer()),
});
export type ImportLineError = Static<typeof ImportLineErrorSchema>;

/** 201: the batch that holds the imported coupons. */
export const ImportResultSchema = Type.Object({ batch: BatchSchema });
export type ImportResult = Static<typeof ImportResultSchema>;
