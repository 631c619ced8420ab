// Token usage of content beyond text: images by their size (width × height / 750 after the API's resize), documents
// by their text or pages, and automatic caching with a top-level cache_control.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type Anthropic from '@anthropic-ai/sdk';
import { HOUR, resultsOf, testEmulator, type TestEmulator } from './support';

type Content = Anthropic.Messages.ContentBlockParam[];

/** The first bytes of a PNG of this size: signature and IHDR (all the emulator reads). */
function png(width: number, height: number): Buffer {
  const b = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b, 0);
  b.writeUInt32BE(13, 8);
  b.write('IHDR', 12, 'latin1');
  b.writeUInt32BE(width, 16);
  b.writeUInt32BE(height, 20);
  return b;
}

/** A JPEG start: SOI, an APP0 segment, then a baseline frame header with the size. */
function jpeg(width: number, height: number): Buffer {
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, ...Buffer.from('JFIF\0'), 1, 1, 0, 0, 1, 0, 1, 0, 0]);
  const sof = Buffer.alloc(19);
  sof.writeUInt16BE(0xffc0, 0);
  sof.writeUInt16BE(17, 2);
  sof[4] = 8;
  sof.writeUInt16BE(height, 5);
  sof.writeUInt16BE(width, 7);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof]);
}

function gif(width: number, height: number): Buffer {
  const b = Buffer.alloc(13);
  b.write('GIF89a', 0, 'latin1');
  b.writeUInt16LE(width, 6);
  b.writeUInt16LE(height, 8);
  return b;
}

/** An extended WebP header (VP8X), which stores width − 1 and height − 1 in 24 bits each. */
function webp(width: number, height: number): Buffer {
  const b = Buffer.alloc(30);
  b.write('RIFF', 0, 'latin1');
  b.writeUInt32LE(22, 4);
  b.write('WEBPVP8X', 8, 'latin1');
  b.writeUInt32LE(10, 16);
  b.writeUIntLE(width - 1, 24, 3);
  b.writeUIntLE(height - 1, 27, 3);
  return b;
}

const image = (bytes: Buffer, mediaType: 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp'): Content[number] => ({
  type: 'image',
  source: { type: 'base64', media_type: mediaType, data: bytes.toString('base64') },
});

/** A PDF skeleton with this many page objects. */
function pdf(pages: number): string {
  const kids = Array.from({ length: pages }, (_, i) => `${i + 3} 0 R`).join(' ');
  const objects = [
    '1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj',
    `2 0 obj << /Type /Pages /Kids [${kids}] /Count ${pages} >> endobj`,
    ...Array.from({ length: pages }, (_, i) => `${i + 3} 0 obj << /Type /Page /Parent 2 0 R >> endobj`),
  ];
  return Buffer.from(`%PDF-1.7\n${objects.join('\n')}\n%%EOF\n`, 'latin1').toString('base64');
}

