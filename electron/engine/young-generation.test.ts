import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runNodeSnippet } from './test-support/node-snippet';

/**
 * A process that makes short-lived garbage with some of it surviving a while (as requests in flight do), and prints
 * its new space's largest committed size in MiB: with the engine's cap of `capMiB`, or V8's own sizing.
 */
async function largestNewSpace(capMiB: number | undefined, how: { hold?: boolean; turns?: boolean } = {}): Promise<number> {
  const module = path.join(import.meta.dirname, 'young-generation.ts');
  const code = `
    import v8 from 'node:v8';
    const { capNewSpace, holdNewSpace } = await import(${JSON.stringify(module)});
    ${how.hold === true ? 'holdNewSpace();' : ''}
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
      ${how.turns === false ? '' : 'await new Promise((resolve) => setImmediate(resolve));'}
    }
    process.stdout.write(String(largest / 1024 / 1024));
  `;
  return Number(await runNodeSnippet(code));
}

describe('capNewSpace', () => {
  it('stops the new space growing once it reaches the cap, where V8 alone grows it further', async () => {
    const own = await largestNewSpace(undefined);
    const capped = await largestNewSpace(8);
    // The committed size swings by several MiB between collections around the size V8 has settled on (survivors'
    // pages); the cap keeps that size at 8 MiB where V8 alone doubles it to 64 or 128 MiB on a machine of many GiB.
    expect(capped).toBeLessThanOrEqual(3 * 8);
    // On a machine where V8 would not grow it past that anyway, there is nothing to compare.
    if (own > 3 * 8) expect(own).toBeGreaterThanOrEqual(2 * capped);
  }, 60_000);

  it('held at a process\'s start, the new space does not grow in a synchronous stretch (modules evaluating), where V8 alone doubles it', async () => {
    // No turn of the event loop in the whole run, as while a bundle's modules are evaluated: the cap's observer
    // never runs, so only the hold keeps the new space at its starting size.
    const own = await largestNewSpace(undefined, { turns: false });
    expect(own).toBeGreaterThan(8);
    const held = await largestNewSpace(undefined, { hold: true, turns: false });
    // V8 alone doubles it from its 4 MiB to 64 on a machine of many GiB.
    if (own >= 32) expect(held).toBeLessThanOrEqual(own / 2);
  }, 60_000);
});
