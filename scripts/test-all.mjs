// `npm test`: typecheck, lint, the engine tests (vitest, real emulators) and the UI specs (Playwright in Chromium),
// then one summary line. Every step runs even when an earlier one fails, so one run shows everything that is wrong.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';

const steps = [
  { name: 'typecheck', cmd: ['npm', 'run', '-s', 'typecheck'] },
  { name: 'lint', cmd: ['npm', 'run', '-s', 'lint'] },
  { name: 'build', cmd: ['node', 'scripts/build.mjs'] },
  { name: 'scripts', cmd: ['node', '--test', 'scripts/build-stamps.test.mjs', 'scripts/layers.test.mjs', 'scripts/entries.test.mjs', 'build/electron-builder.test.mjs'] },
  { name: 'unit', cmd: ['npx', 'vitest', 'run'], report: 'test-results/vitest.json' },
  { name: 'e2e', cmd: ['npx', 'playwright', 'test'], report: 'test-results/playwright.json' },
];
// npm puts node_modules/.bin first on PATH, so where scripts/setup.sh linked its pinned Node there, this is that one.
console.log(`node ${process.version} (${process.execPath})`);
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error('Skyferry needs Node.js 22.12 or newer: run ./scripts/setup.sh (it provides one) and then npm test.');
  process.exit(1);
}
const only = process.argv.slice(2);
const totals = { passed: 0, failed: 0, skipped: 0 };
const results = [];
// Tests that failed, and tests that passed only when run again, by name: the summary is the part of a CI log that is
// always read, so it names them.
const named = { failed: [], flaky: [] };

for (const step of steps) {
  if (only.length && !only.includes(step.name)) continue;
  if (step.report) rmSync(step.report, { force: true });
  const started = Date.now();
  console.log(`\n=== ${step.name}: ${step.cmd.join(' ')}`);
  const run = spawnSync(step.cmd[0], step.cmd.slice(1), { stdio: 'inherit', env: process.env });
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  const ok = run.status === 0;
  let counts = '';
  if (step.report && existsSync(step.report)) {
    const c = countReport(step.name, JSON.parse(readFileSync(step.report, 'utf8')));
    totals.passed += c.passed;
    totals.failed += c.failed;
    totals.skipped += c.skipped;
    counts = ` (${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped${c.flaky ? `, ${c.flaky} passed on a second try` : ''})`;
  } else if (!step.report) {
    if (ok) totals.passed += 1;
    else totals.failed += 1;
  } else if (!ok) {
    totals.failed += 1;
  }
  results.push({ name: step.name, ok, line: `${ok ? 'ok  ' : 'FAIL'} ${step.name}${counts} in ${seconds} s` });
}

console.log('\n=== summary');
for (const r of results) console.log(r.line);
for (const t of named.failed) console.log(`failed: ${t}`);
for (const t of named.flaky) console.log(`passed on a second try (flaky): ${t}`);
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(results.every((r) => r.ok) ? 0 : 1);

function countReport(name, report) {
  if (name === 'unit') {
    let flaky = 0;
    for (const file of report.testResults ?? []) {
      const where = file.name.replace(`${process.cwd()}/`, '');
      if (file.status === 'failed' && !(file.assertionResults ?? []).some((t) => t.status === 'failed')) {
        named.failed.push(`${where}: ${firstLine(file.message)}`);
      }
      for (const t of file.assertionResults ?? []) {
        const why = firstLine(t.failureMessages?.[0]);
        if (t.status === 'failed') named.failed.push(`${where} > ${t.fullName}: ${why}`);
        // Vitest keeps an earlier try's errors on a test that passed when retried.
        else if (t.status === 'passed' && t.failureMessages?.length) {
          flaky += 1;
          named.flaky.push(`${where} > ${t.fullName}: ${why}`);
        }
      }
    }
    return {
      passed: report.numPassedTests ?? 0,
      failed: (report.numFailedTests ?? 0) + (report.numRuntimeErrorTestSuites ?? 0),
      skipped: (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0),
      flaky,
    };
  }
  const s = report.stats ?? {};
  return { passed: (s.expected ?? 0) + (s.flaky ?? 0), failed: s.unexpected ?? 0, skipped: s.skipped ?? 0, flaky: s.flaky ?? 0 };
}

function firstLine(text) {
  return String(text ?? '').split('\n')[0].slice(0, 300);
}
