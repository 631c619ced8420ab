// Replies honour what a request asks for (tool use, structured output, thinking, stop sequences, prefill, citations),
// and messages carry every field the SDK's types declare, the nullable ones as null, as the API sends them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type Anthropic from '@anthropic-ai/sdk';
import Ajv2020 from 'ajv/dist/2020';
import ts from 'typescript';
import { HOUR, request, resultsOf, testEmulator, type TestEmulator } from './support';

type Message = Anthropic.Messages.Message;
type Block = Message['content'][number];

const weatherTool: Anthropic.Messages.Tool = {
  name: 'get_weather',
  description: 'The weather somewhere',
  input_schema: {
    type: 'object',
    properties: {
      city: { type: 'string', minLength: 3, maxLength: 40 },
      unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
      days: { type: 'integer', minimum: 1, maximum: 7 },
      when: { type: 'string', format: 'date' },
      place: {
        type: 'object',
        properties: { lat: { type: 'number', minimum: -90, maximum: 90 }, lon: { type: 'number' } },
        required: ['lat', 'lon'],
        additionalProperties: false,
      },
      hours: { type: 'array', items: { type: 'integer', exclusiveMinimum: 0, maximum: 23 }, minItems: 3 },
    },
    required: ['city', 'unit', 'place'],
    additionalProperties: false,
  },
};

const clockTool: Anthropic.Messages.Tool = {
  name: 'get_time',
  description: 'The time in a zone',
  input_schema: { type: 'object', properties: { zone: { type: 'string' } }, required: ['zone'] },
};

/** A structured-output schema using references, unions, constants and nullable types. */
const reportSchema = {
  type: 'object',
  $defs: {
    item: {
      type: 'object',
      properties: { name: { type: 'string' }, score: { type: 'number', minimum: 0, maximum: 1 } },
      required: ['name', 'score'],
      additionalProperties: false,
    },
  },
  properties: {
    kind: { const: 'report' },
    title: { type: 'string', minLength: 5 },
    note: { type: ['string', 'null'] },
    items: { type: 'array', items: { $ref: '#/$defs/item' }, minItems: 2, maxItems: 4 },
    status: { anyOf: [{ type: 'string', enum: ['draft', 'final'] }, { type: 'null' }] },
    reviewed: { type: 'boolean' },
    tags: { type: 'array', items: { type: 'string' }, minItems: 2, uniqueItems: true },
  },
  required: ['kind', 'title', 'note', 'items', 'status', 'reviewed', 'tags'],
  additionalProperties: false,
};

const document = 'The harbour opened in 1872. Ships still call there daily.\nIt is the oldest in the region.';

const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addFormat('date', /^\d{4}-\d{2}-\d{2}$/);
ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
ajv.addFormat('email', /^[^\s@]+@[^\s@]+\.[^\s@]+$/);
ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i);

function assertValid(schema: object, value: unknown) {
  const validate = ajv.compile(schema);
  assert.ok(validate(value), `${JSON.stringify(value)}: ${ajv.errorsText(validate.errors)}`);
}

const textsOf = (message: Message) =>
  message.content.filter((b): b is Anthropic.Messages.TextBlock => b.type === 'text').map((b) => b.text);

