import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportRow } from '../../../shared/contract/migrations.channels';
import { createFileKeyCipher } from '../accounts/secret-store';
import type { Engine } from '../dispatch';
import { createEngine } from '../engine';
import { putFile, readTree } from '../test-support/local-fixture';
import { call, planned, waitForState } from '../test-support/wait';
import { verifiedMessage } from './run';

/** A mirror deletes only when it is safe: after a clean copy, only the version planned, never over a quarantined copy. */
let base: string;
let engine: Engine;


async function rows(id: string): Promise<ReportRow[]> {
  const json = JSON.parse(((await call(engine, 'plans:export', { id, format: 'json' })) as { text: string }).text) as { rows: ReportRow[] };
  return json.rows;
}

async function run(id: string): Promise<Awaited<ReturnType<typeof waitForState>>> {
  await call(engine, 'plans:run', { id });
  return waitForState(engine, id, ['completed', 'completed-with-differences', 'failed', 'needs-confirmation']);
}

beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'skyferry-migrations-deletes-'));
  engine = await createEngine({ dataDir: path.join(base, 'data'), cipher: await createFileKeyCipher(path.join(base, 'keys', 'k')) });
});

afterAll(async () => {
  await engine?.close();
  await rm(base, { recursive: true, force: true });
});

describe('mirror deletions (local folders)', () => {
  it('a copy error skips every deletion and the report says why', async () => {
    const src = path.join(base, 'src-fail');
    const dst = path.join(base, 'dst-fail');
    await putFile(src, 'a.txt', 'alpha');
    await putFile(src, 'b.txt', 'bravo');
    await putFile(dst, 'extra.txt', 'keep me');
    const id = await planned(engine, { source: `file://${src}/`, destinations: [`file://${dst}/`], mode: 'mirror', compare: 'size', deletions: { enabled: true, maxCount: 10 } });
    // The source object cannot be read when the copy comes to it.
    await rm(path.join(src, 'b.txt'));
    const done = await run(id);
    expect(done.state).toBe('failed');
    expect(done.message).toContain('Deletions skipped because 1 file failed to copy');
    expect(done.notes).toContain('Deletions skipped because 1 file failed to copy: nothing was deleted or moved to quarantine');
    expect(await readTree(dst)).toEqual({ 'a.txt': 'alpha', 'extra.txt': 'keep me' });
    expect(done.report).toMatchObject({ copied: 1, failed: 1, deleted: 0 });
    const extra = (await rows(id)).find((r) => r.target.endsWith('/extra.txt'));
    expect(extra).toMatchObject({ outcome: 'skipped', reason: expect.stringContaining('Deletions skipped because 1 file failed to copy') as unknown });
  });

  it('deletes only the version planned: an object rewritten since the plan stays, reported as changed', async () => {
    const src = path.join(base, 'src-changed');
    const dst = path.join(base, 'dst-changed');
    await putFile(src, 'a.txt', 'alpha');
    await putFile(dst, 'gone.txt', 'delete me');
    await putFile(dst, 'rewritten.txt', 'old');
    const id = await planned(engine, { source: `file://${src}/`, destinations: [`file://${dst}/`], mode: 'mirror', compare: 'size', deletions: { enabled: true, maxCount: 10 } });
    await new Promise((r) => setTimeout(r, 20));
    await putFile(dst, 'rewritten.txt', 'new, and precious');
    const done = await run(id);
    expect(done.report).toMatchObject({ copied: 1, deleted: 1 });
    expect(await readTree(dst)).toEqual({ 'a.txt': 'alpha', 'rewritten.txt': 'new, and precious' });
    const kept = (await rows(id)).find((r) => r.target.endsWith('/rewritten.txt'));
    expect(kept?.outcome).toBe('skipped');
    expect(kept?.reason).toMatch(/changed since the plan|modified since the plan/);
  });

  it('quarantines only the version planned: an object rewritten since the plan stays where it is', async () => {
    const src = path.join(base, 'src-qchanged');
    const dst = path.join(base, 'dst-qchanged');
    await putFile(src, 'a.txt', 'alpha');
    await putFile(dst, 'gone.txt', 'move me');
    await putFile(dst, 'rewritten.txt', 'old');
    const id = await planned(engine, { source: `file://${src}/`, destinations: [`file://${dst}/`], mode: 'mirror', compare: 'size', deletions: { enabled: true, maxCount: 10, quarantinePrefix: 'quarantine/' } });
    await new Promise((r) => setTimeout(r, 20));
    await putFile(dst, 'rewritten.txt', 'new, and precious');
    const done = await run(id);
    expect(done.report).toMatchObject({ copied: 1, quarantined: 1 });
    expect(await readTree(dst)).toEqual({ 'a.txt': 'alpha', 'quarantine/gone.txt': 'move me', 'rewritten.txt': 'new, and precious' });
    const kept = (await rows(id)).find((r) => r.target.endsWith('/rewritten.txt'));
    expect(kept?.outcome).toBe('skipped');
    expect(kept?.reason).toMatch(/changed since the plan|modified since the plan/);
  });

  it('a second quarantine of the same key keeps the first quarantined copy as it was', async () => {
    // Folders of their own on each try: a second try must not start from what the first left.
    const dir = await mkdtemp(path.join(base, 'q-'));
    const src = path.join(dir, 'src');
    const dst = path.join(dir, 'dst');
    await putFile(src, 'a.txt', 'alpha');
    const request = { source: `file://${src}/`, destinations: [`file://${dst}/`], mode: 'mirror', compare: 'size', deletions: { enabled: true, maxCount: 10, quarantinePrefix: 'quarantine/' } };
    await putFile(dst, 'docs/old.txt', 'first version');
    const first = await run(await planned(engine, request));
    expect(first.report).toMatchObject({ quarantined: 1 });
    await putFile(dst, 'docs/old.txt', 'second version, longer');
    const secondId = await planned(engine, request);
    const second = await run(secondId);
    // What the verification found, in the failure's message if it found anything.
    const differences = second.state === 'completed' ? [] : (await rows(secondId)).filter((r) => r.outcome !== 'copied' && r.outcome !== 'quarantined');
    expect(second.state, `${second.message ?? ''} ${JSON.stringify(differences)} ${JSON.stringify(second.report)}`).toBe('completed');
    expect(second.report).toMatchObject({ quarantined: 1 });
    expect(await readTree(dst)).toEqual({ 'a.txt': 'alpha', 'quarantine/docs/old.txt': 'first version', 'quarantine/docs/old (1).txt': 'second version, longer' });
  });
});

describe('the closing line of a verified run', () => {
  it('names what was compared, and never calls a size-only comparison a match', () => {
    expect(verifiedMessage({ md5: 3 })).toBe('Verified: source and destination match (compared by checksum: md5: 3)');
    const bySize = verifiedMessage({ size: 2 });
    expect(bySize).not.toContain('source and destination match');
    expect(bySize).toBe('Sizes match: 2 objects were compared by size only (no checksum both sides give): their sizes match, their contents were not compared');
    const mixed = verifiedMessage({ crc32c: 4, size: 1 });
    expect(mixed).not.toContain('source and destination match');
    expect(mixed).toContain('4 compared by checksum (crc32c: 4)');
    expect(mixed).toContain('1 object was compared by size only');
  });
});
