// The official Python SDK reads feature-shaped replies (tool use, structured output, thinking, stop sequences,
// prefill, citations) into its own typed blocks: test/emulator/python_features_check.py asks, this checks.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import Ajv2020 from 'ajv/dist/2020';
import { API_KEY, testEmulator, type TestEmulator } from './support';

const python = join(__dirname, '..', '..', '.tools', 'python', 'bin', 'python');
const run = promisify(execFile);

interface BlockReport {
  class: string;
  type: string;
  text?: string;
  citations?: { cited_text: string; start_char_index: number; end_char_index: number; document_index: number }[] | null;
  citation_classes?: string[];
  id?: string;
  name?: string;
  input?: unknown;
  thinking?: string;
  signature?: string;
}

interface Reply {
  result: string;
  stop_reason?: string;
  stop_sequence?: string | null;
  output_tokens?: number;
  content?: BlockReport[];
}

interface Report {
  tool_schema: object;
  output_schema: object;
  document: string;
  replies: Record<string, Reply>;
}

describe('feature-shaped replies through the official Python SDK', () => {
  let t: TestEmulator;
  let report: Report;
  before(async () => {
    if (!existsSync(python)) throw new Error(`${python} is missing: run \`npm run setup\``);
    t = await testEmulator();
    t.emulator.control.setScenario({ neverEnds: true, endAfterRetrieves: 2 });
    const { stdout } = await run(python, [join(__dirname, 'python_features_check.py')], {
      env: { ...process.env, ANTHROPIC_BASE_URL: t.emulator.url, ANTHROPIC_API_KEY: API_KEY },
      timeout: 60_000,
    });
    report = JSON.parse(stdout.trim().split('\n').at(-1)!) as Report;
  });
  after(() => t?.emulator.close());

  const replyOf = (customId: string) => {
    const reply = report.replies[customId];
    assert.equal(reply?.result, 'succeeded', customId);
    return reply as Required<Reply>;
  };
  const plainText = () => replyOf('plain').content[0]!.text!;
  const ajv = new Ajv2020({ strict: false, allErrors: true });

  it('parses a forced tool call into a ToolUseBlock whose input fits the schema', () => {
    const reply = replyOf('tool');
    assert.equal(reply.stop_reason, 'tool_use');
    const [block] = reply.content;
    assert.equal(block?.class, 'ToolUseBlock');
    assert.equal(block?.name, 'book_berth');
    assert.match(block?.id ?? '', /^toolu_/);
    const validate = ajv.compile(report.tool_schema);
    assert.ok(validate(block?.input), ajv.errorsText(validate.errors));
  });

  it('reads structured output as JSON text that fits the schema', () => {
    const reply = replyOf('structured');
    const validate = ajv.compile(report.output_schema);
    assert.ok(validate(JSON.parse(reply.content[0]!.text!)), ajv.errorsText(validate.errors));
  });

  it('parses a ThinkingBlock with a signature before the text', () => {
    const reply = replyOf('thinking');
    assert.deepEqual(
      reply.content.map((b) => b.class),
      ['ThinkingBlock', 'TextBlock'],
    );
    assert.ok((reply.content[0]!.signature ?? '').length > 0);
    assert.ok(reply.output_tokens > replyOf('plain').output_tokens);
  });

  it('sees the stop sequence that ended the reply', () => {
    const reply = replyOf('stopped');
    assert.equal(reply.stop_reason, 'stop_sequence');
    assert.equal(reply.stop_sequence, 'harbour');
    assert.equal(reply.content[0]!.text, plainText().slice(0, plainText().indexOf('harbour')));
  });

  it('gets the continuation of a prefill, not the prefill again', () => {
    assert.equal(replyOf('prefilled').content[0]!.text, ` ${plainText()}`);
  });

  it('parses citations as CitationCharLocation pointing into the document', () => {
    const cited = replyOf('cited').content.find((b) => (b.citations ?? []).length > 0);
    assert.deepEqual(cited?.citation_classes, ['CitationCharLocation']);
    const [citation] = cited.citations!;
    assert.equal(citation!.document_index, 0);
    assert.equal(report.document.slice(citation!.start_char_index, citation!.end_char_index), citation!.cited_text);
  });
});
