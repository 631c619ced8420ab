// Documents plus a prompt template → a requests JSONL and its manifest: the "summarize 10,000 documents" use case. The
// job's build step and `claude-batch build` both run this, on any JobStorage (a local folder or an s3:// prefix).
import { isUtf8 } from 'node:buffer';
import picomatch from 'picomatch';
import { API_MAX_BATCH_BYTES, type BuildReport, type DocumentSource, type RequestDefaults } from '../shared/job';
import { writeChunk } from '../storage/local-storage';
import type { JobStorage } from '../storage/storage';
import { DocumentIds } from './document-ids';

/** A source the requests cannot be built from: names the folder, template or document, and what to fix. */
export class DocumentSourceError extends Error {
  override name = 'DocumentSourceError';
}

export interface BuildRequestsOptions {
  source: DocumentSource;
  /** Written into every request's params: `model` and `max_tokens` at least, for the requests to be valid. */
  defaults: RequestDefaults;
  /** Where the requests file and the manifest go. */
  requests: string;
  manifest: string;
  /** Called after each file of the source is seen (made into a request, skipped or excluded), e.g. to heartbeat. */
  onFile?: (seen: number) => void;
}

const PLACEHOLDER = /\{\{(document|filename|path)\}\}/g;

/**
 * The prompt for one document: `{{document}}` is its text, `{{filename}}` its file name, `{{path}}` its path below the
 * source. One pass, so a document that itself holds `{{filename}}` is sent as written.
 */
export function renderTemplate(template: string, document: string, path: string): string {
  const filename = path.slice(path.lastIndexOf('/') + 1);
  return template.replace(PLACEHOLDER, (_, name: string) =>
    name === 'document' ? document : name === 'filename' ? filename : path,
  );
}

/** A pattern without `/` names files at any depth, as in .gitignore: `*.md` matches `notes.md` and `a/b/notes.md`. */
const anyDepth = (patterns: string[]) => patterns.map((p) => (p.includes('/') ? p : `**/${p}`));

/** What a file holds: text to send, or why it is skipped. */
function textOf(bytes: Buffer): { text: string } | 'binary' | 'empty' {
  // A NUL byte is no part of any text a person writes; valid UTF-8 rules out images, PDFs and Latin-1 alike.
  if (bytes.includes(0) || !isUtf8(bytes)) return 'binary';
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  return text.trim().length === 0 ? 'empty' : { text };
}

async function readAll(storage: JobStorage, ref: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of storage.read(ref)) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

/** The template's text, checked: it exists, is text, and says where the document goes. */
export async function readTemplate(storage: JobStorage, ref: string): Promise<string> {
  if (!(await storage.exists(ref))) {
    throw new DocumentSourceError(
      `template ${ref}: no such file; give the path of a text file with the prompt, {{document}} where each document goes`,
    );
  }
  const read = textOf(await readAll(storage, ref));
  if (read === 'binary') throw new DocumentSourceError(`template ${ref}: not UTF-8 text; save the prompt as UTF-8`);
  if (read === 'empty' || !read.text.includes('{{document}}')) {
    throw new DocumentSourceError(
      `template ${ref} has no {{document}} placeholder: put {{document}} where each document's text goes`,
    );
  }
  return read.text;
}

/**
 * Streams one request per document of the source into `requests`, and one manifest line (`{"custom_id",
 * "document"}`) per request into `manifest`; both become visible only once complete. Documents come in the listing's
 * order (ascending path), so an unchanged source gives the same files byte for byte. Files that are not UTF-8 text,
 * hold no text, or that the globs leave out are counted, not sent. Memory: one document at a time, plus its custom_id.
 */
export async function buildRequestsFromDocuments(
  storage: JobStorage,
  options: BuildRequestsOptions,
): Promise<BuildReport> {
  const { source, defaults } = options;
  const template = await readTemplate(storage, source.template);
  const includes = picomatch(anyDepth(source.include?.length ? source.include : ['**']));
  const excludes = source.exclude?.length ? picomatch(anyDepth(source.exclude), { dot: true }) : () => false;
  const ids = new DocumentIds();
  const skipped = { binary: 0, empty: 0, excluded: 0 };
  let documents = 0;
  let seen = 0;
  await storage.write(options.manifest, (manifest) =>
    storage.write(options.requests, async (requests) => {
      for await (const object of storage.list(source.documents)) {
        seen += 1;
        options.onFile?.(seen);
        if (!includes(object.key) || excludes(object.key)) {
          skipped.excluded += 1;
          continue;
        }
        if (object.size > API_MAX_BATCH_BYTES) {
          throw new DocumentSourceError(
            `documents ${source.documents}: ${object.key} is ${object.size} bytes, more than a batch may hold ` +
              `(${API_MAX_BATCH_BYTES} bytes); split it, or leave it out with source.exclude`,
          );
        }
        const read = object.size === 0 ? 'empty' : textOf(await readAll(storage, object.ref));
        if (read === 'binary' || read === 'empty') {
          skipped[read] += 1;
          continue;
        }
        const customId = ids.idFor(object.key);
        const params = {
          ...(defaults.model !== undefined ? { model: defaults.model } : {}),
          ...(defaults.max_tokens !== undefined ? { max_tokens: defaults.max_tokens } : {}),
          ...(defaults.system !== undefined ? { system: defaults.system } : {}),
          messages: [{ role: 'user', content: renderTemplate(template, read.text, object.key) }],
        };
        await writeChunk(requests, `${JSON.stringify({ custom_id: customId, params })}\n`);
        await writeChunk(manifest, `${JSON.stringify({ custom_id: customId, document: object.ref })}\n`);
        documents += 1;
      }
      if (documents === 0) throw noDocuments(source, seen, skipped, await storage.exists(source.documents));
    }),
  );
  return { documents, skipped, requests: options.requests, manifest: options.manifest };
}

function noDocuments(
  source: DocumentSource,
  seen: number,
  skipped: BuildReport['skipped'],
  exists: boolean,
): DocumentSourceError {
  const where = `documents ${source.documents}`;
  if (seen === 0) {
    return new DocumentSourceError(
      exists
        ? `${where}: no files in it (or it is a file, not a folder); give the folder that holds the documents`
        : `${where}: no such folder or prefix; give the folder (or s3:// prefix) that holds the documents`,
    );
  }
  if (skipped.excluded === seen) {
    const globs = [
      `include ${JSON.stringify(source.include?.length ? source.include : ['**'])}`,
      ...(source.exclude?.length ? [`exclude ${JSON.stringify(source.exclude)}`] : []),
    ];
    return new DocumentSourceError(
      `${where}: none of its ${seen} files pass ${globs.join(' and ')}; widen include or narrow exclude ` +
        '(names starting with "." only match a pattern that names them)',
    );
  }
  return new DocumentSourceError(
    `${where}: no document with text: ${skipped.binary} binary (not UTF-8 text) and ${skipped.empty} empty files ` +
      `skipped${skipped.excluded ? `, ${skipped.excluded} left out by include/exclude` : ''}`,
  );
}
