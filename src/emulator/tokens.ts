// Input token counts and the cacheable prefix of a prompt, in the API's documented proportions: text at a quarter
// token a character, images by their area, documents by their text or pages. count_tokens, usage and the prompt
// cache agree because all of them read these. A prompt of plain strings costs what it always did: the image and
// document walk starts only at content blocks.
import { imageSizeOf } from './image-size';

/** The params token counting looks at (a subset of the Messages API's). */
export interface TokenParams {
  model?: unknown;
  messages?: unknown;
  system?: unknown;
  tools?: unknown;
  cache_control?: unknown;
}

interface Segment {
  /** The piece of the prompt itself: what identifies it for caching. */
  value: unknown;
  /** Characters of text, counted at four to a token. */
  chars: number;
  /** Tokens of non-text content (images, PDF pages). */
  tokens: number;
  cacheControl?: { ttl?: unknown };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

export const tokensOf = (chars: number) => Math.ceil(chars / 4);

/** The docs: tokens = width × height / 750, after a resize to a long edge of at most 1568 px and ~1.2 megapixels. */
const PIXELS_PER_TOKEN = 750;
const MAX_LONG_EDGE = 1568;
const MAX_IMAGE_TOKENS = 1600;
/** Assumed per PDF page: the page as an image plus its text (the docs give 1,500–3,000 text tokens a page). */
const TOKENS_PER_PDF_PAGE = MAX_IMAGE_TOKENS + 750;

/** Tokens of an image `width` × `height` pixels as the API counts it, after its resize. */
export function imageTokens(width: number, height: number): number {
  let w = width;
  let h = height;
  const long = Math.max(w, h);
  if (long > MAX_LONG_EDGE) {
    w = (w * MAX_LONG_EDGE) / long;
    h = (h * MAX_LONG_EDGE) / long;
  }
  return Math.max(1, Math.min(MAX_IMAGE_TOKENS, Math.ceil((w * h) / PIXELS_PER_TOKEN)));
}

/** An image block: base64 data by its real size; a URL or file (size unknown here) as a full-size image. */
function imageBlockTokens(source: unknown): number {
  if (isObject(source) && source.type === 'base64' && typeof source.data === 'string') {
    const size = imageSizeOf(source.data);
    if (size) return imageTokens(size.width, size.height);
  }
  return MAX_IMAGE_TOKENS;
}

/** Pages of a base64 PDF: its page objects, or the page tree's count, whichever is larger (at least one). */
function pdfPages(base64: string): number {
  const text = Buffer.from(base64, 'base64').toString('latin1');
  const pageObjects = text.match(/\/Type\s*\/Page(?![a-zA-Z])/g)?.length ?? 0;
  let counted = 0;
  for (const m of text.matchAll(/\/Type\s*\/Pages\b[^>]*?\/Count\s+(\d+)|\/Count\s+(\d+)[^>]*?\/Type\s*\/Pages\b/g)) {
    counted = Math.max(counted, Number(m[1] ?? m[2]));
  }
  return Math.max(1, pageObjects, counted);
}

/** A document block's size: a text source by its text, content blocks by theirs, a PDF by its pages. */
function documentSize(block: Record<string, unknown>, size: { chars: number; tokens: number }): void {
  const source = block.source;
  if (typeof block.title === 'string') size.chars += block.title.length;
  if (typeof block.context === 'string') size.chars += block.context.length;
  if (!isObject(source)) return;
  if (source.type === 'text' && typeof source.data === 'string') size.chars += source.data.length;
  else if (source.type === 'content') measure(source.content, size);
  else if (source.type === 'base64' && typeof source.data === 'string')
    size.tokens += pdfPages(source.data) * TOKENS_PER_PDF_PAGE;
  // A URL or file PDF cannot be read here: counted as one page.
  else size.tokens += TOKENS_PER_PDF_PAGE;
}

/** Text characters and non-text tokens of one piece of content (a block, a list of blocks, or a string). */
function measure(value: unknown, size: { chars: number; tokens: number }): void {
  if (typeof value === 'string') size.chars += value.length;
  else if (Array.isArray(value)) for (const item of value) measure(item, size);
  else if (isObject(value)) {
    if (value.type === 'image') size.tokens += imageBlockTokens(value.source);
    else if (value.type === 'document') documentSize(value, size);
    else if (value.type === 'tool_use')
      size.chars += String(value.name).length + JSON.stringify(value.input ?? {}).length;
    else {
      if (value.text !== undefined) measure(value.text, size);
      if (value.content !== undefined) measure(value.content, size);
    }
  }
}

/** The prompt in order (tools, system, message blocks), each piece with its size and cache breakpoint. */
function segmentsOf(params: TokenParams): Segment[] {
  const segments: Segment[] = [];
  const add = (value: unknown, chars: number, tokens: number) => {
    const cacheControl = isObject(value) && isObject(value.cache_control) ? value.cache_control : undefined;
    segments.push({ value, chars, tokens, ...(cacheControl ? { cacheControl } : {}) });
  };
  const addBlocks = (content: unknown) => {
    if (typeof content === 'string') {
      add(content, content.length, 0);
      return;
    }
    for (const block of Array.isArray(content) ? content : [content]) {
      const size = { chars: 0, tokens: 0 };
      measure(block, size);
      add(block, size.chars, size.tokens);
    }
  };
  if (Array.isArray(params.tools)) for (const tool of params.tools) add(tool, JSON.stringify(tool).length, 0);
  if (params.system !== undefined) addBlocks(params.system);
  if (Array.isArray(params.messages)) {
    for (const message of params.messages) addBlocks(isObject(message) ? message.content : message);
  }
  return segments;
}

const sizeOf = (segments: Segment[]) =>
  tokensOf(segments.reduce((sum, s) => sum + s.chars, 0)) + segments.reduce((sum, s) => sum + s.tokens, 0);

/** The input token estimate (count_tokens and usage agree). */
export function inputTokensOf(params: TokenParams): number {
  return Math.max(1, sizeOf(segmentsOf(params)));
}

/**
 * The cacheable prefix, if the request asks for caching: up to its last `cache_control` breakpoint, or with a
 * top-level `cache_control` (automatic caching) up to its last block, whichever reaches further.
 */
export function cachePrefixOf(params: TokenParams): { key: string; tokens: number; ttl: '5m' | '1h' } | undefined {
  const segments = segmentsOf(params);
  let last = -1;
  segments.forEach((s, i) => {
    if (s.cacheControl) last = i;
  });
  let ttl: unknown = last >= 0 ? segments[last]!.cacheControl?.ttl : undefined;
  if (isObject(params.cache_control) && segments.length > 0) {
    if (segments.length - 1 > last) ttl = params.cache_control.ttl;
    last = segments.length - 1;
  }
  if (last < 0) return undefined;
  const prefix = segments.slice(0, last + 1);
  return {
    key: JSON.stringify([params.model, ...prefix.map((s) => s.value)]),
    tokens: sizeOf(prefix),
    ttl: ttl === '1h' ? '1h' : '5m',
  };
}