describe('replies shaped by the request', () => {
  let t: TestEmulator;
  const messages = new Map<string, Message>();
  const asked = {
    plain: request('plain', 'Tell me about the old harbour and its ships'),
    forcedTool: request('forced-tool', 'What should I pack?', {
      tools: [clockTool, weatherTool],
      tool_choice: { type: 'tool', name: 'get_weather' },
    }),
    anyTool: request('any-tool', 'Anything', { tools: [clockTool, weatherTool], tool_choice: { type: 'any' } }),
    autoNamed: request('auto-named', 'Please use get_time for Tokyo', { tools: [weatherTool, clockTool] }),
    autoUnnamed: request('auto-unnamed', 'Tell me about the old harbour and its ships', { tools: [weatherTool] }),
    autoAnswered: {
      custom_id: 'auto-answered',
      params: {
        model: 'claude-sonnet-4-5',
        max_tokens: 256,
        tools: [clockTool],
        messages: [
          { role: 'user' as const, content: 'Use get_time for Tokyo' },
          {
            role: 'assistant' as const,
            content: [{ type: 'tool_use' as const, id: 'toolu_01', name: 'get_time', input: { zone: 'Asia/Tokyo' } }],
          },
          {
            role: 'user' as const,
            content: [{ type: 'tool_result' as const, tool_use_id: 'toolu_01', content: '09:00 in get_time terms' }],
          },
        ],
      },
    },
    structured: request('structured', 'Write the report', {
      output_config: { format: { type: 'json_schema', schema: reportSchema } },
    }),
    thinking: request('thinking', 'Tell me about the old harbour and its ships', {
      max_tokens: 4096,
      thinking: { type: 'enabled', budget_tokens: 1024 },
    }),
    adaptive: request('adaptive', 'Tell me about the old harbour and its ships', {
      max_tokens: 4096,
      thinking: { type: 'adaptive' },
    }),
    omitted: request('omitted', 'Tell me about the old harbour and its ships', {
      max_tokens: 4096,
      thinking: { type: 'enabled', budget_tokens: 1024, display: 'omitted' },
    }),
    stopped: request('stopped', 'Tell me about the old harbour and its ships', { stop_sequences: ['END', 'harbour'] }),
    notStopped: request('not-stopped', 'Tell me about the old harbour and its ships', { stop_sequences: ['zebra'] }),
    prefilled: {
      custom_id: 'prefilled',
      params: {
        model: 'claude-sonnet-4-5',
        max_tokens: 256,
        messages: [
          { role: 'user' as const, content: 'Tell me about the old harbour and its ships' },
          { role: 'assistant' as const, content: 'Here is what I know:' },
        ],
      },
    },
    cited: {
      custom_id: 'cited',
      params: {
        model: 'claude-sonnet-4-5',
        max_tokens: 256,
        messages: [
          {
            role: 'user' as const,
            content: [
              {
                type: 'document' as const,
                source: { type: 'text' as const, media_type: 'text/plain' as const, data: 'Not cited at all.' },
              },
              {
                type: 'document' as const,
                title: 'Harbour history',
                citations: { enabled: true },
                source: { type: 'text' as const, media_type: 'text/plain' as const, data: document },
              },
              {
                type: 'document' as const,
                citations: { enabled: true },
                source: {
                  type: 'content' as const,
                  content: [
                    { type: 'text' as const, text: 'First chunk about ships.' },
                    { type: 'text' as const, text: 'Second chunk.' },
                  ],
                },
              },
              { type: 'text' as const, text: 'When did the harbour open?' },
            ],
          },
        ],
      },
    },
  };

  before(async () => {
    t = await testEmulator();
    const batch = await t.client.messages.batches.create({ requests: Object.values(asked) });
    t.clock.advance(HOUR);
    for (const line of await resultsOf(t.client, batch.id)) {
      assert.equal(line.result.type, 'succeeded', `${line.custom_id}: ${JSON.stringify(line.result)}`);
      if (line.result.type === 'succeeded') messages.set(line.custom_id, line.result.message);
    }
  });
  after(() => t?.emulator.close());

  const messageOf = (customId: string): Message => {
    const message = messages.get(customId);
    assert.ok(message, `no succeeded result for ${customId}`);
    return message;
  };
  const plainText = () => textsOf(messageOf('plain'))[0]!;

  it('keeps a plain request to one uncited text block ending the turn', () => {
    const message = messageOf('plain');
    assert.deepEqual(message.content, [
      { type: 'text', text: 'Summary (9 words): Tell me about the old harbour and its ships', citations: null },
    ]);
    assert.equal(message.stop_reason, 'end_turn');
  });

  it('calls the tool tool_choice names, with an input valid against its input_schema', () => {
    const message = messageOf('forced-tool');
    assert.equal(message.stop_reason, 'tool_use');
    assert.equal(message.content.length, 1);
    const block = message.content[0]!;
    assert.equal(block.type, 'tool_use');
    if (block.type !== 'tool_use') return;
    assert.match(block.id, /^toolu_[0-9A-Za-z]{24}$/);
    assert.equal(block.name, 'get_weather');
    assertValid(weatherTool.input_schema, block.input);
  });

  it('calls the first tool for tool_choice any', () => {
    const message = messageOf('any-tool');
    assert.equal(message.stop_reason, 'tool_use');
    const calls = message.content.filter((b) => b.type === 'tool_use');
    assert.deepEqual(
      calls.map((b) => b.name),
      ['get_time'],
    );
    assertValid(clockTool.input_schema, calls[0]!.input);
  });

  it('with tool_choice auto, calls a tool the last user turn names, after a text block', () => {
    const message = messageOf('auto-named');
    assert.equal(message.stop_reason, 'tool_use');
    assert.deepEqual(
      message.content.map((b) => b.type),
      ['text', 'tool_use'],
    );
    assert.equal((message.content[1] as Anthropic.Messages.ToolUseBlock).name, 'get_time');
  });

  it('with tool_choice auto, answers in text when no tool is named', () => {
    const message = messageOf('auto-unnamed');
    assert.equal(message.stop_reason, 'end_turn');
    assert.deepEqual(textsOf(message), [plainText()]);
  });

  it('with tool_choice auto, answers a tool_result in text', () => {
    const message = messageOf('auto-answered');
    assert.equal(message.stop_reason, 'end_turn');
    assert.ok(message.content.every((b) => b.type === 'text'));
  });

  it('gives the same request the same tool call', async () => {
    const params = { ...asked.forcedTool.params, tool_choice: { type: 'tool' as const, name: 'get_weather' } };
    const first = await t.client.messages.create(params);
    const again = await t.client.messages.create(params);
    assert.deepEqual(again.content, first.content);
    assert.deepEqual(first.content, messageOf('forced-tool').content);
  });

  it('answers structured output with JSON valid against the requested schema', () => {
    const message = messageOf('structured');
    assert.equal(message.stop_reason, 'end_turn');
    const texts = textsOf(message);
    assert.equal(texts.length, 1);
    assertValid(reportSchema, JSON.parse(texts[0]!));
  });

  it('puts a signed thinking block before the text when thinking is enabled, and counts it', () => {
    const message = messageOf('thinking');
    assert.deepEqual(
      message.content.map((b) => b.type),
      ['thinking', 'text'],
    );
    const thinking = message.content[0] as Anthropic.Messages.ThinkingBlock;
    assert.ok(thinking.thinking.length > 0);
    assert.match(thinking.signature, /^[A-Za-z0-9+/]{40,}={0,2}$/);
    assert.equal(textsOf(message)[0], plainText());
    const thinkingTokens = message.usage.output_tokens_details?.thinking_tokens ?? 0;
    assert.ok(thinkingTokens > 0);
    assert.equal(message.usage.output_tokens, messageOf('plain').usage.output_tokens + thinkingTokens);
  });

  it('thinks with adaptive thinking too', () => {
    const message = messageOf('adaptive');
    assert.equal(message.content[0]?.type, 'thinking');
    assert.deepEqual(message.content.slice(1), messageOf('plain').content);
  });

  it('returns the signature but no thinking text when thinking display is omitted', () => {
    const message = messageOf('omitted');
    const block = message.content[0] as Anthropic.Messages.ThinkingBlock;
    assert.equal(block.type, 'thinking');
    assert.equal(block.thinking, '');
    assert.ok(block.signature.length > 0);
    assert.equal(message.usage.output_tokens, messageOf('thinking').usage.output_tokens, 'the thinking is still paid');
  });

  it('stops at the first stop sequence the reply reaches, without it', () => {
    const message = messageOf('stopped');
    assert.equal(message.stop_reason, 'stop_sequence');
    assert.equal(message.stop_sequence, 'harbour');
    const whole = plainText();
    assert.deepEqual(textsOf(message), [whole.slice(0, whole.indexOf('harbour'))]);
    assert.ok(message.usage.output_tokens < messageOf('plain').usage.output_tokens);
  });

  it('ends the turn as usual when no stop sequence occurs', () => {
    const message = messageOf('not-stopped');
    assert.equal(message.stop_reason, 'end_turn');
    assert.equal(message.stop_sequence, null);
    assert.deepEqual(textsOf(message), [plainText()]);
  });

  it('continues an assistant prefill without repeating it', () => {
    const message = messageOf('prefilled');
    const [text] = textsOf(message);
    assert.ok(!text!.startsWith('Here is what I know:'));
    assert.equal(text, ` ${plainText()}`, 'a space, then the usual reply to the last user turn');
  });

  it('cites a plain-text document with char locations that find the cited text in it', () => {
    const message = messageOf('cited');
    const citations = message.content.flatMap((b) => (b.type === 'text' ? (b.citations ?? []) : []));
    const inText = citations.filter((c) => c.type === 'char_location');
    assert.equal(inText.length, 1);
    const citation = inText[0]!;
    assert.equal(citation.document_index, 1, 'counted among all the documents, cited or not');
    assert.equal(citation.document_title, 'Harbour history');
    assert.equal(citation.cited_text, 'The harbour opened in 1872.');
    assert.equal(document.slice(citation.start_char_index, citation.end_char_index), citation.cited_text);
  });

  it('cites a content document by block index', () => {
    const message = messageOf('cited');
    const citations = message.content.flatMap((b) => (b.type === 'text' ? (b.citations ?? []) : []));
    const byBlock = citations.filter((c) => c.type === 'content_block_location');
    assert.deepEqual(
      byBlock.map((c) => [c.document_index, c.start_block_index, c.end_block_index, c.cited_text]),
      [[2, 0, 1, 'First chunk about ships.']],
    );
  });

  it('spends max_tokens across the blocks: thinking that uses them up leaves no text', async () => {
    const message = await t.client.messages.create({
      ...asked.adaptive.params,
      max_tokens: 10,
      thinking: { type: 'adaptive' },
    });
    assert.equal(message.stop_reason, 'max_tokens');
    assert.deepEqual(
      message.content.map((b) => b.type),
      ['thinking'],
    );
    assert.equal(message.usage.output_tokens, 10);
    assert.equal(message.usage.output_tokens_details?.thinking_tokens, 10);
  });

  it('counts every block it returns in output_tokens', () => {
    const tokensOf = (block: Block) =>
      block.type === 'text'
        ? Math.ceil(block.text.length / 4)
        : block.type === 'tool_use'
          ? Math.ceil((block.name.length + JSON.stringify(block.input).length) / 4)
          : 0;
    for (const id of ['cited', 'auto-named', 'forced-tool']) {
      const message = messageOf(id);
      const sum = message.content.reduce((n, b) => n + tokensOf(b), 0);
      assert.equal(message.usage.output_tokens, sum, id);
    }
  });
});

