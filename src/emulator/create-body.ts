// Reading a create body as it arrives: the elements of its `requests` list one at a time, so a 200 MB body is never
// held whole, as text or as parsed objects. The API's checks on the body as a whole (valid JSON, an object, a
// `requests` list) are answered once the last byte is in, so they take precedence over any check on one request.
import type { IncomingMessage } from 'node:http';
import { JSONParser, TokenType, type ParsedTokenInfo } from '@streamparser/json';
import { bodyChunks } from './body';
import { HttpError } from './http-errors';

type Kind = 'absent' | 'object' | 'list' | 'other';

/**
 * Follows the top level of the document from its tokens: whether it is an object and what its `requests` member is.
 * The parser assembles only the list's elements, so this is the one place that sees what surrounds them.
 */
class TopLevel {
  root: Kind = 'absent';
  requests: Kind = 'absent';
  private depth = 0;
  private expectingKey = false;
  private key: unknown;
  private valueNext = false;

  see({ token, value }: ParsedTokenInfo): void {
    if (this.depth === 0 && this.root === 'absent') this.root = token === TokenType.LEFT_BRACE ? 'object' : 'other';
    if (this.depth === 1 && this.root === 'object') {
      if (this.valueNext) {
        if (this.key === 'requests') this.requests = token === TokenType.LEFT_BRACKET ? 'list' : 'other';
        this.valueNext = false;
      } else if (this.expectingKey && token === TokenType.STRING) {
        this.key = value;
        this.expectingKey = false;
      } else if (token === TokenType.COLON) this.valueNext = true;
      else if (token === TokenType.COMMA) this.expectingKey = true;
    }
    if (token === TokenType.LEFT_BRACE || token === TokenType.LEFT_BRACKET) {
      this.depth += 1;
      if (this.depth === 1) this.expectingKey = true;
    } else if (token === TokenType.RIGHT_BRACE || token === TokenType.RIGHT_BRACKET) this.depth -= 1;
  }
}

const notJson = () => new HttpError(400, 'The request body is not valid JSON.');

/**
 * The elements of the body's `requests` list, in order, as the body streams in. Ends by throwing if the body as a
 * whole fails the API's checks; a consumer that finds a bad element should read on to the end, so that such a
 * failure is the one reported.
 */
export async function* requestsOfBody(req: IncomingMessage): AsyncGenerator<unknown, void, undefined> {
  const topLevel = new TopLevel();
  const parser = new JSONParser({ paths: ['$.requests.*'], keepStack: false });
  let arrived: unknown[] = [];
  let broken = false;
  parser.onToken = (token) => topLevel.see(token);
  parser.onValue = ({ value, key }) => {
    // Members of a `requests` object (not a list) match the path too; the list check at the end refuses those.
    if (typeof key === 'number') arrived.push(value);
  };
  parser.onError = () => (broken = true);

  let empty = true;
  for await (const chunk of bodyChunks(req)) {
    empty = false;
    // After invalid JSON the rest is only drained, so the connection stays usable for the 400.
    if (broken) continue;
    parser.write(chunk);
    const elements = arrived;
    arrived = [];
    yield* elements;
  }
  if (!broken && !parser.isEnded) parser.end();
  if (broken || empty) throw notJson();
  if (topLevel.root !== 'object') throw new HttpError(400, 'The request body must be a JSON object.');
  if (topLevel.requests === 'absent') throw new HttpError(400, 'requests: Field required');
  if (topLevel.requests !== 'list') throw new HttpError(400, 'requests: Input should be a valid list');
}
