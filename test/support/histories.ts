import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { WorkflowHandle } from '@temporalio/client';

type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;

export const historiesDir = join(__dirname, '..', 'histories');

/**
 * Saves a finished run's history as a replay fixture when CLAUDE_BATCH_RECORD_HISTORIES is set
 * (`npm run record-histories`); otherwise does nothing, so the committed fixtures stay as recorded.
 */
export async function recordHistory(scenario: string, handle: { fetchHistory(): Promise<History> }): Promise<void> {
  if (!process.env.CLAUDE_BATCH_RECORD_HISTORIES) return;
  await mkdir(historiesDir, { recursive: true });
  await writeFile(join(historiesDir, `${scenario}.json`), historyToJSON(await handle.fetchHistory()));
}

export async function loadHistories(): Promise<{ workflowId: string; history: History }[]> {
  const files = (await readdir(historiesDir).catch(() => [] as string[])).filter((f) => f.endsWith('.json')).sort();
  return Promise.all(
    files.map(async (f) => ({
      workflowId: f.replace(/\.json$/, ''),
      history: historyFromJSON(JSON.parse(await readFile(join(historiesDir, f), 'utf8'))),
    })),
  );
}
