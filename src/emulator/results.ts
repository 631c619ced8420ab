// The results stream: one JSON line per request, with backpressure, so a 100,000-request batch never exists as one
// string. A succeeded request's message is worked out once, at creation, and kept in the batch's replies log; the
// stream only adds its id, so it never has to read or parse the requests again.
import type { ServerResponse } from 'node:http';
import type { StoredBatch, Timeline } from './batches';
import { stableId } from './ids';
import type { IndexedLine } from './order';
import type { Scenario } from './types';

/** Request `i`'s result line (without its newline), given its replies-log line. */
export function resultLine(batch: StoredBatch, timeline: Timeline, i: number, reply: string, now: number): string {
  const customId = batch.plan.customIds[i]!;
  const state = timeline.requestState(i, now);
  if (state === 'succeeded') {
    const id = stableId('msg_', `${batch.id}/${customId}`);
    // The reply is the message's JSON object without its id; the id goes first, as in the API's own order.
    const message = `{"id":${JSON.stringify(id)},${reply.slice(1)}`;
    return `{"custom_id":${JSON.stringify(customId)},"result":{"type":"succeeded","message":${message}}}`;
  }
  return JSON.stringify({ custom_id: customId, result: unsucceeded(batch, i, state) });
}

function unsucceeded(batch: StoredBatch, i: number, state: ReturnType<Timeline['requestState']>) {
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
  source: {
    batch: StoredBatch;
    timeline: Timeline;
    scenario: Scenario;
    /** The replies log's lines, in the order they go out. */
    replies: AsyncIterable<IndexedLine>;
    now: number;
  },
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
  let sent = 0;
  for await (const { index, line: reply } of source.replies) {
    if (res.destroyed) return;
    if (scenario.cutResultsAfterLines !== undefined && sent >= scenario.cutResultsAfterLines) {
      // Like a connection lost mid-download: the lines so far arrive, then the stream breaks without its end.
      await flush();
      res.socket?.end();
      return;
    }
    pending += resultLine(batch, timeline, index, reply, now) + '\n';
    sent += 1;
    if (scenario.resultsDelayMsPerLine) {
      await flush();
      await sleep(scenario.resultsDelayMsPerLine);
    } else if (pending.length >= 1 << 16) await flush();
  }
  await flush();
  res.end();
}
