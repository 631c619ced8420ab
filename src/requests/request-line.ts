// The checks every input line passes before any money is spent (shared by the workflow's validation and the CLI).
import { z } from 'zod';
import type { RequestDefaults } from '../shared/job';

export const CUSTOM_ID_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;

const paramsSchema = z.looseObject({
  model: z.string({ error: 'params.model is required (a model name, or set defaults.model)' }).min(1),
  max_tokens: z
    .number({ error: 'params.max_tokens is required (or set defaults.max_tokens)' })
    .int('params.max_tokens must be a whole number')
    .min(1, 'params.max_tokens must be at least 1'),
  messages: z
    .array(z.unknown(), { error: 'params.messages must be a list of messages' })
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

/**
 * The check of one non-blank line, for a file whose requests share `defaults`; uniqueness across the file is the
 * caller's (it sees every line).
 */
export function requestLineChecker(defaults: RequestDefaults): (line: string) => LineCheck {
  const given = withoutUndefined(defaults);
  const givenKeys = Object.keys(given);
  return (line) => checkRequestLine(line, given, givenKeys);
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
    return { ok: false, problem: `${issue?.message ?? 'invalid params'} (custom_id ${customId})` };
  }
  return { ok: true, request: { customId, params: parsed.data, defaultsUsed } };
}

function withoutUndefined(defaults: RequestDefaults): Record<string, unknown> {
  return Object.fromEntries(Object.entries(defaults).filter(([, v]) => v !== undefined));
}
