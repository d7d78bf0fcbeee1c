// The served host's and the command line's entries hold V8's new space before any package is evaluated
// (electron/engine/young-generation-first.ts): in an ESM bundle a package imported statically anywhere in the
// graph that the entry loads statically is evaluated before the entry's first line, so the build keeps what
// imports packages in a chunk the entry imports dynamically, after the hold (scripts/build.mjs, `split`).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';

const root = path.resolve(import.meta.dirname, '..');

/** The specifiers of a bundle's static imports (esbuild writes each as `import … from "x"` or `import "x"`). */
function staticImports(file) {
  const code = readFileSync(file, 'utf8');
  return [...code.matchAll(/^(?:import|export)\s+(?:[^'"]*?\s+from\s+)?["']([^"']+)["'];?$/gms)].map((m) => m[1]);
}

/** Every package (bare specifier other than node:) reached from `file` through static imports of relative files. */
function packagesLoadedStatically(file, seen = new Set()) {
  if (seen.has(file)) return [];
  seen.add(file);
  const found = [];
  for (const spec of staticImports(file)) {
    if (spec.startsWith('.')) found.push(...packagesLoadedStatically(path.resolve(path.dirname(file), spec), seen));
    else if (!spec.startsWith('node:')) found.push(spec);
  }
  return found;
}

describe('the ESM entries load their packages after holding the new space', () => {
  before(() => {
    const r = spawnSync(process.execPath, ['scripts/build.mjs', '--only=host,cli'], { cwd: root, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });

  for (const entry of ['dist/host/cli.js', 'dist/cli/skyferry.js']) {
    test(entry, () => {
      const file = path.join(root, entry);
      const code = readFileSync(file, 'utf8');
      assert.deepEqual(packagesLoadedStatically(file), []);
      // The hold runs before the dynamic import of the rest…
      const hold = code.indexOf('holdNewSpace()');
      const rest = [...code.matchAll(/await import\(["'](\.\/chunks\/[^"']+)["']\)/g)];
      assert.ok(hold >= 0, 'the entry holds the new space');
      assert.ok(rest.length > 0 && rest.every((m) => (m.index ?? 0) > hold), 'the rest is imported after the hold');
      // …and the rest is what loads the packages (so the check above can see a package where there is one).
      const later = rest.flatMap((m) => packagesLoadedStatically(path.resolve(path.dirname(file), m[1])));
      assert.ok(later.some((p) => p.startsWith('@aws-sdk/') || p === 'zod'), `the packages load from the chunks: ${later.join(', ')}`);
    });
  }
});