describe('values generated from JSON schemas', () => {
  const schemas: Record<string, object> = {
    bounds: {
      type: 'object',
      properties: {
        small: { type: 'integer', maximum: -5 },
        open: { type: 'number', exclusiveMinimum: 2, exclusiveMaximum: 3 },
        openInt: { type: 'integer', exclusiveMinimum: 7 },
        step: { type: 'number', multipleOf: 0.25, minimum: 10.1 },
        stepInt: { type: 'integer', multipleOf: 5, minimum: 12, maximum: 19 },
      },
      required: ['small', 'open', 'openInt', 'step', 'stepInt'],
    },
    strings: {
      type: 'object',
      properties: {
        short: { type: 'string', maxLength: 2 },
        long: { type: 'string', minLength: 30 },
        exact: { type: 'string', minLength: 4, maxLength: 4 },
        stamp: { type: 'string', format: 'date-time' },
        mail: { type: 'string', format: 'email' },
        id: { type: 'string', format: 'uuid' },
      },
      required: ['short', 'long', 'exact', 'stamp', 'mail', 'id'],
      additionalProperties: false,
    },
    arrays: {
      type: 'object',
      properties: {
        pair: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'integer' }], items: false },
        none: { type: 'array', maxItems: 0 },
        distinct: { type: 'array', items: { enum: ['a', 'b', 'c'] }, minItems: 3, uniqueItems: true },
        numbers: { type: 'array', items: { type: 'number' }, minItems: 4, uniqueItems: true },
        matrix: { type: 'array', items: { type: 'array', items: { type: 'boolean' }, minItems: 2 }, minItems: 2 },
      },
      required: ['pair', 'none', 'distinct', 'numbers', 'matrix'],
    },
    unions: {
      type: 'object',
      properties: {
        either: { oneOf: [{ type: 'integer', minimum: 3 }, { type: 'string' }] },
        both: {
          allOf: [
            { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] },
            { properties: { b: { type: 'integer' } }, required: ['b'] },
          ],
        },
        maybe: { type: ['null', 'integer'], minimum: 4 },
        fixed: { const: { kind: 'x', n: 1 } },
        loose: {},
      },
      required: ['either', 'both', 'maybe', 'fixed', 'loose'],
    },
    recursive: {
      $ref: '#/definitions/node',
      definitions: {
        node: {
          type: 'object',
          properties: { name: { type: 'string' }, children: { type: 'array', items: { $ref: '#/definitions/node' } } },
          required: ['name'],
          additionalProperties: false,
        },
      },
    },
    topLevelArray: { type: 'array', items: { type: 'object', properties: { x: { type: 'number' } } }, minItems: 1 },
  };

  let t: TestEmulator;
  before(async () => {
    t = await testEmulator();
  });
  after(() => t?.emulator.close());

  for (const [name, schema] of Object.entries(schemas)) {
    it(`answers structured output valid against a schema using ${name}`, async () => {
      const message = await t.client.messages.create({
        model: 'claude-sonnet-4-5',
        max_tokens: 4096,
        messages: [{ role: 'user', content: `Give me ${name}` }],
        output_config: { format: { type: 'json_schema', schema: schema as Record<string, unknown> } },
      });
      assert.equal(message.stop_reason, 'end_turn');
      assertValid(schema, JSON.parse(textsOf(message)[0]!));
    });
  }
});