describe('token usage of images, documents and automatic caching', () => {
  let t: TestEmulator;
  before(async () => {
    t = await testEmulator();
  });
  beforeEach(() => t.emulator.control.reset());
  after(() => t.emulator.close());

  const countOf = async (content: Content) =>
    (
      await t.client.messages.countTokens({
        model: 'claude-sonnet-4-5',
        messages: [{ role: 'user', content }],
      })
    ).input_tokens;

  it('counts an image-only request by its pixels, in count_tokens and in a batch result alike', async () => {
    const content = [image(png(1000, 1000), 'image/png')];
    assert.equal(await countOf(content), Math.ceil((1000 * 1000) / 750));
    const batch = await t.client.messages.batches.create({
      requests: [
        {
          custom_id: 'picture',
          params: { model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content }] },
        },
      ],
    });
    t.clock.advance(HOUR);
    const [line] = await resultsOf(t.client, batch.id);
    assert.equal(line?.result.type, 'succeeded');
    if (line?.result.type === 'succeeded') assert.equal(line.result.message.usage.input_tokens, 1334);
  });

  it('reads the size of PNG, JPEG, GIF and WebP images', async () => {
    const expected = Math.ceil((200 * 300) / 750);
    assert.equal(await countOf([image(png(200, 300), 'image/png')]), expected);
    assert.equal(await countOf([image(jpeg(200, 300), 'image/jpeg')]), expected);
    assert.equal(await countOf([image(gif(200, 300), 'image/gif')]), expected);
    assert.equal(await countOf([image(webp(200, 300), 'image/webp')]), expected);
  });

  it('resizes a large image before counting: a long edge of 1568 px, at most about 1,600 tokens', async () => {
    assert.equal(await countOf([image(png(3136, 400), 'image/png')]), Math.ceil((1568 * 200) / 750));
    assert.equal(await countOf([image(png(4000, 3000), 'image/png')]), 1600);
  });

  it('counts an image by URL as a full-size image, its size being unknown', async () => {
    assert.equal(await countOf([{ type: 'image', source: { type: 'url', url: 'https://example.com/cat.png' } }]), 1600);
  });

  it('adds the images to the text around them', async () => {
    const text = 'x'.repeat(400);
    assert.equal(await countOf([{ type: 'text', text }, image(png(750, 100), 'image/png')]), 100 + 100);
  });

  it('counts a plain-text document by its text', async () => {
    const data = 'A sentence of the document. '.repeat(100);
    assert.equal(
      await countOf([{ type: 'document', source: { type: 'text', media_type: 'text/plain', data } }]),
      Math.ceil(data.length / 4),
    );
  });

  it('counts a PDF by its pages', async () => {
    const onePage = await countOf([
      { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: pdf(1) } },
    ]);
    const threePages = await countOf([
      { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: pdf(3) } },
    ]);
    assert.ok(onePage >= 1500, `a page costs at least its text's usual 1,500 tokens, got ${onePage}`);
    assert.equal(threePages, 3 * onePage);
  });

  it("counts a tool call's name and input in the conversation", async () => {
    const input = { city: 'Lisbon', days: 3 };
    const tokens = await t.client.messages.countTokens({
      model: 'claude-sonnet-4-5',
      messages: [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'forecast', input }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'Sunny' }] },
      ],
    });
    const chars = 'Weather?'.length + 'forecast'.length + JSON.stringify(input).length + 'Sunny'.length;
    assert.equal(tokens.input_tokens, Math.ceil(chars / 4));
  });

  it('caches the whole prompt with a top-level cache_control: written once, then read', async () => {
    const system = 'You answer questions about a long shared text. '.repeat(50);
    const messages: Anthropic.Messages.MessageParam[] = [{ role: 'user', content: 'What is it about?' }];
    const params: Anthropic.Messages.MessageCreateParamsNonStreaming = {
      model: 'claude-sonnet-4-5',
      max_tokens: 100,
      cache_control: { type: 'ephemeral', ttl: '1h' },
      system,
      messages,
    };
    const total = (await t.client.messages.countTokens({ model: 'claude-sonnet-4-5', system, messages })).input_tokens;
    const first = await t.client.messages.batches.create({ requests: [{ custom_id: 'a', params }] });
    t.clock.advance(2000); // past the first batch's wave, which writes the entry
    const second = await t.client.messages.batches.create({ requests: [{ custom_id: 'b', params }] });
    t.clock.advance(HOUR);
    const usageOf = async (id: string) => {
      const [line] = await resultsOf(t.client, id);
      assert.equal(line?.result.type, 'succeeded');
      return line?.result.type === 'succeeded' ? line.result.message.usage : undefined;
    };
    const written = await usageOf(first.id);
    assert.equal(written?.cache_creation_input_tokens, total);
    assert.equal(written?.cache_creation?.ephemeral_1h_input_tokens, total);
    assert.equal(written?.cache_read_input_tokens, 0);
    const read = await usageOf(second.id);
    assert.equal(read?.cache_read_input_tokens, total);
    assert.equal(read?.cache_creation_input_tokens, 0);
  });
});
