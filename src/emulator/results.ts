// The results stream: one JSON line per request, generated from the request log as it is sent, with backpressure,
// so a 100,000-request batch never exists as one string.
import type { ServerResponse } from 'node:http';
import { CACHE_USES, type StoredBatch, type Timeline } from './batches';
import { messageFor, type MessageParams } from './completions';
import { stableId } from './ids';
import type { Scenario } from './types';

/** One result line's `result` for request `i`, whose log line is `line`. */
export function resultOf(batch: StoredBatch, timeline: Timeline, i: number, line: string, now: number) {
  const state = timeline.requestState(i, now);
  if (state === 'succeeded') {
    const { params } = JSON.parse(line) as { params: MessageParams };
    const customId = batch.plan.customIds[i]!;
    return {
      type: 'succeeded' as const,
      message: messageFor(params, {
        id: stableId('msg_', `${batch.id}/${customId}`),
        cache: CACHE_USES[batch.plan.cache[i]!] ?? 'none',
        serviceTier: 'batch',
      }),
    };
  }
  if (state === 'errored') {
    const error = batch.plan.errors.get(i) ?? { type: 'api_error', message: 'Internal server error' };
    return { type: 'errored' as const, error: { type: 'error', error, request_id: null } };
  }
  // Only called once the batch has ended, so nothing is still processing.
  return { type: state === 'processing' ? ('expired' as const) : state };
}

/** Resolves once the response can take more, or has closed (a client that went away must not hang the loop). */
function writable(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function streamResults(
  res: ServerResponse,
  source: { batch: StoredBatch; timeline: Timeline; scenario: Scenario; lines: AsyncIterable<string>; now: number },
  headers: Record<string, string>,
): Promise<void> {
  const { batch, timeline, scenario, now } = source;
  res.writeHead(200, { 'content-type': 'application/x-jsonl', ...headers });
  // Lines go out in writes of about 64 KB: a write per line (a chunk of the HTTP encoding each) made the emulator,
  // not the client, the slow end of a 100,000-line download.
  let pending = '';
  const flush = async () => {
    if (pending.length === 0) return;
    const ready = res.write(pending);
    pending = '';
    if (!ready) await writable(res);
  };
  let i = 0;
  for await (const line of source.lines) {
    if (res.destroyed) return;
    if (scenario.cutResultsAfterLines !== undefined && i >= scenario.cutResultsAfterLines) {
      // Like a connection lost mid-download: the lines so far arrive, then the stream breaks without its end.
      await flush();
      res.socket?.end();
      return;
    }
    const customId = batch.plan.customIds[i]!;
    pending += JSON.stringify({ custom_id: customId, result: resultOf(batch, timeline, i, line, now) }) + '\n';
    i += 1;
    if (scenario.resultsDelayMsPerLine) {
      await flush();
      await sleep(scenario.resultsDelayMsPerLine);
    } else if (pending.length >= 1 << 16) await flush();
  }
  await flush();
  res.end();
}
