import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runNodeSnippet } from './test-support/node-snippet';

/**
 * A process that promotes garbage as the engine's requests in flight do: objects held across a few turns of the
 * event loop (long enough to outlive two scavenges) and then dropped. Prints the old space's largest size in use,
 * in MiB, with the engine's bound of `headroomMiB`, or V8's own limits.
 */
async function largestOldSpace(headroomMiB: number | undefined): Promise<number> {
  const module = path.join(import.meta.dirname, 'old-generation.ts');
  const code = `
    import v8 from 'node:v8';
    const { boundOldSpace } = await import(${JSON.stringify(module)});
    const { capNewSpace } = await import(${JSON.stringify(path.join(import.meta.dirname, 'young-generation.ts'))});
    // A small new space, as the engine's, so that what outlives a few turns is promoted.
    capNewSpace(8 * 1024 * 1024);
    ${headroomMiB === undefined ? '' : `boundOldSpace(${headroomMiB} * 1024 * 1024);`}
    const used = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'old_space').space_used_size;
    let largest = used();
    const inFlight = [];
    for (let turn = 0; turn < 400; turn++) {
      const batch = [];
      for (let i = 0; i < 4000; i++) batch.push({ i, headers: { a: 'x'.repeat(20) + i, b: [i, i + 1] }, body: new Array(16).fill(i) });
      inFlight.push(batch);
      if (inFlight.length > 16) inFlight.shift();
      largest = Math.max(largest, used());
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    process.stdout.write(String(largest / 1024 / 1024));
  `;
  return Number(await runNodeSnippet(code));
}

describe('boundOldSpace', () => {
  it('collects promoted garbage once the old space grows its headroom past the last collection, where V8 alone lets it pile up', async () => {
    const own = await largestOldSpace(undefined);
    const bounded = await largestOldSpace(16);
    // What lives at once is about 20 MiB; the bound lets the old space grow 16 MiB past what the last collection
    // left, and a collection ends a little after it is asked for. V8 alone lets it grow to several times that.
    expect(bounded).toBeLessThanOrEqual(80);
    expect(own).toBeGreaterThan(2 * bounded);
  }, 90_000);
});
