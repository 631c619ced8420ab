// Pure resolution of a job's options from its input: used by the workflow (deterministic) and the CLI.
import { msToNumber } from '@temporalio/common/lib/time';
import {
  API_MAX_BATCH_BYTES,
  API_MAX_REQUESTS_PER_BATCH,
  JOB_DEFAULTS,
  type BatchJobInput,
  type JobOptions,
  type RetryableOutcome,
} from './job';

const RETRYABLE: readonly RetryableOutcome[] = [
  'expired',
  'invalid_request_error',
  'authentication_error',
  'billing_error',
  'permission_error',
  'not_found_error',
  'rate_limit_error',
  'timeout_error',
  'overloaded_error',
  'api_error',
];

/** A problem with the job's input itself (not with the requests file). */
export class JobInputError extends Error {
  override name = 'JobInputError';
}

function positiveInt(value: unknown, what: string, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new JobInputError(`${what} must be a whole number from 1 to ${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function duration(value: string | number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  let ms: number;
  try {
    ms = msToNumber(value as Parameters<typeof msToNumber>[0]);
  } catch {
    throw new JobInputError(`${what} is not a duration: ${JSON.stringify(value)}`);
  }
  if (!(ms > 0)) throw new JobInputError(`${what} must be positive, got ${JSON.stringify(value)}`);
  return ms;
}

/**
 * `file:///a/b.jsonl`, `file://localhost/a/b.jsonl` or `/a/b.jsonl` → `/a/b.jsonl`, percent-escapes decoded. Pure
 * string work (no `node:url`): the workflow sandbox resolves its input with it too.
 */
export function uriToPath(uri: string): string {
  if (!/^file:/i.test(uri)) return uri;
  const rest = uri.slice('file:'.length);
  let path: string;
  if (rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2);
    const host = rest.slice(2, slash === -1 ? rest.length : slash);
    if (host.length > 0 && host.toLowerCase() !== 'localhost') {
      throw new JobInputError(
        `${uri}: only local file URIs are read (file:///path or file://localhost/path), not ones on host ${JSON.stringify(host)}`,
      );
    }
    path = slash === -1 ? '/' : rest.slice(slash);
  } else if (rest.startsWith('/')) {
    path = rest;
  } else {
    throw new JobInputError(`${uri}: a file URI needs an absolute path (file:///path)`);
  }
  if (/[?#]/.test(path)) {
    throw new JobInputError(`${uri}: a file URI's path must percent-encode "?" and "#" (%3F, %23)`);
  }
  try {
    return decodeURIComponent(path);
  } catch {
    throw new JobInputError(`${uri}: malformed percent-escape in a file URI`);
  }
}

/** Every field of the job input (objects: their fields), checked against so a misspelt one is not silently ignored. */
const INPUT_FIELDS = {
  requests: true,
  output: true,
  defaults: ['model', 'max_tokens', 'system'],
  polling: ['initialInterval', 'maxInterval', 'backoffCoefficient', 'predictEnd'],
  maxRetryRounds: true,
  retryOn: true,
  chunk: ['maxRequests', 'maxBytes'],
  submitConcurrency: true,
  name: true,
  continueAsNewAfterEvents: true,
  keepWorkData: true,
  work: true,
  budgetUsd: true,
  primeCache: true,
  source: ['documents', 'template', 'include', 'exclude'],
} as const satisfies {
  [K in keyof Required<BatchJobInput>]: Required<BatchJobInput>[K] extends object & { length?: never }
    ? readonly (keyof Required<BatchJobInput>[K])[]
    : true;
};

const KNOWN_PATHS: readonly string[] = Object.entries(INPUT_FIELDS).flatMap(([key, sub]) =>
  sub === true ? [key] : sub.map((field) => `${key}.${field}`),
);

/** Names people bring from our CLI's flags or from request params, and the field they mean. */
const ALIASES: Readonly<Record<string, string>> = {
  chunksize: 'chunk.maxRequests',
  maxrequests: 'chunk.maxRequests',
  maxbytes: 'chunk.maxBytes',
  model: 'defaults.model',
  maxtokens: 'defaults.max_tokens',
  system: 'defaults.system',
  pollinterval: 'polling.initialInterval',
  maxpollinterval: 'polling.maxInterval',
  requestsfile: 'requests',
  input: 'requests',
  documents: 'source.documents',
  folder: 'source.documents',
  template: 'source.template',
  prompt: 'source.template',
  include: 'source.include',
  exclude: 'source.exclude',
  outputdir: 'output',
  retries: 'maxRetryRounds',
  concurrency: 'submitConcurrency',
};

/** Case, `_`, `-` and `.` do not tell field names apart for a suggestion. */
const normalized = (name: string) => name.toLowerCase().replace(/[-_.]/g, '');

/** Levenshtein distance, with one row of memory (names are short). */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length]!;
}

