import type { JobBudget, JobProgress } from '../shared/job';

// Plain "USD": the Web UI's Markdown treats a dollar sign as the start of a formula.
const usd = (n: number) => `USD ${n.toFixed(n < 1 ? 4 : 2)}`;

function budgetLine(b: JobBudget): string {
  const parts = [`spent ${usd(b.spentUsd)}`];
  if (b.budgetUsd !== undefined) parts.unshift(`budget ${usd(b.budgetUsd)}`);
  if (b.estimate) parts.push(`estimate up to ${usd(b.estimate.ceilingUsd)} (expected ${usd(b.estimate.expectedUsd)})`);
  return `**Budget:** ${parts.join(' · ')}`;
}

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
    ...(p.build
      ? [
          `**Built from documents:** ${p.build.documents} requests; skipped ${p.build.skipped.binary} binary, ` +
            `${p.build.skipped.empty} empty, ${p.build.skipped.excluded} by include/exclude · manifest \`${p.build.manifest}\``,
        ]
      : []),
    `**Cost so far:** ${usd(p.cost.batchUsd)} at batch prices (standard: ${usd(p.cost.standardUsd)})`,
    ...(p.nextCheckAt ? [`**Next check:** ${p.nextCheckAt}`] : []),
    ...(p.paused ? ['**Paused:** nothing new is sent until the `resume` update; live batches go on.'] : []),
    ...(p.budget ? [budgetLine(p.budget)] : []),
    ...(p.budget?.hold ? [`**Awaiting approval:** ${p.budget.hold}.`] : []),
    ...(p.cache
      ? [
          `**Prompt cache:** ${p.cache
            .map(
              (c) =>
                `round ${c.round}: ${c.cacheRead} tokens read, ${c.cacheWrite} written${c.primedPrefixes !== undefined ? ` (${c.primedPrefixes} prefixes primed)` : ''}`,
            )
            .join('; ')}`,
        ]
      : []),
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
