import type { JobProgress } from '../shared/job';

// Plain "USD": the Web UI's Markdown treats a dollar sign as the start of a formula.
const usd = (n: number) => `USD ${n.toFixed(n < 1 ? 4 : 2)}`;

/** The job's progress as the Markdown the Web UI shows under "current details". */
export function progressMarkdown(p: JobProgress): string {
  const done = p.done.succeeded + p.done.errored + p.done.expired + p.done.canceled;
  const rows = p.chunks
    .filter((c) => c.round === p.round)
    .map((c) => {
      const counts = c.counts
        ? `${c.counts.processing} processing, ${c.counts.succeeded} succeeded, ${c.counts.errored} errored, ${c.counts.expired} expired, ${c.counts.canceled} canceled`
        : '';
      return `| ${c.index} | ${c.batchId ?? '—'} | ${c.status} | ${counts} |`;
    });
  const paragraphs = [
    `**Phase:** ${p.phase} · **round** ${p.round} of at most ${p.maxRounds}`,
    `**Requests:** ${done} of ${p.totalRequests} final — ${p.done.succeeded} succeeded, ${p.done.errored} errored, ${p.done.expired} expired, ${p.done.canceled} canceled`,
    `**Cost so far:** ${usd(p.cost.batchUsd)} at batch prices (standard: ${usd(p.cost.standardUsd)})`,
    ...(p.nextCheckAt ? [`**Next check:** ${p.nextCheckAt}`] : []),
    ...(p.stall
      ? [
          `**Stalled since ${p.stall.since}** (${p.stall.tries} ${p.stall.tries === 1 ? 'try' : 'tries'}): ${p.stall.step} failed: ${p.stall.error}`,
          `**What to check:** ${p.stall.hint}. The job keeps its batches and goes on by itself; cancel it to stop.`,
        ]
      : []),
  ];
  const table = ['| chunk | batch | status | requests |', '|---|---|---|---|', ...rows];
  return [...paragraphs, table.join('\n')].join('\n\n');
}
