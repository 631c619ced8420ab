// The Messages API's checks on one request's params, with its error types and messages. In a batch they are not
// create-time errors: each refused request becomes an `errored` result line. Cheap on the plain path (a model lookup,
// a few comparisons, one pass over the messages); only requests that use thinking, tools or content blocks pay more.
import { modelNamed, snapshotOf } from './models';

export interface ParamsProblem {
  type: 'invalid_request_error' | 'not_found_error';
  message: string;
}

/** What the API checks beyond the params themselves. */
export interface ParamsContext {
  /** The call's `anthropic-version` (default: the newest). */
  apiVersion?: string;
  /** The create carried the `output-300k-2026-03-24` beta (a larger output on the Message Batches API). */
  batchOutputBeta?: boolean;
}

/** The Messages API's top-level params (the SDK's, beta ones included, and the sampling params of older versions). */
const KNOWN_PARAMS = new Set([
  'model',
  'max_tokens',
  'messages',
  'system',
  'metadata',
  'stop_sequences',
  'stream',
  'temperature',
  'top_p',
  'top_k',
  'thinking',
  'tools',
  'tool_choice',
  'cache_control',
  'container',
  'context_management',
  'diagnostics',
  'inference_geo',
  'mcp_servers',
  'output_config',
  'output_format',
  'service_tier',
  'speed',
  'user_profile_id',
  'workspace_id',
  'billing_policy',
  'compaction',
  'fallback_credit_token',
  'fallbacks',
  'thread',
]);

/** API version 2026-10-21 removed `temperature`, `top_p` and `top_k`: sent at all, even at their defaults, they are
 * refused as unknown params. */
const SAMPLING_PARAMS = new Set(['temperature', 'top_p', 'top_k']);
const SAMPLING_REMOVED_IN = '2026-10-21';

const MIN_THINKING_BUDGET = 1024;
const THINKING_DOCS =
  'https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const invalid = (message: string): ParamsProblem => ({ type: 'invalid_request_error', message });

function rangeProblem(params: Record<string, unknown>, name: 'temperature' | 'top_p'): ParamsProblem | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'number') return invalid(`${name}: Input should be a valid number`);
  return value < 0 || value > 1 ? invalid(`${name}: range: 0..1`) : undefined;
}

function thinkingProblem(thinking: unknown, maxTokens: number): ParamsProblem | undefined {
  if (!isObject(thinking)) return invalid('thinking: Input should be an object');
  if (thinking.type !== 'enabled') return undefined;
  const budget = thinking.budget_tokens;
  if (typeof budget !== 'number' || !Number.isInteger(budget)) {
    return invalid('thinking.enabled.budget_tokens: Input should be a valid integer');
  }
  if (budget < MIN_THINKING_BUDGET) {
    return invalid(`thinking.enabled.budget_tokens: Input should be greater than or equal to ${MIN_THINKING_BUDGET}`);
  }
  if (budget >= maxTokens) {
    return invalid(
      `\`max_tokens\` must be greater than \`thinking.budget_tokens\`. Please consult our documentation at ${THINKING_DOCS}`,
    );
  }
  return undefined;
}

function toolChoiceProblem(toolChoice: unknown, tools: unknown): ParamsProblem | undefined {
  if (!isObject(toolChoice) || toolChoice.type !== 'tool') return undefined;
  const name = toolChoice.name;
  if (typeof name !== 'string') return invalid('tool_choice.tool.name: Field required');
  const defined = Array.isArray(tools) && tools.some((tool) => isObject(tool) && tool.name === name);
  return defined ? undefined : invalid(`Tool '${name}' not found in provided tools`);
}

/** An empty or blank text block, in `system` or a message (`where` names which, as the API does). */
function blankTextProblem(blocks: unknown[], where: 'messages' | 'system'): ParamsProblem | undefined {
  for (const block of blocks) {
    if (!isObject(block) || block.type !== 'text' || typeof block.text !== 'string') continue;
    if (block.text.length === 0) return invalid(`${where}: text content blocks must be non-empty`);
    if (block.text.trim().length === 0)
      return invalid(`${where}: text content blocks must contain non-whitespace text`);
  }
  return undefined;
}

function messagesProblem(messages: unknown[]): ParamsProblem | undefined {
  for (const [i, m] of messages.entries()) {
    if (!isObject(m) || (m.role !== 'user' && m.role !== 'assistant')) {
      return invalid(`messages.${i}.role: Input should be 'user' or 'assistant'`);
    }
    const content = m.content;
    if (typeof content !== 'string' && !Array.isArray(content)) return invalid(`messages.${i}.content: Field required`);
    const finalAssistant = i === messages.length - 1 && m.role === 'assistant';
    if (content.length === 0 && !finalAssistant) {
      return invalid(
        'messages: all messages must have non-empty content except for the optional final assistant message',
      );
    }
    if (typeof content !== 'string') {
      const blank = blankTextProblem(content, 'messages');
      if (blank) return blank;
    }
  }
  return undefined;
}

/** Why the API would refuse these params (an errored result line, not a create-time error), if it would. */
export function paramsProblem(params: unknown, context: ParamsContext = {}): ParamsProblem | undefined {
  if (!isObject(params)) return invalid('params: Input should be an object');
  const samplingRemoved = (context.apiVersion ?? SAMPLING_REMOVED_IN) >= SAMPLING_REMOVED_IN;
  for (const key in params) {
    if (!KNOWN_PARAMS.has(key) || (samplingRemoved && SAMPLING_PARAMS.has(key))) {
      return invalid(`${key}: Extra inputs are not permitted`);
    }
  }
  if (params.model === undefined) return invalid('model: Field required');
  if (typeof params.model !== 'string') return invalid('model: Input should be a valid string');
  const maxTokens = params.max_tokens;
  if (maxTokens === undefined) return invalid('max_tokens: Field required');
  if (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens)) {
    return invalid('max_tokens: Input should be a valid integer');
  }
  if (maxTokens < 1) return invalid('max_tokens: Input should be greater than or equal to 1');
  if (!Array.isArray(params.messages)) return invalid('messages: Field required');
  if (params.messages.length === 0) return invalid('messages: at least one message is required');
  const range = rangeProblem(params, 'temperature') ?? rangeProblem(params, 'top_p');
  if (range) return range;
  if (params.top_k !== undefined && (typeof params.top_k !== 'number' || params.top_k < 0)) {
    return invalid('top_k: Input should be greater than or equal to 0');
  }

  const model = modelNamed(params.model);
  if (!model || model.status === 'retired') return { type: 'not_found_error', message: `model: ${params.model}` };
  const limit =
    context.batchOutputBeta && model.batchBetaMaxOutputTokens ? model.batchBetaMaxOutputTokens : model.maxOutputTokens;
  if (maxTokens > limit) {
    return invalid(
      `max_tokens: ${maxTokens} > ${limit}, which is the maximum allowed number of output tokens for ${snapshotOf(model)}`,
    );
  }

  const messages = messagesProblem(params.messages);
  if (messages) return messages;
  if (Array.isArray(params.system)) {
    const blank = blankTextProblem(params.system, 'system');
    if (blank) return blank;
  }
  if (params.thinking !== undefined) {
    const thinking = thinkingProblem(params.thinking, maxTokens);
    if (thinking) return thinking;
  }
  if (params.tool_choice !== undefined) {
    const choice = toolChoiceProblem(params.tool_choice, params.tools);
    if (choice) return choice;
  }
  if (params.stream === true) return invalid('stream: Streaming is not supported in the Message Batches API');
  return undefined;
}
