// A request's line in a create body: `{"custom_id":<internal id>,"params":<params>}`. Serialising the params again
// would cost validate+split a third of its time, so when a line already holds exactly the params to send, in the
// usual shape (custom_id first, then params), its text is reused as written.

/** `{"custom_id": "<id>", "params": ` at the start of a line, with any spacing. */
const LEADING_ID = /^\{\s*"custom_id"\s*:\s*"([A-Za-z0-9_-]{1,64})"\s*,\s*"params"\s*:/;

/** A request line's custom_id and the JSON text of its params, read without parsing; undefined if not in the usual shape. */
export function splitRequestLine(line: string): { customId: string; paramsJson: string } | undefined {
  const lead = LEADING_ID.exec(line);
  if (!lead) return undefined;
  const end = line.lastIndexOf('}');
  const paramsJson = line.slice(lead[0].length, end).trim();
  // A repeated custom_id or params key after the params would leave it to the reader which one counts. Quotes inside
  // a prompt are escaped and never match these; a string that is exactly "params" (say, in a tool schema) only costs
  // the slow path.
  if (paramsJson.length === 0 || paramsJson.includes('"custom_id"') || paramsJson.includes('"params"')) {
    return undefined;
  }
  return { customId: lead[1]!, paramsJson };
}

/** The params' JSON as written in a line already parsed and checked as a request with this custom_id, if reusable. */
export function paramsTextOf(line: string, customId: string): string | undefined {
  const split = splitRequestLine(line);
  return split?.customId === customId ? split.paramsJson : undefined;
}

export function requestBodyLine(customId: string, paramsJson: string): string {
  return `{"custom_id":${JSON.stringify(customId)},"params":${paramsJson}}`;
}
