import type { JobStorage } from '../storage/storage';

/** Where a job keeps its intermediate data, under its output folder. */
export function workPaths(storage: JobStorage, output: string) {
  const work = storage.join(output, '.work');
  const pad = (n: number) => String(n).padStart(4, '0');
  return {
    work,
    idIndex: storage.join(work, 'custom-ids.txt'),
    chunkBody: (round: number, chunk: number) => storage.join(work, `round-${round}`, `chunk-${pad(chunk)}.json`),
    outcomes: (round: number, chunk: number) => storage.join(work, `round-${round}`, `outcomes-${pad(chunk)}.jsonl`),
    results: storage.join(output, 'results.jsonl'),
    summary: storage.join(output, 'summary.json'),
  };
}
