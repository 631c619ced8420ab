// Prompt-cache priming: requests of a batch run in parallel, so those sharing a cached prefix mostly all write it
// (each pays the cache-write price) instead of reading it. Right before a round is submitted, one ordinary Messages
// call per distinct cached prefix writes it, and the batch's requests then read it.
import { createInterface } from 'node:readline';
import { createHash } from 'node:crypto';
import type Anthropic from '@anthropic-ai/sdk';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { ChunkRef } from '../shared/job';
import type { JobStorage } from '../storage/storage';
import { primingParamsOf, type PrimingParams } from '../requests/cache-prefix';
import { requestLineOf } from '../requests/chunk-writer';
import { splitRequestLine } from '../requests/request-body-line';
import { callApi } from './api-errors';

/** `auto`: prime the prefixes at least two requests share; `on`: every cached prefix. */
export type PrimeCacheMode = 'auto' | 'on';

export interface PrimeCacheInput {
  /** The round's chunks, about to be submitted. */
  chunks: ChunkRef[];
  mode: PrimeCacheMode;
}

export interface PrimeCacheResult {
  /** Distinct cached prefixes among the round's requests. */
  prefixes: number;
  /** Messages calls made (one per prefix primed). */
  primed: number;
  /** Requests whose prefix was primed. */
  requestsSharing: number;
  /** Input tokens of the priming calls, as their usage reports them (uncached, written and read). */
  inputTokensPrimed: number;
  /** Prefixes whose call the API refused for good (a 4xx other than 408/409/429): left to the batch to write. */
  refused: number;
}

/** Prefixes primed at once. */
const CONCURRENCY = 4;
/** Heartbeats while a call is in flight, well inside the workflow's 20 s heartbeat timeout. */
const HEARTBEAT_MS = 5_000;

/** Where a request is: its chunk and its line among the chunk's request lines. */
interface Place {
  chunk: number;
  line: number;
}

interface Prefix {
  count: number;
  /** The first request with it: read again, alone, to build the call (nothing else of the prompt is kept). */
  first: Place;
}

/** The request lines of a chunk body with their position, streamed (a body is up to 256 MB). */
async function* requestLines(storage: JobStorage, body: string): AsyncGenerator<{ line: number; text: string }> {
  let line = 0;
  for await (const bodyLine of createInterface({ input: storage.read(body), crlfDelay: Infinity })) {
    const text = requestLineOf(bodyLine);
    if (text === undefined) continue;
    yield { line: line++, text };
  }
}

function paramsOf(requestLine: string): Record<string, unknown> {
  const split = splitRequestLine(requestLine);
  const params = split
    ? (JSON.parse(split.paramsJson) as unknown)
    : (JSON.parse(requestLine) as { params?: unknown }).params;
  return typeof params === 'object' && params !== null ? (params as Record<string, unknown>) : {};
}

const digestOf = (params: PrimingParams) => createHash('sha256').update(JSON.stringify(params)).digest('base64');

export function createPrimeCacheActivities({ anthropic, storage }: { anthropic: Anthropic; storage: JobStorage }) {
  return {
    /**
     * Sends one `messages.create` (max_tokens 1) per distinct cached prefix of the round's requests: those shared by
     * at least two requests in `auto` mode, all in `on` mode. Two streaming passes over the chunk bodies: the first
     * keeps only a digest, a count and the first place of each prefix; the second reads back the requests to prime.
     */
    async primeCache(input: PrimeCacheInput): Promise<PrimeCacheResult> {
      const ctx = Context.current();
      let progress: Record<string, number> = { read: 0 };
      const timer = setInterval(() => ctx.heartbeat(progress), HEARTBEAT_MS);
      try {
        const prefixes = new Map<string, Prefix>();
        let read = 0;
        for (const [chunk, ref] of input.chunks.entries()) {
          for await (const { line, text } of requestLines(storage, ref.body)) {
            if (++read % 10_000 === 0) ctx.heartbeat((progress = { read }));
            // Most requests mark no breakpoint: their params are not even parsed.
            if (!text.includes('"cache_control"')) continue;
            const params = primingParamsOf(paramsOf(text));
            if (!params) continue;
            const key = digestOf(params);
            const known = prefixes.get(key);
            if (known) known.count += 1;
            else prefixes.set(key, { count: 1, first: { chunk, line } });
          }
        }
        const minimum = input.mode === 'on' ? 1 : 2;
        const chosen = [...prefixes.values()].filter((p) => p.count >= minimum);
        const result: PrimeCacheResult = {
          prefixes: prefixes.size,
          primed: 0,
          requestsSharing: 0,
          inputTokensPrimed: 0,
          refused: 0,
        };
        prefixes.clear();
        const calls: { params: PrimingParams; count: number }[] = [];
        for (const [chunk, ref] of input.chunks.entries()) {
          const wanted = new Map(chosen.filter((p) => p.first.chunk === chunk).map((p) => [p.first.line, p.count]));
          if (wanted.size === 0) continue;
          for await (const { line, text } of requestLines(storage, ref.body)) {
            const count = wanted.get(line);
            if (count === undefined) continue;
            calls.push({ params: primingParamsOf(paramsOf(text))!, count });
            wanted.delete(line);
            if (wanted.size === 0) break;
            // Calls go out as soon as there are enough of them, so that few prompts are held at once.
            if (calls.length >= CONCURRENCY) await send(calls.splice(0));
          }
        }
        if (calls.length > 0) await send(calls);
        return result;

        async function send(batch: { params: PrimingParams; count: number }[]): Promise<void> {
          await Promise.all(
            batch.map(async ({ params, count }) => {
              try {
                const message = await callApi('prime the prompt cache', () => anthropic.messages.create(params));
                const usage = message.usage;
                result.primed += 1;
                result.requestsSharing += count;
                result.inputTokensPrimed +=
                  usage.input_tokens + (usage.cache_creation_input_tokens ?? 0) + (usage.cache_read_input_tokens ?? 0);
              } catch (err) {
                // A prefix the API refuses is the batch's to write (and its requests' to fail): not worth the round.
                if (err instanceof ApplicationFailure && err.nonRetryable) result.refused += 1;
                else throw err;
              }
            }),
          );
          ctx.heartbeat((progress = { read, primed: result.primed }));
        }
      } finally {
        clearInterval(timer);
      }
    },
  };
}
