import { isUtf8 } from 'node:buffer';
import type { Readable } from 'node:stream';
import type { ModelCatalogue } from '../models/catalogue';
// Also makes this process price with the user's catalogue file (CLAUDE_BATCH_MODELS), if one is set.
import { catalogueFromEnv } from '../models/load-catalogue';
import type { RequestDefaults } from '../shared/job';
import { CustomIdIndex } from './custom-id-index';
import { requestLineChecker, type CheckedRequest } from './request-line';

export interface RequestProblem {
  line: number;
  problem: string;
}

export interface ScanReport {
  /** Valid, unique requests seen. */
  requests: number;
  /** Problems in line order: the first `maxProblemsKept`, plus the total count. */
  problems: RequestProblem[];
  problemCount: number;
  /** Valid requests whose model the catalogue does not know (so no price, no limits), by model, in first-seen order. */
  unknownModels: UnknownModel[];
}

export interface UnknownModel {
  model: string;
  requests: number;
  firstLine: number;
}

export interface ScanOptions {
  defaults: RequestDefaults;
  /**
   * Called for each valid request in input order, with its 0-based position among valid requests and its 1-based
   * line number in the file.
   */
  onRequest?: (request: CheckedRequest, seq: number, line: string, lineNumber: number) => Promise<void> | void;
  /** Called every `progressEvery` lines (e.g. to heartbeat). */
  onProgress?: (linesRead: number) => void;
  progressEvery?: number;
  maxProblemsKept?: number;
  /** The models requests are checked against (default: the process's catalogue, with CLAUDE_BATCH_MODELS's file). */
  catalogue?: ModelCatalogue;
  /**
   * A model not in the catalogue: 'allow' (default; the job sends it, counted in `unknownModels`) or 'problem'
   * (`validate`). A retired model and `max_tokens` above the model's max output are always problems.
   */
  unknownModels?: 'problem' | 'allow';
}

/**
 * Streams a JSONL file of requests, checking every line: UTF-8 text, JSON object, custom_id pattern and uniqueness,
 * params, and the model against the catalogue (retired, max_tokens over its max output, unknown if asked). Blank lines, CRLF and a UTF-8 byte-order mark are tolerated. Memory: the set of custom_ids, not the file.
 */
export async function scanRequests(input: Readable, options: ScanOptions): Promise<ScanReport> {
  const keep = options.maxProblemsKept ?? 20;
  const every = options.progressEvery ?? 10_000;
  const seen = new CustomIdIndex();
  const problems: RequestProblem[] = [];
  let problemCount = 0;
  let lineNumber = 0;
  let requests = 0;
  const problem = (line: number, text: string) => {
    problemCount += 1;
    if (problems.length < keep) problems.push({ line, problem: text });
  };
  // A broken CLAUDE_BATCH_MODELS file fails here for good: nothing has been sent yet.
  const catalogue = options.catalogue ?? catalogueFromEnv();
  const check = requestLineChecker(options.defaults, {
    catalogue,
    unknownModels: options.unknownModels ?? 'allow',
  });
  const unknownModels = new Map<string, UnknownModel>();

  /** One line's checks; synchronous unless the caller's onRequest has to wait (then its promise). */
  const visit = (raw: string | undefined): Promise<void> | void => {
    lineNumber += 1;
    if (lineNumber % every === 0) options.onProgress?.(lineNumber);
    if (raw === undefined) {
      problem(lineNumber, 'not valid UTF-8 text (save the file as UTF-8)');
      return;
    }
    const line = lineNumber === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
    if (line.trim().length === 0) return;
    const checked = check(line);
    if (!checked.ok) {
      problem(lineNumber, checked.problem);
      return;
    }
    const { customId } = checked.request;
    const firstLine = seen.firstLineOf(customId, lineNumber);
    if (firstLine !== undefined) {
      problem(lineNumber, `duplicate custom_id ${JSON.stringify(customId)} (first used on line ${firstLine})`);
      return;
    }
    const seq = requests;
    requests += 1;
    const { model } = checked.request.params;
    if (!catalogue.find(model)) {
      const tally = unknownModels.get(model);
      if (tally) tally.requests += 1;
      else unknownModels.set(model, { model, requests: 1, firstLine: lineNumber });
    }
    // Once the file is known to be bad, nothing further is written: the caller throws the report away.
    if (problemCount === 0) return options.onRequest?.(checked.request, seq, line, lineNumber);
  };

  // Lines are cut from the bytes rather than by readline, so each can be checked as UTF-8 before it is decoded (the
  // decoder would silently turn bad bytes into U+FFFD, and those would be sent). The check runs once over all the
  // whole lines of a read, and line by line only in a read that failed it.
  let partial: Buffer[] = [];
  for await (const read of input as AsyncIterable<Buffer | string>) {
    const bytes = typeof read === 'string' ? Buffer.from(read) : read;
    let start = 0;
    let end = bytes.indexOf(10);
    if (end === -1) {
      partial.push(bytes);
      continue;
    }
    if (partial.length > 0) {
      const joined = Buffer.concat([...partial, bytes.subarray(0, end)]);
      partial = [];
      const pending = visit(textOf(joined, 0, joined.length));
      if (pending) await pending;
      start = end + 1;
      end = bytes.indexOf(10, start);
    }
    const lastEnd = bytes.lastIndexOf(10);
    const allValid = lastEnd < start || isUtf8(bytes.subarray(start, lastEnd));
    for (; end !== -1; end = bytes.indexOf(10, start)) {
      const pending = visit(
        allValid ? bytes.toString('utf8', start, withoutCr(bytes, start, end)) : textOf(bytes, start, end),
      );
      if (pending) await pending;
      start = end + 1;
    }
    if (start < bytes.length) partial.push(bytes.subarray(start));
  }
  if (partial.length > 0) {
    const joined = Buffer.concat(partial);
    const pending = visit(textOf(joined, 0, joined.length));
    if (pending) await pending;
  }
  if (requests === 0 && problemCount === 0) problem(0, 'the file has no requests');
  return { requests, problems, problemCount, unknownModels: [...unknownModels.values()] };
}

/** The end of a line's text before its CR, if it has one. */
function withoutCr(bytes: Buffer, start: number, end: number): number {
  return end > start && bytes[end - 1] === 13 ? end - 1 : end;
}

/** The line's text, or undefined if its bytes are not UTF-8. */
function textOf(bytes: Buffer, start: number, end: number): string | undefined {
  const stop = withoutCr(bytes, start, end);
  return isUtf8(bytes.subarray(start, stop)) ? bytes.toString('utf8', start, stop) : undefined;
}

/** One readable message listing the problems, their lines and how many more there are. */
export function describeProblems(file: string, report: ScanReport): string {
  const lines = report.problems.map((p) => (p.line > 0 ? `  line ${p.line}: ${p.problem}` : `  ${p.problem}`));
  const more = report.problemCount - report.problems.length;
  const header = `${file}: ${report.problemCount} problem${report.problemCount === 1 ? '' : 's'} found; no batch was created`;
  return [header, ...lines, ...(more > 0 ? [`  ... and ${more} more`] : [])].join('\n');
}
