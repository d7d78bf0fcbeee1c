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

/**
 * A process that reads as a big file's relay does: 64 KiB Buffers (outside V8's heap) copied into one part buffer
 * and dropped, 1 MiB every 10 ms, with few objects in the heap between them, telling `relaying` of each. Prints the
 * largest memory V8 counted outside its heap, in MiB, with the engine's pacing of `paceMiB`, or V8's own collections.
 */
async function largestExternal(paceMiB: number | undefined): Promise<number> {
  const module = path.join(import.meta.dirname, 'young-generation.ts');
  const code = `
    import v8 from 'node:v8';
    const { capNewSpace, paceScavenges, relaying } = await import(${JSON.stringify(module)});
    capNewSpace(32 * 1024 * 1024);
    ${paceMiB === undefined ? '' : `paceScavenges(${paceMiB} * 1024 * 1024);`}
    const external = () => v8.getHeapStatistics().external_memory;
    const part = Buffer.allocUnsafe(5 * 1024 * 1024);
    let largest = external();
    for (let turn = 0; turn < 250; turn++) {
      for (let i = 0; i < 16; i++) {
        const chunk = Buffer.allocUnsafe(64 * 1024).fill(i);
        chunk.copy(part, ((turn * 16 + i) * chunk.length) % part.length);
        relaying();
      }
      largest = Math.max(largest, external());
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    process.stdout.write(String(largest / 1024 / 1024));
  `;
  return Number(await runNodeSnippet(code));
}

describe('paceScavenges', () => {
  it('frees the Buffers of the chunks relayed every few MiB, where V8 alone lets tens of MiB of them pile up', async () => {
    const own = await largestExternal(undefined);
    const paced = await largestExternal(4);
    // The part (5 MiB) lives; the chunks die as they are copied. Looked at every 50 ms (about 5 MiB read here), a
    // scavenge is asked for once they are 4 MiB past the lowest point, and their memory is freed by the sweep after
    // it. V8 alone frees them when their memory has grown by 64 MB since its last full collection.
    expect(paced).toBeLessThanOrEqual(32);
    expect(own).toBeGreaterThan(2 * paced);
  }, 60_000);

  it('looks only while bytes are relayed: a second after the last, Buffers made by anything else are left to V8', async () => {
    const module = path.join(import.meta.dirname, 'young-generation.ts');
    const code = `
      import { PerformanceObserver } from 'node:perf_hooks';
      const { paceScavenges, relaying } = await import(${JSON.stringify(module)});
      paceScavenges(4 * 1024 * 1024);
      const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
      let collections = 0;
      new PerformanceObserver((list) => { collections += list.getEntries().length; }).observe({ entryTypes: ['gc'] });
      const kept = [];
      // 16 MiB of Buffers while relaying, 16 MiB more a while after the last byte relayed: collections in each window.
      const window = async (relay) => {
        const before = collections;
        for (let i = 0; i < 256; i++) {
          kept.push(Buffer.allocUnsafe(64 * 1024));
          if (kept.length > 8) kept.shift();
          if (relay) relaying();
          if (i % 32 === 0) await sleep(20);
        }
        await sleep(200);
        return collections - before;
      };
      const relayed = await window(true);
      await sleep(1500);
      const idle = await window(false);
      process.stdout.write(JSON.stringify({ relayed, idle }));
    `;
    const { relayed, idle } = JSON.parse(await runNodeSnippet(code)) as { relayed: number; idle: number };
    expect(relayed).toBeGreaterThan(0);
    expect(idle).toBe(0);
  }, 60_000);
});
