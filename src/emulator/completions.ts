// Deterministic fake completions: the same request always gets the same text and token counts, so results and
// cost accounting can be checked. Nothing here remembers anything; the planner decides cache hits.
import { featuredReply, usesFeatures, type Reply } from './replies/features';
import { cachePrefixOf, inputTokensOf, tokensOf } from './tokens';

/** The Messages API params of one request, as far as the emulator looks at them. */
export interface MessageParams {
  model?: unknown;
  max_tokens?: unknown;
  messages?: unknown;
  system?: unknown;
  tools?: unknown;
  stream?: unknown;
}

export type CacheUse = 'none' | 'write' | 'read';

export { cachePrefixOf, inputTokensOf } from './tokens';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

function collectText(value: unknown, parts: string[]): void {
  if (typeof value === 'string') parts.push(value);
  else if (Array.isArray(value)) for (const item of value) collectText(item, parts);
  else if (isObject(value)) {
    if (value.text !== undefined) collectText(value.text, parts);
    if (value.content !== undefined) collectText(value.content, parts);
  }
}

/** All the text a request carries (system and messages): what markers, rules and summaries read. */
export function textOf(params: MessageParams): string {
  const parts: string[] = [];
  collectText(params.system, parts);
  collectText(params.messages, parts);
  return parts.join('\n');
}

function lastUserText(params: MessageParams): string {
  const messages = Array.isArray(params.messages) ? (params.messages as unknown[]) : [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (isObject(m) && m.role === 'user') return textOf({ messages: [m] });
  }
  return '';
}

/** What `\s` matches in a JavaScript regular expression, beyond ASCII. */
function isWideSpace(code: number): boolean {
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

const GIST_WORDS = 16;

/**
 * A short, summary-like echo of the last user turn: its word count and first words. One pass over the characters,
 * without splitting the whole turn into words (results of a 100,000-request batch spent most of their time there).
 */
function replyTo(params: MessageParams): string {
  const text = lastUserText(params);
  const gist: string[] = [];
  let words = 0;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const space = code <= 32 ? code === 32 || (code >= 9 && code <= 13) : code >= 0xa0 && isWideSpace(code);
    if (!space) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      if (words < GIST_WORDS) gist.push(text.slice(start, i));
      words += 1;
      start = -1;
    }
  }
  if (start >= 0) {
    if (words < GIST_WORDS) gist.push(text.slice(start));
    words += 1;
  }
  return `Summary (${words} words): ${gist.join(' ')}${words > GIST_WORDS ? ' …' : ''}`;
}

/** The reply to a request that asks for nothing but text: one text block, the summary, cut at `max_tokens`. */
function plainReply(params: MessageParams, maxTokens: number): Reply {
  let text = replyTo(params);
  let outputTokens = Math.max(1, tokensOf(text.length));
  let stopReason: 'end_turn' | 'max_tokens' = 'end_turn';
  if (outputTokens > maxTokens) {
    text = text.slice(0, maxTokens * 4);
    outputTokens = maxTokens;
    stopReason = 'max_tokens';
  }
  return { content: [{ type: 'text', text, citations: null }], stopReason, stopSequence: null, outputTokens };
}

/** The assistant Message the API would answer with, derived only from the params (and the cache decision). */
export function messageFor(
  params: MessageParams,
  options: { id: string; cache: CacheUse; serviceTier: 'batch' | 'standard' },
) {
  const maxTokens = typeof params.max_tokens === 'number' && params.max_tokens >= 1 ? params.max_tokens : 1;
  const reply = usesFeatures(params as Record<string, unknown>)
    ? featuredReply(params as Record<string, unknown>, {
        summary: replyTo(params),
        lastUserText: lastUserText(params),
        maxTokens,
      })
    : plainReply(params, maxTokens);
  const total = inputTokensOf(params);
  const prefix = options.cache === 'none' ? undefined : cachePrefixOf(params);
  const cached = Math.min(total, prefix?.tokens ?? 0);
  const written = options.cache === 'write' ? cached : 0;
  return {
    id: options.id,
    type: 'message' as const,
    role: 'assistant' as const,
    model: typeof params.model === 'string' ? params.model : 'unknown',
    content: reply.content,
    stop_reason: reply.stopReason,
    stop_sequence: reply.stopSequence,
    // Declared by the API as always present, null when unused (tested against the SDK's types).
    stop_details: null,
    container: null,
    diagnostics: null,
    usage: {
      input_tokens: total - cached,
      output_tokens: reply.outputTokens,
      cache_creation_input_tokens: written,
      cache_read_input_tokens: options.cache === 'read' ? cached : 0,
      cache_creation: {
        ephemeral_5m_input_tokens: prefix?.ttl === '1h' ? 0 : written,
        ephemeral_1h_input_tokens: prefix?.ttl === '1h' ? written : 0,
      },
      service_tier: options.serviceTier,
      server_tool_use: null,
      inference_geo: null,
      output_tokens_details: reply.thinkingTokens === undefined ? null : { thinking_tokens: reply.thinkingTokens },
      speed: 'standard' as const,
    },
  };
}

/** The replies-log line of a request that will not succeed (log lines cannot be empty). */
export const NO_REPLY = '{}';

/** The replies-log line of a request planned to succeed: its message, all but the id (which the results add). */
export function replyLine(params: MessageParams, cache: CacheUse): string {
  const { id: _id, ...message } = messageFor(params, { id: '', cache, serviceTier: 'batch' });
  return JSON.stringify(message);
}
