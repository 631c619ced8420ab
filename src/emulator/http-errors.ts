// The API's error envelope: `{"type":"error","error":{type,message},"request_id"}` with a matching status.

export const ERROR_TYPES: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  409: 'conflict_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

/** An answer other than 200, thrown from a handler and turned into the API's error body. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }

  get type(): string {
    return ERROR_TYPES[this.status] ?? 'api_error';
  }
}

export function errorBody(type: string, message: string, requestId: string | null) {
  return { type: 'error', error: { type, message }, request_id: requestId };
}