/** The properties an interface of the SDK's message types declares required, and which of them may be null. */
function declaredFields(name: string): { required: string[]; nullable: string[] } {
  const path = join(
    __dirname,
    '..',
    '..',
    'node_modules',
    '@anthropic-ai',
    'sdk',
    'resources',
    'messages',
    'messages.d.ts',
  );
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest);
  const found = source.statements.find(
    (s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === name,
  );
  assert.ok(found, `no interface ${name} in the SDK's types`);
  const required: string[] = [];
  const nullable: string[] = [];
  for (const member of found.members) {
    if (!ts.isPropertySignature(member) || member.questionToken || !member.type) continue;
    const key = member.name.getText(source);
    required.push(key);
    const type = member.type;
    const isNull = (n: ts.TypeNode) => ts.isLiteralTypeNode(n) && n.literal.kind === ts.SyntaxKind.NullKeyword;
    if (ts.isUnionTypeNode(type) ? type.types.some(isNull) : isNull(type)) nullable.push(key);
  }
  return { required, nullable };
}

describe('fields the SDK declares present but nullable', () => {
  let t: TestEmulator;
  let plain: Message;
  before(async () => {
    t = await testEmulator();
    const batch = await t.client.messages.batches.create({ requests: [request('plain', 'How old is the harbour?')] });
    t.clock.advance(HOUR);
    const [line] = await resultsOf(t.client, batch.id);
    assert.equal(line?.result.type, 'succeeded');
    if (line?.result.type === 'succeeded') plain = line.result.message;
  });
  after(() => t?.emulator.close());

  /** Nullable fields a plain reply fills, with the value the API gives them. */
  const filled: Record<string, Record<string, unknown>> = {
    Message: { stop_reason: 'end_turn' },
    Usage: {
      cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      service_tier: 'batch',
      speed: 'standard',
    },
    TextBlock: {},
  };

  for (const [name, of] of [
    ['Message', (m: Message) => m],
    ['Usage', (m: Message) => m.usage],
    ['TextBlock', (m: Message) => m.content[0]],
  ] as const) {
    it(`sends every required field of ${name}, the nullable ones null unless the reply fills them`, () => {
      const { required, nullable } = declaredFields(name);
      const object = of(plain) as unknown as Record<string, unknown>;
      assert.ok(nullable.length > 0, `${name} declares nullable fields`);
      for (const key of required) assert.ok(key in object, `${name}.${key} is missing`);
      for (const key of nullable) {
        const expected = filled[name]![key] ?? null;
        assert.deepEqual(object[key], expected, `${name}.${key}`);
        if (expected === null) assert.ok(object[key] === null, `${name}.${key} === null`);
      }
    });
  }

  it('sends the required fields of tool_use, thinking and citation blocks', async () => {
    const message = await t.client.messages.create({
      model: 'claude-sonnet-4-5',
      max_tokens: 4096,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      tools: [clockTool],
      tool_choice: { type: 'auto' },
      messages: [
        {
          role: 'user',
          content: [
            {
              type: 'document',
              citations: { enabled: true },
              source: { type: 'text', media_type: 'text/plain', data: document },
            },
            { type: 'text', text: 'Use get_time for the harbour.' },
          ],
        },
      ],
    });
    const byType = new Map(message.content.map((b) => [b.type, b as unknown as Record<string, unknown>]));
    const cited = message.content.find(
      (b) => b.type === 'text' && b.citations !== null,
    ) as Anthropic.Messages.TextBlock;
    const checks: [string, Record<string, unknown> | undefined][] = [
      ['ToolUseBlock', byType.get('tool_use')],
      ['ThinkingBlock', byType.get('thinking')],
      ['CitationCharLocation', cited?.citations?.[0] as unknown as Record<string, unknown>],
    ];
    for (const [name, object] of checks) {
      assert.ok(object, `a ${name} in the reply`);
      for (const key of declaredFields(name).required) assert.ok(key in object, `${name}.${key} is missing`);
    }
  });
});
