// The cached prefix of a request and the smallest Messages call that writes it: what cache priming sends before a
// round, so that the batch's requests read the prefix instead of each writing it. The prompt is read in the API's
// cache order (tools, system, messages); the prefix ends at the last `cache_control` breakpoint, or, with a top-level
// `cache_control` (automatic caching), at the end of the prompt.
import type Anthropic from '@anthropic-ai/sdk';

export type PrimingParams = Anthropic.Messages.MessageCreateParamsNonStreaming;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const hasBreakpoint = (v: unknown) => isObject(v) && isObject(v.cache_control);

/** The last index of `items` that carries a breakpoint, or -1. */
function lastBreakpoint(items: unknown): number {
  if (!Array.isArray(items)) return -1;
  for (let i = items.length - 1; i >= 0; i--) if (hasBreakpoint(items[i])) return i;
  return -1;
}

const hasBreakpointIn = (message: unknown) => isObject(message) && lastBreakpoint(message.content) >= 0;

/** A user turn after a prefix that ends with the assistant's: the API answers only after a user turn. */
const MINIMAL_USER_TURN = { role: 'user' as const, content: '.' };

/**
 * The Messages call (max_tokens 1) that writes the request's cached prefix, or undefined when the request caches
 * nothing. It has the same model, the tools, system and messages up to the last breakpoint (their `cache_control`,
 * TTL included, as written), a minimal user turn when the prefix ends without one, and `tool_choice` when the prefix
 * reaches the messages (a different one would not match their cache). Identical results mean a shared prefix.
 */
export function primingParamsOf(params: Record<string, unknown>): PrimingParams | undefined {
  const { model, tools, system, messages, cache_control: automatic, tool_choice: toolChoice } = params;
  if (typeof model !== 'string' || !Array.isArray(messages)) return undefined;
  if (isObject(automatic)) {
    // Automatic caching caches the whole prompt: the call is the request itself, answered in one token.
    const whole: Record<string, unknown> = { model, max_tokens: 1, messages, cache_control: automatic };
    if (tools !== undefined) whole.tools = tools;
    if (system !== undefined) whole.system = system;
    if (toolChoice !== undefined) whole.tool_choice = toolChoice;
    return whole as unknown as PrimingParams;
  }
  const turns: unknown[] = messages;
  const primed: Record<string, unknown> = { model, max_tokens: 1 };
  let prefixMessages: unknown[] = [];
  let inMessages = turns.length - 1;
  while (inMessages >= 0 && !hasBreakpointIn(turns[inMessages])) {
    inMessages -= 1;
  }
  if (inMessages >= 0) {
    const message = turns[inMessages] as Record<string, unknown>;
    const content = message.content as unknown[];
    prefixMessages = [
      ...turns.slice(0, inMessages),
      { ...message, content: content.slice(0, lastBreakpoint(content) + 1) },
    ];
    if (tools !== undefined) primed.tools = tools;
    if (system !== undefined) primed.system = system;
    if (toolChoice !== undefined) primed.tool_choice = toolChoice;
  } else if (lastBreakpoint(system) >= 0) {
    if (tools !== undefined) primed.tools = tools;
    primed.system = (system as unknown[]).slice(0, lastBreakpoint(system) + 1);
  } else if (lastBreakpoint(tools) >= 0) {
    primed.tools = (tools as unknown[]).slice(0, lastBreakpoint(tools) + 1);
  } else {
    return undefined;
  }
  const last = prefixMessages.at(-1);
  primed.messages = isObject(last) && last.role === 'user' ? prefixMessages : [...prefixMessages, MINIMAL_USER_TURN];
  return primed as unknown as PrimingParams;
}
