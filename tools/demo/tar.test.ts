import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { tarOf } from './tar';

it('writes a tar that GNU tar unpacks byte for byte (what MinIO snowball reads)', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'skyferry-tar-'));
  try {
    const files = [
      { name: 'file-000000.txt', body: Buffer.from('key 0\n') },
      { name: 'empty.txt', body: Buffer.alloc(0) },
      { name: 'exactly-512.bin', body: Buffer.alloc(512, 1) },
      { name: 'nested/name with space.txt', body: Buffer.from('x'.repeat(1000)) },
    ];
    await writeFile(path.join(dir, 'a.tar'), tarOf(files));
    execFileSync('tar', ['-xf', 'a.tar'], { cwd: dir });
    for (const f of files) expect((await readFile(path.join(dir, f.name))).equals(f.body)).toBe(true);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
