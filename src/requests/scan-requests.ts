import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
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
}

export interface ScanOptions {
  defaults: RequestDefaults;
  /** Called for each valid request in input order, with its 0-based position among valid requests. */
  onRequest?: (request: CheckedRequest, seq: number, line: string) => Promise<void> | void;
  /** Called every `progressEvery` lines (e.g. to heartbeat). */
  onProgress?: (linesRead: number) => void;
  progressEvery?: number;
  maxProblemsKept?: number;
}

/**
 * Streams a JSONL file of requests, checking every line: JSON object, custom_id pattern and uniqueness, params.
 * Blank lines, CRLF and a UTF-8 byte-order mark are tolerated. Memory: the set of custom_ids, not the file.
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
  const check = requestLineChecker(options.defaults);
  const lines = createInterface({ input, crlfDelay: Infinity });
  for await (const raw of lines) {
    lineNumber += 1;
    if (lineNumber % every === 0) options.onProgress?.(lineNumber);
    const line = lineNumber === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
    if (line.trim().length === 0) continue;
    const checked = check(line);
    if (!checked.ok) {
      problem(lineNumber, checked.problem);
      continue;
    }
    const { customId } = checked.request;
    const firstLine = seen.firstLineOf(customId, lineNumber);
    if (firstLine !== undefined) {
      problem(lineNumber, `duplicate custom_id ${JSON.stringify(customId)} (first used on line ${firstLine})`);
      continue;
    }
    // Once the file is known to be bad, nothing further is written: the caller throws the report away.
    if (problemCount === 0) {
      const pending = options.onRequest?.(checked.request, requests, line);
      if (pending) await pending;
    }
    requests += 1;
  }
  if (requests === 0 && problemCount === 0) problem(0, 'the file has no requests');
  return { requests, problems, problemCount };
}

/** One readable message listing the problems, their lines and how many more there are. */
export function describeProblems(file: string, report: ScanReport): string {
  const lines = report.problems.map((p) => (p.line > 0 ? `  line ${p.line}: ${p.problem}` : `  ${p.problem}`));
  const more = report.problemCount - report.problems.length;
  const header = `${file}: ${report.problemCount} problem${report.problemCount === 1 ? '' : 's'} found; no batch was created`;
  return [header, ...lines, ...(more > 0 ? [`  ... and ${more} more`] : [])].join('\n');
}
