import type { JobStorage } from '../storage/storage';

/**
 * Where a job keeps its intermediate data: `<job key>/` under its work folder (the `work` option; default `.work/`
 * under its output folder), so two jobs given the same folder never share (or clean up) each other's chunks and
 * outcomes. Jobs with a key of the older, time-derived form (`j…`) keep using `.work/` itself, where their first
 * chunks already are.
 */
export function workPaths(storage: JobStorage, output: string, jobKey: string, workFolder?: string) {
  const workRoot = workFolder ?? storage.join(output, '.work');
  const work = jobKey.startsWith('j') ? workRoot : storage.join(workRoot, jobKey);
  const pad = (n: number) => String(n).padStart(4, '0');
  return {
    workRoot,
    work,
    idIndex: storage.join(work, 'custom-ids.txt'),
    chunkBody: (round: number, chunk: number) => storage.join(work, `round-${round}`, `chunk-${pad(chunk)}.json`),
    outcomes: (round: number, chunk: number) => storage.join(work, `round-${round}`, `outcomes-${pad(chunk)}.jsonl`),
  };
}

/** What a job leaves for its user in the output folder. */
export function outputPaths(storage: JobStorage, output: string) {
  return { results: storage.join(output, 'results.jsonl'), summary: storage.join(output, 'summary.json') };
}
