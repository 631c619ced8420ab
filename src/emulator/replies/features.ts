// Replies that honour what a request asks for beyond plain text: tool use, structured (JSON schema) output, extended
// thinking, stop sequences, an assistant prefill and cited documents. Deterministic like the plain reply: the same
// params give the same blocks, ids, signatures and token counts. Plain requests never come here (`usesFeatures`),
// so their replies and their cost stay as they were.
import { createHash } from 'node:crypto';
import { stableId } from '../ids';
import { valueForSchema } from './schema-value';

type Params = Record<string, unknown>;

const isObject = (v: unknown): v is Params => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface CharLocation {
  type: 'char_location';
  cited_text: string;
  document_index: number;
  document_title: string | null;
  start_char_index: number;
  end_char_index: number;
  file_id: null;
}

export interface ContentBlockLocation {
  type: 'content_block_location';
  cited_text: string;
  document_index: number;
  document_title: string | null;
  start_block_index: number;
  end_block_index: number;
  file_id: null;
}

export type ReplyBlock =
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'text'; text: string; citations: (CharLocation | ContentBlockLocation)[] | null }
  | { type: 'tool_use'; id: string; name: string; input: unknown; caller: { type: 'direct' } };

export interface Reply {
  content: ReplyBlock[];
  stopReason: 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use';
  stopSequence: string | null;
  outputTokens: number;
  /** Output tokens spent thinking, when thinking was on. */
  thinkingTokens?: number;
}

const tokensOf = (chars: number) => Math.ceil(chars / 4);

function lastMessage(params: Params): Params | undefined {
  const messages = params.messages;
  if (!Array.isArray(messages) || messages.length === 0) return undefined;
  const last: unknown = messages[messages.length - 1];
  return isObject(last) ? last : undefined;
}

function hasCitedDocument(params: Params): boolean {
  if (!Array.isArray(params.messages)) return false;
  for (const message of params.messages) {
    if (!isObject(message) || !Array.isArray(message.content)) continue;
    for (const block of message.content) {
      if (
        isObject(block) &&
        block.type === 'document' &&
        isObject(block.citations) &&
        block.citations.enabled === true
      ) {
        return true;
      }
    }
  }
  return false;
}

/** Whether the request asks for anything but a plain text reply (cheap: plain requests pay only this). */
export function usesFeatures(params: Params): boolean {
  return (
    params.tools !== undefined ||
    params.output_config !== undefined ||
    params.output_format !== undefined ||
    params.thinking !== undefined ||
    params.stop_sequences !== undefined ||
    lastMessage(params)?.role === 'assistant' ||
    hasCitedDocument(params)
  );
}

/** The JSON schema of a structured-output request: `output_config.format`, or the older beta `output_format`. */
function outputSchemaOf(params: Params): { schema: unknown } | undefined {
  const format = isObject(params.output_config) ? params.output_config.format : params.output_format;
  return isObject(format) && format.type === 'json_schema' ? { schema: format.schema ?? {} } : undefined;
}

/** Whether the last user turn answers a tool call (carries a `tool_result`). */
function answersToolCall(params: Params): boolean {
  const messages = Array.isArray(params.messages) ? params.messages : [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const m: unknown = messages[i];
    if (!isObject(m) || m.role !== 'user') continue;
    return Array.isArray(m.content) && m.content.some((b) => isObject(b) && b.type === 'tool_result');
  }
  return false;
}

/**
 * The tool the reply calls, if any. `{"type":"tool"}` calls the named tool, `{"type":"any"}` the first tool with an
 * `input_schema`; `auto` (the default) calls the first tool whose name appears in the last user turn, unless that
 * turn answers a tool call (carries a `tool_result`); `none` calls nothing.
 */
function toolToCall(params: Params, lastUserText: string): Params | undefined {
  const tools = Array.isArray(params.tools) ? params.tools.filter(isObject) : [];
  if (tools.length === 0) return undefined;
  const choice = isObject(params.tool_choice) ? params.tool_choice : { type: 'auto' };
  switch (choice.type) {
    case 'tool':
      return tools.find((t) => t.name === choice.name);
    case 'any':
      return tools.find((t) => isObject(t.input_schema)) ?? tools[0];
    case 'auto':
      if (answersToolCall(params)) return undefined;
      return tools.find((t) => typeof t.name === 'string' && t.name !== '' && lastUserText.includes(t.name));
    default:
      return undefined;
  }
}

