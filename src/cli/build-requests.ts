// Documents plus a prompt template → a requests JSONL, the "summarize 10,000 documents" use case.
import { createWriteStream } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { finished } from 'node:stream/promises';
import { writeChunk } from '../storage/local-storage';

export interface BuildOptions {
  template: string;
  inputs: string[];
  output: string;
  model: string;
  maxTokens: number;
  system?: string;
}

/** `{{document}}` is replaced by the document's text, `{{filename}}` by its name. */
export function renderTemplate(template: string, document: string, filename: string): string {
  return template.replaceAll('{{filename}}', filename).replaceAll('{{document}}', document);
}

/** A valid custom_id from a file name, unique among those already used. */
export function customIdFor(filename: string, used: Set<string>): string {
  const base =
    basename(filename, extname(filename))
      .replace(/[^a-zA-Z0-9_-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 56) || 'doc';
  let id = base;
  for (let n = 2; used.has(id); n += 1) id = `${base}-${n}`;
  used.add(id);
  return id;
}

async function documentsIn(inputs: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const input of inputs) {
    const info = await stat(input);
    if (info.isDirectory()) {
      const entries = (await readdir(input, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
      files.push(...entries.sort().map((name) => join(input, name)));
    } else {
      files.push(input);
    }
  }
  return files;
}

export async function buildRequests(options: BuildOptions): Promise<{ requests: number; output: string }> {
  const template = await readFile(options.template, 'utf8');
  if (!template.includes('{{document}}')) throw new Error(`${options.template} has no {{document}} placeholder`);
  const files = await documentsIn(options.inputs);
  if (files.length === 0) throw new Error('no documents found');
  const used = new Set<string>();
  const out = createWriteStream(options.output);
  for (const file of files) {
    const text = await readFile(file, 'utf8');
    const line = {
      custom_id: customIdFor(basename(file), used),
      params: {
        model: options.model,
        max_tokens: options.maxTokens,
        ...(options.system ? { system: options.system } : {}),
        messages: [{ role: 'user', content: renderTemplate(template, text, basename(file)) }],
      },
    };
    await writeChunk(out, JSON.stringify(line) + '\n');
  }
  out.end();
  await finished(out);
  return { requests: files.length, output: options.output };
}
