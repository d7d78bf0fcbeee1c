import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MigrationRequestSchema } from '../../../shared/contract/migrations.channels';
import { createFileKeyCipher } from '../accounts/secret-store';
import type { Engine } from '../dispatch';
import { createEngine } from '../engine';
import { profileFromYaml, profileToYaml } from './profile-yaml';

const request = MigrationRequestSchema.parse({
  source: 's3://work/photos/',
  destinations: ['gs://personal/backup/photos/', 'file:///srv/backup/photos/'],
  mode: 'mirror',
  filters: { include: ['**/*.jpg'], minSize: 1 },
  deletions: { enabled: true, maxCount: 25, quarantinePrefix: '_quarantine/' },
});

const GOOD = `# a profile
name: nightly
source: s3://work/photos/
destinations:
  - gs://personal/backup/photos/
mode: mirror
deletions:
  enabled: true
  maxCount: 10
`;

describe('migration profiles as YAML', () => {
  it('round-trips a profile: every field back as it was, readable, with no secret', () => {
    const text = profileToYaml({ name: 'nightly photos', request, savedAt: '2026-12-07T00:00:00.000Z' });
    expect(text).toContain('source: s3://work/photos/');
    expect(text).toMatch(/^# Skyferry migration profile/);
    expect(profileFromYaml(text)).toEqual({ name: 'nightly photos', request });
  });

  it('fills what a hand-written file leaves out with the defaults', () => {
    const { request: r } = profileFromYaml(GOOD);
    expect(r).toMatchObject({ mode: 'mirror', compare: 'size+checksum', filters: {}, options: { preserveMetadata: true }, deletions: { enabled: true, maxCount: 10 } });
  });

  it.each([
    ['a value of the wrong type', GOOD.replace('maxCount: 10', 'maxCount: ten'), 9, 'deletions.maxCount'],
    ['an unknown field', GOOD.replace('mode: mirror', 'mode: mirror\nmdoe: copy'), 7, 'mdoe'],
    ['an unknown nested field', GOOD.replace('  enabled: true', '  enabled: true\n  maxcount: 3'), 9, 'deletions.maxcount'],
    ['a bad list item', GOOD.replace('  - gs://personal/backup/photos/', '  - gs://personal/a/\n  - 42'), 6, 'destinations[1]'],
    ['a bad enum', GOOD.replace('mode: mirror', 'mode: sync'), 6, 'mode'],
  ])('names the line and the field of %s', (_what, text, line, field) => {
    expect(() => profileFromYaml(text, 'nightly.yaml')).toThrow(new RegExp(`^nightly\\.yaml, line ${line}, field ${field.replace(/[[\].]/g, '\\$&')}: `));
  });

  it('names the line of a missing field at the object that lacks it, and of a YAML syntax error', () => {
    expect(() => profileFromYaml(GOOD.replace('source: s3://work/photos/\n', ''), 'p.yaml')).toThrow(/^p\.yaml, line 2, field source: /);
    expect(() => profileFromYaml(GOOD.replace('  - gs://personal/backup/photos/', '  - [unclosed'), 'p.yaml')).toThrow(/^p\.yaml, line \d+: not valid YAML/);
    expect(() => profileFromYaml('name: a\nname: b\nsource: s3://x/y/\n', 'p.yaml')).toThrow(/^p\.yaml, line 2: not valid YAML/);
  });
});

describe('profiles:exportYaml and profiles:importYaml', () => {
  let base: string;
  let engine: Engine;
  beforeAll(async () => {
    base = await mkdtemp(path.join(os.tmpdir(), 'skyferry-profile-yaml-'));
    engine = await createEngine({ dataDir: path.join(base, 'data'), cipher: await createFileKeyCipher(path.join(base, 'k')) });
  });
  afterAll(async () => {
    await engine?.close();
    await rm(base, { recursive: true, force: true });
  });

  it('exports a saved profile and imports it back; an unknown account is refused at its line; a name in use needs replace', async () => {
    const local = MigrationRequestSchema.parse({ source: `file://${base}/src/`, destinations: [`file://${base}/dst/`] });
    expect(await engine.invoke('profiles:save', { name: 'local copy', request: local })).toEqual({ ok: true, value: { ok: true } });
    const exported = await engine.invoke('profiles:exportYaml', { name: 'local copy' });
    if (!exported.ok) throw new Error(exported.error.message);
    const { text, fileName } = exported.value as { text: string; fileName: string };
    expect(fileName).toBe('local-copy.skyferry.yaml');

    const again = await engine.invoke('profiles:importYaml', { text, fileName });
    expect(again).toMatchObject({ ok: false, error: { code: 'conflict' } });
    const replaced = await engine.invoke('profiles:importYaml', { text: text.replace('name: local copy', 'name: copied'), fileName });
    expect(replaced).toMatchObject({ ok: true, value: { name: 'copied', request: local, saved: true } });
    const checked = await engine.invoke('profiles:importYaml', { text: text.replace('name: local copy', 'name: only read'), fileName, save: false });
    expect(checked).toMatchObject({ ok: true, value: { name: 'only read', saved: false } });
    const names = await engine.invoke('profiles:list', {});
    expect(names.ok && (names.value as Array<{ name: string }>).map((p) => p.name)).toEqual(['copied', 'local copy']);

    const unknown = text.replace(`file://${base}/dst/`, 's3://nobody/bucket/');
    const refused = await engine.invoke('profiles:importYaml', { text: unknown, fileName, replace: true });
    const line = unknown.split('\n').findIndex((l) => l.includes('s3://nobody')) + 1;
    expect(refused).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(!refused.ok && refused.error.message).toMatch(new RegExp(`^local-copy\\.skyferry\\.yaml, line ${line}, field destinations\\[0\\]: There is no account named "nobody"`));
  });
});
