// Shared by the emulator's tests: an emulator on a frozen clock (time moves only when a test moves it) and the
// official SDK pointed at it.
import Anthropic from '@anthropic-ai/sdk';
import { EmulatorClock, startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator';

export const API_KEY = 'test-key';
export const START = Date.parse('2025-03-01T12:00:00.000Z');
export const HOUR = 60 * 60 * 1000;

export interface TestEmulator {
  emulator: Emulator;
  clock: EmulatorClock;
  /** The official SDK with its retries off (tests that need them make their own client). */
  client: Anthropic;
  sdk(options?: { maxRetries?: number }): Anthropic;
}

export async function testEmulator(options: EmulatorOptions = {}): Promise<TestEmulator> {
  const clock = options.clock ?? frozenClock();
  const emulator = await startEmulator({ apiKey: API_KEY, ...options, clock });
  const sdk = (o: { maxRetries?: number } = {}) =>
    new Anthropic({ baseURL: emulator.url, apiKey: API_KEY, maxRetries: o.maxRetries ?? 0 });
  return { emulator, clock, client: sdk(), sdk };
}

export function frozenClock(at = START): EmulatorClock {
  const clock = new EmulatorClock(at);
  clock.freeze();
  return clock;
}

/** A request line as users write them. */
export function request(customId: string, text: string, params: Record<string, unknown> = {}) {
  return {
    custom_id: customId,
    params: {
      model: 'claude-sonnet-4-5',
      max_tokens: 256,
      messages: [{ role: 'user' as const, content: text }],
      ...params,
    },
  };
}

export function requests(count: number, prefix = 'req'): ReturnType<typeof request>[] {
  return Array.from({ length: count }, (_, i) =>
    request(`${prefix}-${i}`, `Question number ${i}: what is ${i} + ${i}?`),
  );
}

/** Every result line of an ended batch, through the SDK's own results iterator. */
export async function resultsOf(client: Anthropic, batchId: string) {
  const lines: Anthropic.Messages.MessageBatchIndividualResponse[] = [];
  for await (const line of await client.messages.batches.results(batchId)) lines.push(line);
  return lines;
}

/** A raw call, for what the SDK will not send (no version header, a body that is not JSON). */
export async function rawCall(
  emulator: Emulator,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
) {
  const res = await fetch(emulator.url + path, {
    method: init.method ?? 'GET',
    headers: { 'x-api-key': API_KEY, 'anthropic-version': '2023-06-01', ...init.headers },
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
  return { status: res.status, headers: res.headers, body: await res.json() };
}