interface CitableDocument {
  index: number;
  title: string | null;
  /** A plain-text document's text, or a content document's blocks (non-text blocks as undefined). */
  text?: string;
  blocks?: (string | undefined)[];
}

function citableDocuments(params: Params): CitableDocument[] {
  const out: CitableDocument[] = [];
  let index = 0;
  if (!Array.isArray(params.messages)) return out;
  for (const message of params.messages) {
    if (!isObject(message) || !Array.isArray(message.content)) continue;
    for (const block of message.content) {
      if (!isObject(block) || block.type !== 'document') continue;
      const at = index++;
      if (!isObject(block.citations) || block.citations.enabled !== true || !isObject(block.source)) continue;
      const title = typeof block.title === 'string' ? block.title : null;
      const source = block.source;
      if (source.type === 'text' && typeof source.data === 'string') out.push({ index: at, title, text: source.data });
      else if (source.type === 'content' && typeof source.content === 'string') {
        out.push({ index: at, title, blocks: [source.content] });
      } else if (source.type === 'content' && Array.isArray(source.content)) {
        const blocks = source.content.map((b) => (isObject(b) && typeof b.text === 'string' ? b.text : undefined));
        out.push({ index: at, title, blocks });
      }
    }
  }
  return out;
}

const MAX_CITED = 200;

/** The first sentence of a text (at most MAX_CITED characters), as [start, end) offsets into it. */
function firstSentence(text: string): [number, number] | undefined {
  const start = text.search(/\S/);
  if (start < 0) return undefined;
  const rest = text.slice(start, start + MAX_CITED);
  const stop = /[.!?](?=\s|$)/.exec(rest);
  const newline = rest.indexOf('\n');
  let end = stop ? stop.index + 1 : rest.length;
  if (newline >= 0 && newline < end) end = newline;
  return [start, start + end];
}

/** One text block per cited document: its first sentence, with a citation that locates it in the document. */
function citedBlocks(params: Params): ReplyBlock[] {
  const blocks: ReplyBlock[] = [];
  for (const doc of citableDocuments(params).slice(0, 5)) {
    if (doc.text !== undefined) {
      const span = firstSentence(doc.text);
      if (!span) continue;
      const cited = doc.text.slice(span[0], span[1]);
      blocks.push({
        type: 'text',
        text: cited,
        citations: [
          {
            type: 'char_location',
            cited_text: cited,
            document_index: doc.index,
            document_title: doc.title,
            start_char_index: span[0],
            end_char_index: span[1],
            file_id: null,
          },
        ],
      });
    } else if (doc.blocks) {
      const at = doc.blocks.findIndex((b) => b !== undefined && b.trim() !== '');
      if (at < 0) continue;
      const cited = doc.blocks[at]!;
      blocks.push({
        type: 'text',
        text: cited.trim(),
        citations: [
          {
            type: 'content_block_location',
            cited_text: cited,
            document_index: doc.index,
            document_title: doc.title,
            start_block_index: at,
            end_block_index: at + 1,
            file_id: null,
          },
        ],
      });
    }
  }
  return blocks;
}

function thinkingOf(params: Params, summary: string, seed: string): { block: ReplyBlock; tokens: number } | undefined {
  const thinking = params.thinking;
  if (!isObject(thinking) || (thinking.type !== 'enabled' && thinking.type !== 'adaptive')) return undefined;
  let text = `Let me think about this request. ${summary}`;
  const budget = typeof thinking.budget_tokens === 'number' ? thinking.budget_tokens : Infinity;
  if (tokensOf(text.length) > budget) text = text.slice(0, Math.max(0, budget) * 4);
  const digest = createHash('sha256').update(`thinking\n${seed}\n${text}`).digest();
  const signature = Buffer.concat([digest, createHash('sha256').update(digest).digest()]).toString('base64');
  return {
    // `display: "omitted"` keeps the signature (and the cost) but returns no thinking text.
    block: { type: 'thinking', thinking: thinking.display === 'omitted' ? '' : text, signature },
    tokens: tokensOf(text.length),
  };
}

