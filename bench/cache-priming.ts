// Cache priming on the emulator: one job's worth of 10,000 requests sharing a 5,000-token cached prefix, sent as one
// batch with and without a priming call first (the job's primeCache activity), at several processing rates (the
// emulator's waves are a second of processing each, so the rate sets how many requests run in parallel). Prints the
// share of requests that read the prefix and the cost (batch prices, the priming call at standard prices) side by side.
// `npm run bench` runs it; `npx tsx bench/cache-priming.ts` alone.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { MockActivityEnvironment } from '@temporalio/testing';
import { EmulatorClock, startEmulator } from '../src/emulator';
import { createPrimeCacheActivities, type PrimeCacheResult } from '../src/activities/prime-cache';
import { addUsage, standardCostUsd, type ApiUsage } from '../src/pricing/prices';
import type { Cost, TokenUsage } from '../src/shared/job';
import { LocalStorage } from '../src/storage/local-storage';

const REQUESTS = 10_000;
const PREFIX_TOKENS = 5_000;
const MODEL = 'claude-sonnet-5-5';
/** Requests processed per second of emulator time: the emulator's default, then ten and fifty times as parallel. */
const RATES = [200, 2_000, 10_000];

const system = [
  {
    type: 'text' as const,
    // Four characters a token, as the emulator counts.
    text: 'Shared instructions for every document of the job. '.repeat(PREFIX_TOKENS * 4).slice(0, PREFIX_TOKENS * 4),
    cache_control: { type: 'ephemeral' as const },
  },
];

const requests = Array.from({ length: REQUESTS }, (_, i) => ({
  custom_id: `doc-${i}`,
  params: {
    model: MODEL,
    max_tokens: 200,
    system,
    messages: [{ role: 'user' as const, content: `Summarise document ${i} in one paragraph.` }],
  },
}));

export interface PrimingFigures {
  rate: number;
  primed: boolean;
  readShare: number;
  writes: number;
  batchUsd: number;
  primingUsd: number;
}

async function run(rate: number, prime: boolean, chunkBody: string): Promise<PrimingFigures> {
  const clock = new EmulatorClock(Date.parse('2026-11-26T00:00:00Z'));
  clock.freeze();
  const emulator = await startEmulator({ clock, requestsPerSecond: rate });
  try {
    const anthropic = new Anthropic({ apiKey: 'bench', baseURL: emulator.url });
    let primingUsd = 0;
    if (prime) {
      const activities = createPrimeCacheActivities({ anthropic, storage: new LocalStorage() });
      const result: PrimeCacheResult = await new MockActivityEnvironment().run(() =>
        activities.primeCache({
          chunks: [{ index: 0, body: chunkBody, requestCount: REQUESTS, bytes: 0 }],
          mode: 'auto',
        }),
      );
      if (result.primed !== 1) throw new Error(`expected one priming call, made ${result.primed}`);
      // What the call cost: its prefix written at the standard 5-minute write price, one output token.
      primingUsd =
        standardCostUsd(MODEL, {
          input_tokens: result.inputTokensPrimed - PREFIX_TOKENS,
          cache_creation_input_tokens: PREFIX_TOKENS,
          output_tokens: 1,
        }) ?? 0;
    }
    const batch = await anthropic.messages.batches.create({ requests });
    clock.advance(24 * 60 * 60 * 1000);
    const tokens: TokenUsage = { input: 0, output: 0, cacheWrite: 0, cacheRead: 0 };
    const cost: Cost = { batchUsd: 0, standardUsd: 0, unpricedModels: [] };
    let reads = 0;
    let writes = 0;
    for await (const line of await anthropic.messages.batches.results(batch.id)) {
      if (line.result.type !== 'succeeded') throw new Error(`${line.custom_id}: ${line.result.type}`);
      const usage: ApiUsage = line.result.message.usage;
      if (usage.cache_read_input_tokens) reads += 1;
      if (usage.cache_creation_input_tokens) writes += 1;
      addUsage(tokens, cost, MODEL, usage);
    }
    return { rate, primed: prime, readShare: reads / REQUESTS, writes, batchUsd: cost.batchUsd, primingUsd };
  } finally {
    await emulator.close();
  }
}

/** Every rate without and with priming. */
export async function cachePrimingFigures(): Promise<PrimingFigures[]> {
  const dir = await mkdtemp(join(tmpdir(), 'claude-batch-priming-'));
  try {
    const chunkBody = join(dir, 'chunk-0000.json');
    await writeFile(chunkBody, `{"requests":[\n${requests.map((r) => JSON.stringify(r)).join(',\n')}\n]}\n`);
    const figures: PrimingFigures[] = [];
    for (const rate of RATES) {
      figures.push(await run(rate, false, chunkBody));
      figures.push(await run(rate, true, chunkBody));
    }
    return figures;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function printCachePriming(figures: PrimingFigures[]): void {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`.padStart(6);
  const usd = (x: number) => `$${x.toFixed(2)}`.padStart(7);
  console.log(
    `\ncache priming: ${REQUESTS.toLocaleString('en-US')} requests sharing a ${PREFIX_TOKENS.toLocaleString('en-US')}-token ` +
      `cached prefix (${MODEL}, 5-minute TTL), one batch; cost at batch prices, the priming call at standard prices`,
  );
  console.log('requests/s  waves   read share: unprimed  primed   cost: unprimed   primed (of which priming)  saved');
  for (const rate of RATES) {
    const off = figures.find((f) => f.rate === rate && !f.primed)!;
    const on = figures.find((f) => f.rate === rate && f.primed)!;
    const total = on.batchUsd + on.primingUsd;
    console.log(
      `${String(rate).padStart(10)}  ${String(Math.ceil(REQUESTS / rate)).padStart(5)}   ` +
        `${pct(off.readShare).padStart(20)}  ${pct(on.readShare)}   ${usd(off.batchUsd).padStart(14)}  ${usd(total)} ` +
        `(${usd(on.primingUsd)})${pct(1 - total / off.batchUsd).padStart(17)}`,
    );
  }
}

if (require.main === module) {
  cachePrimingFigures()
    .then(printCachePriming)
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
