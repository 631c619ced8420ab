import { CustomIdIndex } from '../requests/custom-id-index';

/** The most characters a custom_id may have. */
const MAX_LENGTH = 64;

/**
 * Gives each document a custom_id a person can trace back to it: its path below the source, without the file's
 * extension, with every run of characters a custom_id may not hold made `-` (`reports/2024/q1.txt` → `reports-2024-q1`).
 * Two documents that would share one get `-2`, `-3`… in listing order, so the same source always gives the same ids (a
 * retried build writes the same requests). Memory: about 30 bytes an id (the ids seen, not the documents).
 */
export class DocumentIds {
  private readonly used = new CustomIdIndex();

  idFor(key: string): string {
    const slash = key.lastIndexOf('/');
    const dot = key.lastIndexOf('.');
    // A leading dot names a file (`.env`), it does not start an extension.
    const stem = dot > slash + 1 ? key.slice(0, dot) : key;
    const base =
      stem
        .replace(/[^a-zA-Z0-9_-]+/g, '-')
        .replace(/^-+|-+$/g, '')
        .slice(0, MAX_LENGTH) || 'document';
    for (let n = 1; ; n++) {
      const suffix = n === 1 ? '' : `-${n}`;
      const id = `${base.slice(0, MAX_LENGTH - suffix.length)}${suffix}`;
      if (this.used.firstLineOf(id, n) === undefined) return id;
    }
  }
}