function blockTokens(block: ReplyBlock): number {
  if (block.type === 'text') return tokensOf(block.text.length);
  if (block.type === 'tool_use') return tokensOf(block.name.length + JSON.stringify(block.input).length);
  return tokensOf(block.thinking.length);
}

/**
 * The reply to a request that uses features: [thinking] [text] [cited texts] [tool_use], then cut at the first stop
 * sequence found in a text block or where `max_tokens` runs out, whichever comes first.
 */
export function featuredReply(
  params: Params,
  input: { summary: string; lastUserText: string; maxTokens: number },
): Reply {
  const { summary, maxTokens } = input;
  const seed = JSON.stringify(params);
  const planned: ReplyBlock[] = [];
  let thinkingTokens: number | undefined;
  const thinking = thinkingOf(params, summary, seed);
  if (thinking) {
    planned.push(thinking.block);
    thinkingTokens = thinking.tokens;
  }
  const output = outputSchemaOf(params);
  const tool = output ? undefined : toolToCall(params, input.lastUserText);
  const forced =
    isObject(params.tool_choice) && (params.tool_choice.type === 'tool' || params.tool_choice.type === 'any');
  if (output) {
    planned.push({ type: 'text', text: JSON.stringify(valueForSchema(output.schema)), citations: null });
  } else if (!(tool && forced)) {
    // A prefill (a last assistant message) is continued: the reply is what follows it, a space then the summary.
    const text = lastMessage(params)?.role === 'assistant' ? ` ${summary}` : summary;
    planned.push({ type: 'text', text, citations: null });
    planned.push(...citedBlocks(params));
  }
  if (tool) {
    const name = typeof tool.name === 'string' ? tool.name : '';
    const toolInput = valueForSchema(isObject(tool.input_schema) ? tool.input_schema : { type: 'object' });
    const id = stableId('toolu_', `${seed}\n${name}`);
    planned.push({ type: 'tool_use', id, name, input: toolInput, caller: { type: 'direct' } });
  }
  return cut(planned, params.stop_sequences, maxTokens, thinkingTokens);
}

function cut(planned: ReplyBlock[], stopSequences: unknown, maxTokens: number, thinkingTokens?: number): Reply {
  const sequences = Array.isArray(stopSequences)
    ? stopSequences.filter((s): s is string => typeof s === 'string' && s !== '')
    : [];
  const content: ReplyBlock[] = [];
  let used = 0;
  let stopReason: Reply['stopReason'] = planned.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn';
  let stopSequence: string | null = null;
  for (const planBlock of planned) {
    let block = planBlock;
    let stopped = false;
    if (block.type === 'text' && sequences.length > 0) {
      let at = -1;
      for (const s of sequences) {
        const i = block.text.indexOf(s);
        if (i >= 0 && (at < 0 || i < at)) {
          at = i;
          stopSequence = s;
        }
      }
      if (at >= 0) {
        block = { ...block, text: block.text.slice(0, at) };
        stopped = true;
      }
    }
    const tokens = block.type === 'thinking' && thinkingTokens !== undefined ? thinkingTokens : blockTokens(block);
    const room = maxTokens - used;
    if (tokens > room) {
      stopSequence = null;
      stopReason = 'max_tokens';
      if (room > 0 && block.type === 'text') {
        content.push({ ...block, text: block.text.slice(0, room * 4) });
      } else if (room > 0 && block.type === 'thinking') {
        content.push({ ...block, thinking: block.thinking.slice(0, room * 4) });
        thinkingTokens = room;
      }
      used = maxTokens;
      break;
    }
    content.push(block);
    used += tokens;
    if (stopped) {
      stopReason = 'stop_sequence';
      break;
    }
  }
  return {
    content,
    stopReason,
    stopSequence: stopReason === 'stop_sequence' ? stopSequence : null,
    outputTokens: Math.max(1, used),
    ...(thinkingTokens !== undefined ? { thinkingTokens } : {}),
  };
}