/** The known field an unknown one most likely meant: an alias, or the closest name (full path or last part). */
function suggestionFor(path: string): string | undefined {
  const leaf = normalized(path.slice(path.lastIndexOf('.') + 1));
  const alias = ALIASES[normalized(path)] ?? ALIASES[leaf];
  if (alias && alias !== path) return alias;
  let best: { path: string; distance: number } | undefined;
  for (const known of KNOWN_PATHS) {
    const distance = Math.min(
      editDistance(normalized(path), normalized(known)),
      editDistance(leaf, normalized(known.slice(known.lastIndexOf('.') + 1))),
    );
    if (distance <= (leaf.length < 6 ? 1 : 2) && (!best || distance < best.distance)) best = { path: known, distance };
  }
  return best?.path;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Refuses fields the job would otherwise ignore (`chunkSize` meaning `chunk.maxRequests` would run the default). */
function checkFieldNames(input: Record<string, unknown>): void {
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    const fields: readonly string[] | true | undefined = (INPUT_FIELDS as Record<string, readonly string[] | true>)[
      key
    ];
    if (fields === undefined) {
      unknown.push(key);
    } else if (fields !== true) {
      if (!isPlainObject(value)) {
        throw new JobInputError(`${key} must be an object with ${fields.join(', ')}, got ${JSON.stringify(value)}`);
      }
      for (const [field, fieldValue] of Object.entries(value)) {
        if (fieldValue !== undefined && !fields.includes(field)) unknown.push(`${key}.${field}`);
      }
    }
  }
  if (unknown.length === 0) return;
  const named = unknown.map((path) => {
    const suggestion = suggestionFor(path);
    return suggestion ? `\`${path}\` (did you mean \`${suggestion}\`?)` : `\`${path}\``;
  });
  const paramsHint = unknown.some((path) => path.startsWith('defaults.'))
    ? '; defaults takes only model, max_tokens and system, other params go in each request'
    : '';
  throw new JobInputError(
    `unknown field${unknown.length === 1 ? '' : 's'} in the job input: ${named.join(', ')}${paramsHint}. ` +
      `Known fields: ${KNOWN_PATHS.join(', ')}`,
  );
}

function folderOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? (slash === 0 ? '/' : '.') : path.slice(0, slash);
}

/** A reference without the `/` that may end a folder's (`docs/`, `s3://bucket/docs/`). */
const withoutTrailingSlash = (ref: string) => (ref.length > 1 ? ref.replace(/\/+$/, '') : ref);

/** The folder holding a folder, or undefined for a root (`/`, `s3://bucket`), which has none to put the output in. */
function parentOf(folder: string): string | undefined {
  const ref = withoutTrailingSlash(folder);
  if (ref === '/' || /^[a-z][a-z0-9+.-]*:\/\/[^/]*$/i.test(ref)) return undefined;
  return folderOf(ref);
}

