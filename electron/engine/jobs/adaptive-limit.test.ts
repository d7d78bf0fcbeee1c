import { describe, expect, it } from 'vitest';
import { AdaptiveLimit } from './adaptive-limit';

describe('AdaptiveLimit', () => {
  it('grows while the latency holds and every slot is used, up to its cap', () => {
    const l = new AdaptiveLimit({ initial: 4, min: 1, max: 32 });
    for (let n = 0; n < 200; n++) l.sample(100, l.limit);
    expect(l.limit).toBe(32);
  });

  it('does not grow while far fewer than allowed are in flight', () => {
    const l = new AdaptiveLimit({ initial: 16, min: 1, max: 64 });
    for (let n = 0; n < 200; n++) l.sample(100, 2);
    expect(l.limit).toBe(16);
  });

  it('shrinks when the latency rises with the load', () => {
    const l = new AdaptiveLimit({ initial: 16, min: 1, max: 64 });
    for (let n = 0; n < 50; n++) l.sample(100, l.limit);
    const grown = l.limit;
    for (let n = 0; n < 30; n++) l.sample(400, l.limit);
    expect(l.limit).toBeLessThan(grown);
  });

  it('a throttle cuts the limit once per round of requests, never below its floor', () => {
    const l = new AdaptiveLimit({ initial: 20, min: 2, max: 64 });
    const seen: number[] = [];
    l.onChange((v) => seen.push(v));
    l.throttled();
    expect(l.limit).toBe(15);
    // Throttles of requests sent before the cut count once.
    l.throttled();
    expect(l.limit).toBe(15);
    for (let round = 0; round < 20; round++) {
      for (let n = 0; n < 20; n++) l.sample(100, l.limit);
      l.throttled();
    }
    expect(l.limit).toBeGreaterThanOrEqual(2);
    expect(l.limit).toBeLessThan(15);
    expect(seen[0]).toBe(15);
  });
});
