import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LocalStorage } from '../../src/storage/local-storage';

describe('local storage', () => {
  it('lists every object under a folder in byte order of its key, skipping writes in progress', async () => {
    const root = await mkdtemp(join(tmpdir(), 'list-'));
    await mkdir(join(root, 'a', 'b'), { recursive: true });
    await writeFile(join(root, 'a-b'), 'x');
    await writeFile(join(root, 'a', 'b', 'c'), 'yy');
    await writeFile(join(root, 'Z'), '');
    await writeFile(join(root, 'a', 'd.123-0badf00d.partial'), 'half');
    const listed = [];
    for await (const object of new LocalStorage().list(root)) listed.push(object);
    assert.deepEqual(
      listed.map(({ key, size }) => [key, size]),
      [
        ['Z', 0],
        ['a-b', 1],
        ['a/b/c', 2],
      ],
    );
    assert.equal(listed[2]?.ref, join(root, 'a', 'b', 'c'));
  });

  it('lists nothing under a folder that does not exist', async () => {
    const listed = [];
    for await (const object of new LocalStorage().list(join(tmpdir(), 'no-such-folder-here'))) listed.push(object);
    assert.deepEqual(listed, []);
  });
});
