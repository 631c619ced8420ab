import type { JobBudget, JobProgress } from '../shared/job';

// The Web UI shows this under "current details" in a narrow column: short lines, lists rather than tables (a wide
// table is clipped to a strip), every round's batches, and what an operator can do next.

// Plain "USD": the Web UI's Markdown treats a dollar sign as the start of a formula.
const usd = (n: number) => `USD ${n.toFixed(n < 1 ? 4 : 2)}`;
/** Batches listed one a line; past this many the rest are counted (the `progress` query lists them all). */
const MAX_BATCH_LINES = 40;

function budgetLine(b: JobBudget): string {
  const parts = [`spent ${usd(b.spentUsd)}`];
  if (b.budgetUsd !== undefined) parts.unshift(`budget ${usd(b.budgetUsd)}`);
  if (b.estimate) parts.push(`estimate up to ${usd(b.estimate.ceilingUsd)} (expected ${usd(b.estimate.expectedUsd)})`);
  return `**Budget:** ${parts.join(' · ')}`;
}

/** A time as people read it: to the second, UTC. */
const time = (iso: string) => iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC');

function batchLines(p: JobProgress): string[] {
  if (p.chunks.length === 0) return ['- none yet'];
  const lines = p.chunks.map((c) => {
    const counts = c.counts
      ? Object.entries(c.counts)
          .filter(([, n]) => n > 0)
          .map(([k, n]) => `${n} ${k}`)
          .join(', ')
      : '';
    const batch = c.batchId ? `\`${c.batchId}\`` : 'not sent yet';
    return `- round ${c.round}, chunk ${c.index}: ${batch}, ${c.status.replace('_', ' ')}${counts ? `: ${counts}` : ''}`;
  });
  if (lines.length <= MAX_BATCH_LINES) return lines;
  return [...lines.slice(0, MAX_BATCH_LINES), `- and ${lines.length - MAX_BATCH_LINES} more (the \`progress\` query)`];
}

/**
 * The API's error as a sentence: the SDK's message carries the response body as JSON (`404 {"type":"error",...}`),
 * which the Web UI would show as one long string.
 */
function readableError(text: string): string {
  const body = /^(.*?)(\{.*\})\s*$/s.exec(text);
  if (!body) return text;
  try {
    const parsed = JSON.parse(body[2]!) as { error?: { type?: string; message?: string }; request_id?: string };
    if (!parsed.error?.message) return text;
    const id = parsed.request_id ? ` (request ${parsed.request_id})` : '';
    return `${body[1]!}${parsed.error.type ?? 'error'}: ${parsed.error.message}${id}`;
  } catch {
    return text;
  }
}

const joinPath = (folder: string, name: string) => `${folder.replace(/\/+$/, '')}/${name}`;

/** The job's progress as the Markdown the Web UI shows under "current details". */
export function progressMarkdown(p: JobProgress, workflowId = '<workflow id>'): string {
  const ended = p.phase === 'done';
  const d = p.done;
  const final = d.succeeded + d.errored + d.expired + d.canceled;
  const failed = d.errored + d.expired + d.canceled;
  const resultsPath = p.report?.resultsPath ?? (p.options ? joinPath(p.options.output, 'results.jsonl') : undefined);
  const summaryPath = p.report?.summaryPath ?? (p.options ? joinPath(p.options.output, 'summary.json') : undefined);
  const state = ended
    ? p.report?.canceled
      ? 'canceled'
      : failed > 0
        ? 'finished with failures'
        : 'succeeded'
    : p.phase;

  const head = [
    `**Job:** ${state} · round ${p.round} of at most ${p.maxRounds}`,
    `**Requests:** ${final} of ${p.totalRequests} final: ${d.succeeded} succeeded, ${failed} failed` +
      (ended ? '' : `, ${p.pending} pending`),
    ...(p.build
      ? [
          `**Built from documents:** ${p.build.documents} requests; skipped ${p.build.skipped.binary} binary, ` +
            `${p.build.skipped.empty} empty, ${p.build.skipped.excluded} by include/exclude · manifest \`${p.build.manifest}\``,
        ]
      : []),
    ended
      ? `**Cost:** ${usd(p.cost.batchUsd)} at batch prices (standard ${usd(p.cost.standardUsd)})`
      : `**Cost so far:** ${usd(p.cost.batchUsd)} at batch prices (standard ${usd(p.cost.standardUsd)})`,
    ...(p.nextCheckAt && !ended ? [`**Next check:** ${time(p.nextCheckAt)}`] : []),
    ...(p.paused && !ended ? ['**Paused:** nothing new is sent until `resume`; live batches go on.'] : []),
    ...(p.budget ? [budgetLine(p.budget)] : []),
    ...(p.budget?.hold && !ended ? [`**Awaiting approval:** ${p.budget.hold}.`] : []),
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
  ];

  const stall = p.stall
    ? [
        `#### Stalled since ${time(p.stall.since)}`,
        [
          `- ${p.stall.tries} ${p.stall.tries === 1 ? 'try' : 'tries'} so far; send \`checkNow\` to try again at once`,
          `- step: ${p.stall.step}`,
          `- error: ${readableError(p.stall.error)}`,
          `- what to check: ${p.stall.hint}`,
          '- the job keeps its batches and goes on by itself once the API answers; cancel it to stop',
        ].join('\n'),
      ]
    : [];

  const failures: string[] = [];
  if (failed > 0) {
    const byType = Object.entries(d.erroredByType)
      .map(([type, n]) => `${n} ${type}`)
      .join(', ');
    const kinds = [
      d.errored ? `${d.errored} errored${byType ? ` (${byType})` : ''}` : '',
      d.expired ? `${d.expired} expired` : '',
      d.canceled ? `${d.canceled} canceled` : '',
    ].filter(Boolean);
    const first = p.report?.firstFailed ?? [];
    failures.push(
      '#### Failed requests',
      [
        `- ${kinds.join(', ')}`,
        ...(first.length > 0
          ? [`- first: ${first.map((id) => `\`${id}\``).join(', ')}${failed > first.length ? ', …' : ''}`]
          : []),
        ...(resultsPath
          ? [
              `- all of them${ended ? '' : ' (once the job ends)'}:`,
              `  \`jq -c 'select(.outcome != "succeeded")' ${resultsPath}\``,
            ]
          : []),
      ].join('\n'),
    );
  }

  const results = resultsPath
    ? [
        '#### Results',
        [
          `- \`${resultsPath}\``,
          `  one line per request, in input order${ended ? '' : ', written when the job ends'}`,
          `- summary: \`${summaryPath!}\``,
        ].join('\n'),
      ]
    : [];

  const act = ended
    ? []
    : [
        '#### Act',
        [
          `- check now: signal \`checkNow\`, or \`claude-batch check ${workflowId}\``,
          p.paused
            ? `- resume: update \`resume\`, or \`claude-batch resume ${workflowId}\``
            : `- pause: update \`pause\`, or \`claude-batch pause ${workflowId}\``,
          ...(p.budget?.hold ? [`- let it go: update \`approve\` or \`setBudget\` (\`claude-batch approve\`)`] : []),
          `- cancel: Request Cancellation, or \`claude-batch cancel ${workflowId}\``,
          '  (its live batches are canceled at the API; what finished is kept)',
        ].join('\n'),
      ];

  // What needs the operator first; the batch list, which may be long, last (the Web UI's panel scrolls).
  return [...head, ...stall, ...failures, ...act, ...results, '#### Batches', batchLines(p).join('\n')]
    .filter((s) => s.length > 0)
    .join('\n\n');
}
