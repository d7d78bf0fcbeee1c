// The two import checks of `npm run lint` reject what they are there to reject: ESLint's layer table
// (eslint.config.js, LAYERS) refuses an import that breaks it, and dependency-cruiser (.dependency-cruiser.cjs)
// refuses an import cycle inside electron/engine/. Each case has an allowed twin, so a check that rejects
// everything (a broken config) fails here too.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ESLint } from 'eslint';

const root = path.resolve(import.meta.dirname, '..');

describe('the layer table', () => {
  // Only the import rule runs, on text that is not on disk: the type-aware rules (and the TypeScript project
  // they need) have nothing to say about an import path.
  const eslint = new ESLint({
    cwd: root,
    overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
    ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-imports',
  });

  /** The no-restricted-imports messages for `code` as if it were the file `file` (relative to the repo). */
  async function importErrors(file, code) {
    const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
    assert.ok(result, `no lint result for ${file}`);
    const fatal = result.messages.filter((m) => m.fatal);
    assert.deepEqual(fatal, [], `${file} did not parse`);
    return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
  }

  test('a lower layer may not import a higher one', async () => {
    const errors = await importErrors('electron/engine/providers/probe.ts', "export { JobManager } from '../jobs/job-manager';\n");
    assert.equal(errors.length, 1);
    assert.match(errors[0], /providers may not import jobs/);
    assert.deepEqual(await importErrors('electron/engine/jobs/probe.ts', "export type { Provider } from '../providers/provider';\n"), []);
  });

  test('the table holds at every depth of a folder', async () => {
    const errors = await importErrors('electron/engine/costs/catalog/probe.ts', "export { MigrationService } from '../../migrations/migration-service';\n");
    assert.equal(errors.length, 1);
    assert.match(errors[0], /costs may not import migrations/);
    assert.deepEqual(await importErrors('electron/engine/migrations/probe.ts', "export { estimateTransfer } from '../costs/estimator';\n"), []);
  });

  test("outside providers/, a provider's own folder is private", async () => {
    const errors = await importErrors('electron/engine/costs/probe.ts', "export { DEFAULT_PULL } from '../providers/azure/azure.pull';\n");
    assert.equal(errors.length, 1);
    assert.match(errors[0], /private to providers/);
    assert.deepEqual(await importErrors('electron/engine/costs/probe.ts', "export { DEFAULT_PULL } from '../providers/factory';\n"), []);
    assert.deepEqual(await importErrors('electron/engine/providers/probe.ts', "export { createS3Provider } from './s3/s3.provider';\n"), []);
  });

  test('only channel handlers see the engine context', async () => {
    const errors = await importErrors('electron/engine/costs/probe.ts', "export type { EngineContext } from '../context';\n");
    assert.equal(errors.length, 1);
    assert.match(errors[0], /costs may not import context/);
    assert.deepEqual(await importErrors('electron/engine/costs/probe.handlers.ts', "export type { EngineContext } from '../context';\n"), []);
  });

  test('only tests import test-support/; tests may import any area', async () => {
    const errors = await importErrors('electron/engine/jobs/probe.ts', "export { resolverFor } from '../test-support/resolver';\n");
    assert.equal(errors.length, 1);
    assert.match(errors[0], /Only tests/);
    const fromTest = "export { resolverFor } from '../test-support/resolver';\nexport { createEngine } from '../engine';\nexport { DEFAULT_PULL } from '../providers/azure/azure.pull';\n";
    assert.deepEqual(await importErrors('electron/engine/jobs/probe.test.ts', fromTest), []);
  });
});

describe('the cycle check', () => {
  // A throwaway project laid out like this one (electron/engine/ and a tsconfig.node.json), cruised with the
  // repository's own config, as `npm run lint` does.
  let dir = '';
  const depcruise = path.join(root, 'node_modules', '.bin', 'depcruise');
  const cruise = () =>
    spawnSync(process.execPath, [depcruise, 'electron/engine', '--config', path.join(root, '.dependency-cruiser.cjs')], { cwd: dir, encoding: 'utf8' });
  const write = (file, text) => writeFileSync(path.join(dir, 'electron/engine', file), text);

  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'skyferry-cycles-'));
    mkdirSync(path.join(dir, 'electron/engine/jobs'), { recursive: true });
    writeFileSync(path.join(dir, 'tsconfig.node.json'), JSON.stringify({ compilerOptions: { module: 'ESNext', moduleResolution: 'Bundler', strict: true } }));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('passes an engine without a cycle', () => {
    write('jobs/manager.ts', "import type { RunContext } from './types';\nexport const manager = (c: RunContext): string => c.id;\n");
    write('jobs/types.ts', 'export interface RunContext { id: string }\n');
    const run = cruise();
    assert.equal(run.status, 0, run.stdout + run.stderr);
  });

  test('fails on a cycle, type-only imports included', () => {
    write('jobs/manager.ts', "import type { RunContext } from './run';\nexport interface Manager { context: RunContext }\n");
    write('jobs/run.ts', "import type { Manager } from './manager';\nexport interface RunContext { manager: Manager }\n");
    const run = cruise();
    assert.notEqual(run.status, 0, 'the cycle passed');
    assert.match(run.stdout, /no-circular/);
    assert.match(run.stdout, /electron\/engine\/jobs\/manager\.ts/);
    assert.match(run.stdout, /electron\/engine\/jobs\/run\.ts/);
  });
});