function globs(value: unknown, what: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((g): g is string => typeof g === 'string' && g.length > 0)) {
    throw new JobInputError(
      `${what} must be a list of glob patterns (strings), e.g. ["*.md"], got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** Checks a document source and says where its requests and manifest go; the output may not lie among the documents. */
function resolveSource(
  input: BatchJobInput,
  workflowId: string,
): { source: NonNullable<JobOptions['source']>; output: string; requests: string; name: string } {
  const source = input.source!;
  if (!isPlainObject(source)) {
    throw new JobInputError(`source must be an object with documents and template, got ${JSON.stringify(source)}`);
  }
  for (const field of ['documents', 'template'] as const) {
    if (typeof source[field] !== 'string' || source[field].length === 0) {
      throw new JobInputError(
        field === 'documents'
          ? '`source.documents` (the folder or s3:// prefix holding the documents) is required'
          : '`source.template` (the path of a text file with the prompt and a {{document}} placeholder) is required',
      );
    }
  }
  if (input.defaults?.model === undefined || input.defaults.max_tokens === undefined) {
    throw new JobInputError(
      'requests built from documents take their model and max_tokens from defaults: set defaults.model and defaults.max_tokens',
    );
  }
  const documents = withoutTrailingSlash(uriToPath(source.documents));
  const parent = parentOf(documents);
  if (input.output === undefined && parent === undefined) {
    throw new JobInputError(`source.documents ${documents} has no folder above it for the results: give output`);
  }
  const output = withoutTrailingSlash(
    input.output ? uriToPath(input.output) : `${parent === '/' ? '' : parent}/${workflowId}`,
  );
  const work = input.work ? withoutTrailingSlash(uriToPath(input.work)) : undefined;
  for (const [what, folder] of [
    ['output', output],
    ['work', work],
  ] as const) {
    if (folder !== undefined && (folder === documents || folder.startsWith(`${documents}/`))) {
      throw new JobInputError(
        `${what} ${folder} lies inside source.documents ${documents}: a later job would read its files as documents; choose a folder outside it`,
      );
    }
  }
  const join = (name: string) => `${output}/${name}`;
  return {
    source: {
      documents,
      template: uriToPath(source.template),
      include: globs(source.include, 'source.include'),
      exclude: globs(source.exclude, 'source.exclude'),
      manifest: join('manifest.jsonl'),
    },
    output,
    requests: join('requests.jsonl'),
    name: documents.slice(documents.lastIndexOf('/') + 1),
  };
}

/** A budget in US dollars: a positive, finite number (the `setBudget` update checks its argument the same way). */
export function budgetOf(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new JobInputError(`${what} must be a positive number of US dollars, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Fills every default and checks the input; the workflow records the result as the options it ran with. */
export function resolveJobOptions(
  input: BatchJobInput,
  workflowId: string,
  { unknownFields = 'refuse' }: { unknownFields?: 'refuse' | 'ignore' } = {},
): JobOptions {
  if (typeof input !== 'object' || input === null) throw new JobInputError('the job input must be an object');
  if (input.source !== undefined && input.requests !== undefined) {
    throw new JobInputError('give `requests` (a JSONL file) or `source` (documents and a template), not both');
  }
  if (input.source === undefined && (typeof input.requests !== 'string' || input.requests.length === 0)) {
    throw new JobInputError(
      '`requests` (the path of a JSONL file of requests) or `source` (documents and a prompt template) is required',
    );
  }
  if (unknownFields === 'refuse') checkFieldNames(input as unknown as Record<string, unknown>);
  const built = input.source !== undefined ? resolveSource(input, workflowId) : undefined;
  const requestsPath = built?.requests ?? uriToPath(input.requests!);
  const polling: JobOptions['polling'] = {
    initialIntervalMs: duration(
      input.polling?.initialInterval,
      JOB_DEFAULTS.polling.initialIntervalMs,
      'polling.initialInterval',
    ),
    maxIntervalMs: duration(input.polling?.maxInterval, JOB_DEFAULTS.polling.maxIntervalMs, 'polling.maxInterval'),
    backoffCoefficient: input.polling?.backoffCoefficient ?? JOB_DEFAULTS.polling.backoffCoefficient,
  };
  if (!(polling.backoffCoefficient >= 1)) throw new JobInputError('polling.backoffCoefficient must be at least 1');
  const predictEnd = input.polling?.predictEnd;
  if (predictEnd !== undefined && typeof predictEnd !== 'boolean') {
    throw new JobInputError(`polling.predictEnd must be true or false, got ${JSON.stringify(predictEnd)}`);
  }
  if (predictEnd === false) polling.predictEnd = false;
  polling.maxIntervalMs = Math.max(polling.maxIntervalMs, polling.initialIntervalMs);
  const retryOn = input.retryOn ?? [...JOB_DEFAULTS.retryOn];
  for (const outcome of retryOn) {
    if (!RETRYABLE.includes(outcome)) throw new JobInputError(`retryOn: unknown outcome ${JSON.stringify(outcome)}`);
  }
  const maxRetryRounds = input.maxRetryRounds ?? JOB_DEFAULTS.maxRetryRounds;
  if (!Number.isInteger(maxRetryRounds) || maxRetryRounds < 0 || maxRetryRounds > 20) {
    throw new JobInputError('maxRetryRounds must be a whole number from 0 to 20');
  }
  const defaults = { ...input.defaults };
  if (defaults.max_tokens !== undefined) positiveInt(defaults.max_tokens, 'defaults.max_tokens');
  if (defaults.model !== undefined && (typeof defaults.model !== 'string' || defaults.model.length === 0)) {
    throw new JobInputError(`defaults.model must be a model name (a string), got ${JSON.stringify(defaults.model)}`);
  }
  if (defaults.system !== undefined && typeof defaults.system !== 'string') {
    throw new JobInputError(`defaults.system must be a string, got ${JSON.stringify(defaults.system)}`);
  }
  if (input.budgetUsd !== undefined) budgetOf(input.budgetUsd, 'budgetUsd');
  if (input.primeCache !== undefined && typeof input.primeCache !== 'boolean') {
    throw new JobInputError(`primeCache must be true or false, got ${JSON.stringify(input.primeCache)}`);
  }
  if (input.keepWorkData !== undefined && typeof input.keepWorkData !== 'boolean') {
    throw new JobInputError(`keepWorkData must be true or false, got ${JSON.stringify(input.keepWorkData)}`);
  }
  if (input.output !== undefined && (typeof input.output !== 'string' || input.output.length === 0)) {
    throw new JobInputError(`output must be a folder's path or file:// URI, got ${JSON.stringify(input.output)}`);
  }
  if (input.work !== undefined && (typeof input.work !== 'string' || input.work.length === 0)) {
    throw new JobInputError(`work must be a folder's path or s3:// URI, got ${JSON.stringify(input.work)}`);
  }
  return {
    requests: requestsPath,
    ...(built ? { source: built.source } : {}),
    output: built?.output ?? (input.output ? uriToPath(input.output) : `${folderOf(requestsPath)}/${workflowId}`),
    ...(input.work ? { work: uriToPath(input.work) } : {}),
    defaults,
    polling,
    maxRetryRounds,
    retryOn,
    chunk: {
      maxRequests: positiveInt(
        input.chunk?.maxRequests ?? JOB_DEFAULTS.chunk.maxRequests,
        'chunk.maxRequests',
        API_MAX_REQUESTS_PER_BATCH,
      ),
      maxBytes: positiveInt(
        input.chunk?.maxBytes ?? JOB_DEFAULTS.chunk.maxBytes,
        'chunk.maxBytes',
        API_MAX_BATCH_BYTES,
      ),
    },
    submitConcurrency: positiveInt(input.submitConcurrency ?? JOB_DEFAULTS.submitConcurrency, 'submitConcurrency', 64),
    name: input.name ?? built?.name ?? requestsPath.slice(requestsPath.lastIndexOf('/') + 1),
    continueAsNewAfterEvents: positiveInt(
      input.continueAsNewAfterEvents ?? JOB_DEFAULTS.continueAsNewAfterEvents,
      'continueAsNewAfterEvents',
      40_000,
    ),
    ...(input.keepWorkData ? { keepWorkData: true } : {}),
    ...(input.budgetUsd !== undefined ? { budgetUsd: input.budgetUsd } : {}),
    ...(input.primeCache !== undefined ? { primeCache: input.primeCache } : {}),
  };
}
