// The checks every requests file passes before any money is spent.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describeProblems, scanRequests } from '../../src/requests/scan-requests';

const line = (id: string, params: Record<string, unknown> = {}) =>
  JSON.stringify({
    custom_id: id,
    params: { model: 'claude-haiku-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }], ...params },
  });
const scan = (text: string, defaults = {}) => scanRequests(Readable.from([Buffer.from(text)]), { defaults });

describe('requests file checks', () => {
  it('accepts blank lines, CRLF line ends and a UTF-8 byte-order mark', async () => {
    const report = await scan(`\uFEFF${line('a')}\r\n\r\n${line('b')}\r\n   \n${line('c')}`);
    assert.deepEqual(report, { requests: 3, problems: [], problemCount: 0, unknownModels: [] });
  });

  it('names the line and what is wrong for each kind of problem', async () => {
    const report = await scan(
      [
        line('ok'),
        '{oops',
        '[1,2]',
        line('ok'),
        line('x'.repeat(65)),
        line('bad/id'),
        JSON.stringify({ custom_id: 'np' }),
        line('nomodel', { model: undefined }),
        line('zero', { max_tokens: 0 }),
        line('empty', { messages: [] }),
        line('frac', { max_tokens: 1.5 }),
      ].join('\n'),
    );
    assert.deepEqual(
      report.problems.map((p) => p.line),
      [2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
    );
    const text = report.problems.map((p) => p.problem);
    assert.match(text[0]!, /not valid JSON/);
    assert.match(text[1]!, /expected a JSON object/);
    assert.match(text[2]!, /duplicate custom_id "ok" \(first used on line 1\)/);
    assert.match(text[3]!, /must be 1 to 64 characters/);
    assert.match(text[4]!, /custom_id "bad\/id"/);
    assert.match(text[5]!, /params is missing/);
    assert.match(text[6]!, /params.model is required/);
    assert.match(text[7]!, /max_tokens must be at least 1/);
    assert.match(text[8]!, /messages must not be empty/);
    assert.match(text[9]!, /whole number/);
  });

  it('refuses lines that are not UTF-8, naming each, and checks the lines after them', async () => {
    const latin1 = Buffer.from(line('latin1', { messages: [{ role: 'user', content: 'caf\u00e9' }] }), 'latin1');
    const report = await scanRequests(
      Readable.from([Buffer.concat([Buffer.from(`${line('a')}\n`), latin1, Buffer.from(`\n${line('a')}\n`), latin1])]),
      { defaults: {} },
    );
    assert.deepEqual(report.problems, [
      { line: 2, problem: 'not valid UTF-8 text (save the file as UTF-8)' },
      { line: 3, problem: 'duplicate custom_id "a" (first used on line 1)' },
      { line: 4, problem: 'not valid UTF-8 text (save the file as UTF-8)' },
    ]);
  });

  it('reads a character whose bytes are split between two reads as that character', async () => {
    const bytes = Buffer.from(
      `${line('a')}\n${line('b', { messages: [{ role: 'user', content: 'caf\u00e9 \u{1F600}' }] })}\n`,
    );
    const cut = bytes.indexOf(Buffer.from('\u{1F600}')) + 2;
    const sent: unknown[] = [];
    const report = await scanRequests(Readable.from([bytes.subarray(0, cut), bytes.subarray(cut)]), {
      defaults: {},
      onRequest: (request) => {
        sent.push(request.params.messages);
      },
    });
    assert.equal(report.problemCount, 0);
    assert.deepEqual(sent[1], [{ role: 'user', content: 'caf\u00e9 \u{1F600}' }]);
  });

  it('says what type a field should be and what it found', async () => {
    const report = await scan(
      [
        line('quoted', { max_tokens: '100' }),
        line('numeric-model', { model: 7 }),
        line('null-messages', { messages: null }),
      ].join('\n'),
    );
    assert.deepEqual(
      report.problems.map((p) => p.problem),
      [
        'params.max_tokens must be a number, found the string "100" (custom_id quoted)',
        'params.model must be a string (a model name), found the number 7 (custom_id numeric-model)',
        'params.messages must be a list of messages, found null (custom_id null-messages)',
      ],
    );
  });

  it('names the defaults as the source of a wrong value they filled in', async () => {
    const bare = JSON.stringify({ custom_id: 'a', params: { model: 'm', messages: [{ role: 'user', content: 'x' }] } });
    const report = await scan(bare, { max_tokens: Number('lots') });
    assert.equal(
      report.problems[0]?.problem,
      'params.max_tokens must be a number, found NaN (not a number) (custom_id a, from defaults)',
    );
  });

  it('finds every duplicate among many thousand custom_ids, naming the line each was first used on', async () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => `doc-${i}`);
    const lines = [...ids, 'doc-0', 'doc-12345', 'doc-19999', 'doc-20000', 'Doc-0'].map((id) => line(id));
    const report = await scan(lines.join('\n'));
    assert.equal(report.requests, 20_002, 'doc-20000 and Doc-0 are new ids');
    assert.deepEqual(
      report.problems.map((p) => [p.line, p.problem]),
      [
        [20_001, 'duplicate custom_id "doc-0" (first used on line 1)'],
        [20_002, 'duplicate custom_id "doc-12345" (first used on line 12346)'],
        [20_003, 'duplicate custom_id "doc-19999" (first used on line 20000)'],
      ],
    );
  });

  it('fills model, max_tokens and system from the defaults when a request leaves them out', async () => {
    const bare = JSON.stringify({ custom_id: 'a', params: { messages: [{ role: 'user', content: 'x' }] } });
    assert.equal((await scan(bare)).problemCount, 1);
    const seen: unknown[] = [];
    const report = await scanRequests(Readable.from([Buffer.from(bare)]), {
      defaults: { model: 'claude-haiku-4-5', max_tokens: 5, system: 'be brief' },
      onRequest: (r) => {
        seen.push(r.params);
      },
    });
    assert.equal(report.problemCount, 0);
    assert.deepEqual(seen, [
      { model: 'claude-haiku-4-5', max_tokens: 5, system: 'be brief', messages: [{ role: 'user', content: 'x' }] },
    ]);
  });

  it('keeps the first 20 problems and counts them all', async () => {
    const report = await scan(Array.from({ length: 50 }, () => 'nope').join('\n'));
    assert.equal(report.problems.length, 20);
    assert.equal(report.problemCount, 50);
    const message = describeProblems('in.jsonl', report);
    assert.match(message, /^in.jsonl: 50 problems found; no batch was created/);
    assert.match(message, /line 20: not valid JSON/);
    assert.match(message, /\.\.\. and 30 more$/);
  });

  it('calls an empty file a problem', async () => {
    const report = await scan('\n\n');
    assert.equal(report.problemCount, 1);
    assert.match(report.problems[0]!.problem, /no requests/);
  });
});
