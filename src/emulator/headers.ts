// The API's checks on the `anthropic-version` and `anthropic-beta` headers of every call, and the betas a call
// asked for.
//
// Versions: the docs' versioning page lists 2023-01-01, 2023-06-01 and 2026-10-21 (which the SDKs send since their
// majors of 2026-10-21: TypeScript 1.0.0, Python 2.0.0; older SDKs send 2023-06-01). Betas: the values
// of the official TypeScript SDK's `AnthropicBeta` type (@anthropic-ai/sdk 1.13.0, read 2026-11-26). Error messages
// as the API words them (seen in public bug reports): a 400 `invalid_request_error` in both cases.
import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-errors';
import type { ParamsContext } from './params';

export const API_VERSIONS: readonly string[] = ['2023-01-01', '2023-06-01', '2026-10-21'];

export const KNOWN_BETAS: ReadonlySet<string> = new Set([
  'message-batches-2024-09-24',
  'prompt-caching-2024-07-31',
  'pdfs-2024-09-25',
  'token-counting-2024-11-01',
  'token-efficient-tools-2025-02-19',
  'output-128k-2025-02-19',
  'computer-use-2024-10-22',
  'computer-use-2025-01-24',
  'computer-use-2025-11-24',
  'files-api-2025-04-14',
  'extended-cache-ttl-2025-04-11',
  'mcp-client-2025-04-04',
  'mcp-client-2025-11-20',
  'mcp-client-2026-09-15',
  'dev-full-thinking-2025-05-14',
  'interleaved-thinking-2025-05-14',
  'code-execution-2025-05-22',
  'context-1m-2025-08-07',
  'context-management-2025-06-27',
  'model-context-window-exceeded-2025-08-26',
  'skills-2025-10-02',
  'structured-outputs-2025-11-13',
  'compact-2026-01-12',
  'compact-2026-09-04',
  'fast-mode-2026-02-01',
  'advisor-tool-2026-03-01',
  'task-budgets-2026-03-13',
  'output-300k-2026-03-24',
  'user-profiles-2026-03-24',
  'user-profiles-2026-08-18',
  'user-profiles-2026-09-04',
  'user-profiles-billing-2026-10-01',
  'managed-agents-2026-04-01',
  'cache-diagnosis-2026-04-07',
  'dreaming-2026-04-21',
  'thinking-token-count-2026-05-13',
  'server-side-fallback-2026-06-01',
  'server-side-fallback-2026-07-01',
  'fallback-credit-2026-06-01',
  'fallback-credit-2026-07-01',
  'mcp-tunnels-2026-06-22',
  'mid-conversation-tool-changes-2026-07-01',
  'mid-conversation-output-config-2026-07-01',
  'mid-conversation-system-clear-at-2026-08-21',
  'ce-user-management-2026-07-13',
  'agent-memory-2026-07-22',
  'thinking-binding-controls-2026-08-01',
  'telemetry-destinations-2026-08-11',
  'message-threads-2026-08-12',
  'thinking-display-updates-2026-08-18',
  'analytics-usage-cost-2026-08-24',
  'ce-plugins-2026-09-01',
  'inline-tools-2026-09-15',
  'spend-limit-reads-2026-09-26',
  'efs-2026-10-01',
  'ce-claude-code-managed-settings-2026-10-06',
  'webhooks-2026-10-07',
  'admin-user-sign-out-2026-10-08',
  'experimental-claude-tag-2026-10-21',
]);

/** The beta that lifts a batch request's `max_tokens` limit to the model's batch maximum. */
export const BATCH_OUTPUT_BETA = 'output-300k-2026-03-24';

/** The betas a call names (several headers or comma-separated values), undefined when it sends none. */
export function betasOf(req: IncomingMessage): string[] | undefined {
  const raw = req.headers['anthropic-beta'];
  if (raw === undefined) return undefined;
  return (Array.isArray(raw) ? raw : [raw]).flatMap((value) => value.split(',')).map((beta) => beta.trim());
}

/** What a call's headers change in the checks on its params: its API version and its betas. */
export function paramsContextOf(req: IncomingMessage): ParamsContext {
  const version = req.headers['anthropic-version'];
  return {
    ...(typeof version === 'string' ? { apiVersion: version } : {}),
    batchOutputBeta: betasOf(req)?.includes(BATCH_OUTPUT_BETA) ?? false,
  };
}

/** Refuses a call whose version header is missing or unknown, or that names a beta the API does not have. */
export function checkVersionHeaders(req: IncomingMessage): void {
  const header = req.headers['anthropic-version'];
  const version = Array.isArray(header) ? header.join(', ') : header;
  if (!version) throw new HttpError(400, 'anthropic-version: header is required');
  if (!API_VERSIONS.includes(version)) {
    throw new HttpError(400, `anthropic-version: ${JSON.stringify(version)} is not a valid version`);
  }
  const unknown = (betasOf(req) ?? []).filter((beta) => !KNOWN_BETAS.has(beta));
  if (unknown.length > 0) {
    throw new HttpError(
      400,
      `Unexpected value(s) ${unknown.map((beta) => `\`${beta}\``).join(', ')} for the \`anthropic-beta\` header. ` +
        'Please consult our documentation at docs.claude.com or try again without the header.',
    );
  }
}
