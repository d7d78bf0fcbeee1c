import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

/**
 * A process that makes short-lived garbage with some of it surviving a while (as requests in flight do), and prints
 * its new space's largest committed size in MiB: with the engine's cap of `capMiB`, or V8's own sizing.
 */
async function largestNewSpace(capMiB: number | undefined): Promise<number> {
  const module = path.join(import.meta.dirname, 'young-generation.ts');
  const code = `
    import v8 from 'node:v8';
    const { capNewSpace } = await import(${JSON.stringify(module)});
    ${capMiB === undefined ? '' : `capNewSpace(${capMiB} * 1024 * 1024);`}
    const newSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
    let largest = newSpace();
    const alive = [];
    for (let round = 0; round < 300; round++) {
      for (let i = 0; i < 10000; i++) {
        alive.push({ i, pair: [i, i + 1], name: 'object ' + i });
        if (alive.length > 20000) alive.splice(0, 10000);
      }
      largest = Math.max(largest, newSpace());
      await new Promise((resolve) => setImmediate(resolve));
    }
    process.stdout.write(String(largest / 1024 / 1024));
  `;
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: path.join(import.meta.dirname, '..', '..') });
  return Number(stdout);
}

describe('capNewSpace', () => {
  it('stops the new space growing once it reaches the cap, where V8 alone grows it further', async () => {
    const own = await largestNewSpace(undefined);
    const capped = await largestNewSpace(8);
    // V8 grows the new space in steps of about double: the cap stops it at the first step at or over 8 MiB.
    expect(capped).toBeLessThanOrEqual(2 * 8 + 1);
    // On a machine where V8 would not grow it past that anyway, there is nothing to compare.
    if (own > 2 * 8 + 1) expect(own).toBeGreaterThan(capped);
  }, 60_000);
});
