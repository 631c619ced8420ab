// Which endpoint a method and path are (query strings such as the beta client's `?beta=true` play no part).
import type { Endpoint } from './types';

export interface Route {
  endpoint: Endpoint | 'unknown';
  batchId?: string;
}

const BATCH_PATH = /^\/v1\/messages\/batches\/([^/]+)(\/cancel|\/results)?\/?$/;

export function routeOf(method: string, path: string): Route {
  const p = path.replace(/\/+$/, '');
  if (p === '/v1/messages/batches') {
    if (method === 'POST') return { endpoint: 'create' };
    if (method === 'GET') return { endpoint: 'list' };
  }
  if (p === '/v1/messages' && method === 'POST') return { endpoint: 'messages' };
  if (p === '/v1/messages/count_tokens' && method === 'POST') return { endpoint: 'count_tokens' };
  const m = BATCH_PATH.exec(p);
  if (!m) return { endpoint: 'unknown' };
  const batchId = decodeURIComponent(m[1]!);
  if (m[2] === '/cancel') return method === 'POST' ? { endpoint: 'cancel', batchId } : { endpoint: 'unknown' };
  if (m[2] === '/results') return method === 'GET' ? { endpoint: 'results', batchId } : { endpoint: 'unknown' };
  if (method === 'GET') return { endpoint: 'retrieve', batchId };
  if (method === 'DELETE') return { endpoint: 'delete', batchId };
  return { endpoint: 'unknown' };
}
