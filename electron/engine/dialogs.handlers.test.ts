import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileKeyCipher } from './accounts/secret-store';
import type { Engine } from './dispatch';
import { createEngine } from './engine';

let base: string;
let engine: Engine;

beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'skyferry-dialogs-'));
  engine = await createEngine({ dataDir: path.join(base, 'data'), cipher: await createFileKeyCipher(path.join(base, 'keys', 'secrets.key')) });
});

afterAll(async () => {
  await engine?.close();
  await rm(base, { recursive: true, force: true });
});

describe('engine: native dialogs in the browser-served mode', () => {
  const unsupported = {
    ok: false,
    error: {
      code: 'unsupported',
      message: "The browser-served mode has no native dialogs: type the full path, or use the browser's file picker to upload.",
    },
  };

  it('answers dialogs:pickFolder and dialogs:pickFiles as unsupported, saying why', async () => {
    expect(await engine.invoke('dialogs:pickFolder', { title: 'Download to', defaultPath: '/tmp' })).toEqual(unsupported);
    expect(await engine.invoke('dialogs:pickFiles', { multiple: true })).toEqual(unsupported);
  });

  it('still parses the request first', async () => {
    const result = await engine.invoke('dialogs:pickFiles', { multiple: 'yes' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/^Invalid request for dialogs:pickFiles at multiple/) as unknown });
  });
});
