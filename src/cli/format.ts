import type { JobProgress, JobStall, JobSummary } from '../shared/job';

export const usd = (n: number): string => `$${n.toFixed(n !== 0 && Math.abs(n) < 1 ? 4 : 2)}`;

/** The final summary as a small table for people. */
export function summaryTable(summary: JobSummary, resultsPath: string, outcome?: string): string {
  const o = summary.outcomes;
  const errors = Object.entries(o.erroredByType)
    .map(([type, n]) => `${type} ${n}`)
    .join(', ');
  const rows: [string, string][] = [
    ['job', `${summary.name} (${summary.workflowId})`],
    ...(outcome ? [['outcome', outcome] as [string, string]] : []),
    ['requests', String(summary.totalRequests)],
    ...(summary.build
      ? [
          [
            'documents',
            `${summary.build.documents} made into requests; skipped ${summary.build.skipped.binary} binary, ` +
              `${summary.build.skipped.empty} empty, ${summary.build.skipped.excluded} by include/exclude`,
          ] as [string, string],
        ]
      : []),
    ['succeeded', String(o.succeeded)],
    ['errored', `${o.errored}${errors ? ` (${errors})` : ''}`],
    ['expired', String(o.expired)],
    ['canceled', String(o.canceled)],
    ['rounds', String(summary.rounds)],
    ['batches', String(summary.batches.length)],
    [
      'tokens',
      `${summary.tokens.input} in, ${summary.tokens.output} out, ${summary.tokens.cacheRead} cache read, ${summary.tokens.cacheWrite} cache write`,
    ],
    [
      'cost',
      `${usd(summary.cost.batchUsd)} at batch prices (standard: ${usd(summary.cost.standardUsd)}, saved ${usd(summary.cost.savedUsd)})`,
    ],
    ['results', resultsPath],
    ...(summary.build ? [['manifest', `${summary.build.manifest} (custom_id → document)`] as [string, string]] : []),
  ];
  const warning = unpricedCostWarning(summary.cost.unpricedModels);
  if (warning)
    rows.splice(
      rows.findIndex(([k]) => k === 'results'),
      0,
      ['WARNING', warning],
    );
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n');
}

/** What a job's cost leaves out, or undefined when every succeeded request was priced. */
export function unpricedCostWarning(unpricedModels: readonly string[]): string | undefined {
  if (unpricedModels.length === 0) return undefined;
  return `no price known for ${unpricedModels.join(', ')}: their requests are NOT in the cost above (the real cost is higher); give their prices in CLAUDE_BATCH_MODELS's catalogue file`;
}

/** The statuses of the current round's batches, e.g. `in_progress/ended`. */
export function batchStatuses(p: JobProgress): string {
  return [...new Set(p.chunks.filter((c) => c.round === p.round).map((c) => c.status))].join('/') || '—';
}

/** A job's page in the Temporal Web UI. */
export function webUiLink(webUi: string, workflowId: string, namespace = 'default'): string {
  return `${webUi}/namespaces/${namespace}/workflows/${encodeURIComponent(workflowId)}`;
}

/** "42s", "7m", "2h 5m": a wait or a time left, for people. */
export function inWords(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.round(s / 60)}m`;
  const m = Math.round(s / 60);
  return `${Math.floor(m / 60)}h${m % 60 ? ` ${m % 60}m` : ''}`;
}

/** What the API reports of the current round's live batches, e.g. `API: 120 processing, 80 succeeded`. */
export function apiCounts(p: JobProgress): string | undefined {
  const live = p.chunks.filter((c) => c.round === p.round && c.counts && c.status !== 'ended');
  if (live.length === 0) return undefined;
  const sum = (k: 'processing' | 'succeeded' | 'errored' | 'expired' | 'canceled') =>
    live.reduce((n, c) => n + (c.counts?.[k] ?? 0), 0);
  const failed = sum('errored') + sum('expired') + sum('canceled');
  return `API: ${sum('processing')} processing, ${sum('succeeded')} succeeded${failed ? `, ${failed} failed` : ''}`;
}

/** When the job next checks its batches, and when it expects to end (when the job's pace says so). */
export function timing(p: JobProgress, now = Date.now()): string | undefined {
  const parts = [
    ...(p.nextCheckAt && p.phase === 'waiting' ? [`next check in ${inWords(Date.parse(p.nextCheckAt) - now)}`] : []),
    ...(p.expectedEndAt ? [`ETA ${inWords(Date.parse(p.expectedEndAt) - now)}`] : []),
  ];
  return parts.length > 0 ? parts.join(', ') : undefined;
}

/** One line of status for people (and, while the job is stalled, what is wrong and what to check). */
export function progressLine(p: JobProgress, now = Date.now(), withTiming = true): string {
  const done = p.done.succeeded + p.done.errored + p.done.expired + p.done.canceled;
  const line = [
    `${p.phase} · round ${p.round}/${p.maxRounds} · ${done}/${p.totalRequests} final (${p.done.succeeded} ok, ${p.done.errored} errored, ${p.done.expired} expired, ${p.done.canceled} canceled) · batches ${batchStatuses(p)}`,
    apiCounts(p),
    withTiming ? timing(p, now) : undefined,
    usd(p.cost.batchUsd),
  ]
    .filter(Boolean)
    .join(' · ');
  return p.stall ? `${line}\n${stallLines(p.stall)}` : line;
}

/** Why a job is stalled, for people. */
export function stallLines(stall: JobStall): string {
  return [
    `  stalled since ${stall.since} (${stall.tries} ${stall.tries === 1 ? 'try' : 'tries'}): ${stall.step} failed: ${stall.error}`,
    `  check: ${stall.hint}; the job keeps its batches and goes on by itself (cancel to stop it)`,
  ].join('\n');
}
