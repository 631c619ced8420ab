// The checks every input line passes before any money is spent (shared by the workflow's validation and the CLI).
import { z } from 'zod';
import type { ModelCatalogue } from '../models/catalogue';
import type { RequestDefaults } from '../shared/job';

export const CUSTOM_ID_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * The message for a field that is missing or of the wrong type: a missing field names where to set it, a wrong one
 * says what was expected and what was found (a quoted number reads as "required" otherwise).
 */
function typeProblem(field: string, expected: string, whenMissing: string) {
  return (issue: { input?: unknown }) =>
    issue.input === undefined
      ? `params.${field} is required (${whenMissing})`
      : `params.${field} must be ${expected}, found ${describeValue(issue.input)}`;
}

/** A value as a person would name it: `the string "100"`, `the number 7`, `null`, `a list`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
    case 'number':
      return Number.isNaN(value) ? 'NaN (not a number)' : `the number ${value}`;
    case 'boolean':
      return `${value}`;
    case 'object':
      return 'an object';
    default:
      return `a ${typeof value}`;
  }
}

const paramsSchema = z.looseObject({
  model: z
    .string({ error: typeProblem('model', 'a string (a model name)', 'a model name, or set defaults.model') })
    .min(1, 'params.model must not be empty'),
  max_tokens: z
    .number({ error: typeProblem('max_tokens', 'a number', 'or set defaults.max_tokens') })
    .int('params.max_tokens must be a whole number')
    .min(1, 'params.max_tokens must be at least 1'),
  messages: z
    .array(z.unknown(), { error: typeProblem('messages', 'a list of messages', 'a list of messages') })
    .min(1, 'params.messages must not be empty'),
});

export type RequestParams = z.infer<typeof paramsSchema>;

/** A valid request, defaults merged in. */
export interface CheckedRequest {
  customId: string;
  params: RequestParams;
  /** Whether a default supplied a field the line lacked (then the line's own params text is not the whole of them). */
  defaultsUsed: boolean;
}

export type LineCheck = { ok: true; request: CheckedRequest } | { ok: false; problem: string };

/** The checks of a request's model against the model catalogue. */
export interface ModelChecks {
  catalogue: ModelCatalogue;
  /**
   * A model the catalogue does not know: a problem (`validate`: most likely a typo), or allowed (the job: the API
   * decides, and its cost is reported as unpriced).
   */
  unknownModels: 'problem' | 'allow';
}

/**
 * The check of one non-blank line, for a file whose requests share `defaults`; uniqueness across the file is the
 * caller's (it sees every line). With `models`, a retired model, `max_tokens` above the model's max output and (if
 * asked) an unknown model are problems too.
 */
export function requestLineChecker(defaults: RequestDefaults, models?: ModelChecks): (line: string) => LineCheck {
  const given = withoutUndefined(defaults);
  const givenKeys = Object.keys(given);
  if (!models) return (line) => checkRequestLine(line, given, givenKeys);
  return (line) => {
    const checked = checkRequestLine(line, given, givenKeys);
    if (!checked.ok) return checked;
    const problem = modelProblem(checked.request, models);
    return problem ? { ok: false, problem } : checked;
  };
}

/** What is wrong with the request's model or its max_tokens for that model, if anything. */
export function modelProblem({ customId, params }: CheckedRequest, models: ModelChecks): string | undefined {
  const model = models.catalogue.find(params.model);
  const where = `(custom_id ${customId})`;
  if (!model) {
    if (models.unknownModels === 'allow') return undefined;
    return `params.model ${JSON.stringify(params.model)} is not a model claude-batch knows: no price, no limits ${where}; check the name, or add it to your own model catalogue (CLAUDE_BATCH_MODELS or --models)`;
  }
  if (model.status === 'retired') {
    const since = model.retiredOn ? ` on ${model.retiredOn}` : '';
    return `params.model ${JSON.stringify(params.model)} was retired${since}: the API refuses it ${where}; choose a current model`;
  }
  if (model.maxOutputTokens !== undefined && params.max_tokens > model.maxOutputTokens) {
    const beta = model.batchBetaMaxOutputTokens
      ? ` (the Batch API's output-300k beta allows ${model.batchBetaMaxOutputTokens}, but claude-batch does not send beta headers)`
      : '';
    return `params.max_tokens ${params.max_tokens} is above ${params.model}'s max output of ${model.maxOutputTokens}${beta} ${where}`;
  }
  return undefined;
}

function checkRequestLine(line: string, defaults: Record<string, unknown>, defaultKeys: string[]): LineCheck {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    return { ok: false, problem: `not valid JSON (${(err as Error).message})` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, problem: 'expected a JSON object with "custom_id" and "params"' };
  }
  const { custom_id: customId, params } = value as { custom_id?: unknown; params?: unknown };
  if (typeof customId !== 'string') return { ok: false, problem: 'custom_id is missing or not a string' };
  if (!CUSTOM_ID_PATTERN.test(customId)) {
    return {
      ok: false,
      problem: `custom_id ${JSON.stringify(customId)} must be 1 to 64 characters of letters, digits, "_" or "-"`,
    };
  }
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    return { ok: false, problem: `params is missing or not an object (custom_id ${customId})` };
  }
  const defaultsUsed = defaultKeys.some((key) => !(key in params));
  const merged = defaultsUsed ? { ...defaults, ...params } : params;
  const parsed = paramsSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path[0];
    // A default that filled the field is where the wrong value came from, not the line.
    const fromDefaults = typeof field === 'string' && field in defaults && !(field in params) ? ', from defaults' : '';
    return { ok: false, problem: `${issue?.message ?? 'invalid params'} (custom_id ${customId}${fromDefaults})` };
  }
  return { ok: true, request: { customId, params: parsed.data, defaultsUsed } };
}

function withoutUndefined(defaults: RequestDefaults): Record<string, unknown> {
  return Object.fromEntries(Object.entries(defaults).filter(([, v]) => v !== undefined));
}
