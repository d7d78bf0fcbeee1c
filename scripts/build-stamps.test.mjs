// Run with `node --test scripts/` (vitest's include does not cover scripts/).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createStampBook } from './build-stamps.mjs';

function scratch() {
  const root = mkdtempSync(path.join(os.tmpdir(), 'skyferry-stamps-'));
  mkdirSync(path.join(root, 'renderer', 'src'), { recursive: true });
  mkdirSync(path.join(root, 'dist'), { recursive: true });
  writeFileSync(path.join(root, 'renderer', 'src', 'App.tsx'), 'export {}');
  writeFileSync(path.join(root, 'dist', 'index.html'), '<html>');
  const open = () => createStampBook({ root, stampsFile: path.join(root, 'dist', 'stamps.json'), lockInputs: [] });
  const inputs = (book) => book.walk(path.join(root, 'renderer'));
  const build = () => {
    const book = open();
    book.remember('renderer', inputs(book));
    book.save();
  };
  const fresh = () => {
    const book = open();
    return book.upToDate('renderer', ['dist/index.html'], inputs(book));
  };
  return { root, build, fresh };
}

test('a renderer file added after the last build makes the renderer stale', (t) => {
  const { root, build, fresh } = scratch();
  t.after(() => rmSync(root, { recursive: true, force: true }));
  build();
  assert.equal(fresh(), true, 'nothing changed: cached');
  writeFileSync(path.join(root, 'renderer', 'src', 'NewPanel.tsx'), 'export {}');
  assert.equal(fresh(), false, 'a new file: rebuild');
  build();
  assert.equal(fresh(), true);
});

test('a renderer file removed, or an existing one edited, makes it stale; a new test file does not', (t) => {
  const { root, build, fresh } = scratch();
  t.after(() => rmSync(root, { recursive: true, force: true }));
  writeFileSync(path.join(root, 'renderer', 'src', 'Old.tsx'), 'export {}');
  build();
  writeFileSync(path.join(root, 'renderer', 'src', 'App.test.tsx'), 'export {}');
  assert.equal(fresh(), true, 'tests are not bundled');
  rmSync(path.join(root, 'renderer', 'src', 'Old.tsx'));
  assert.equal(fresh(), false, 'a removed file: rebuild');
  build();
  writeFileSync(path.join(root, 'renderer', 'src', 'App.tsx'), 'export const changed = 1;');
  assert.equal(fresh(), false, 'an edited file: rebuild');
});
