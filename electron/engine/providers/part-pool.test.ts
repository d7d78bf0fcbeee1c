import { describe, expect, it } from 'vitest';
import { givePart, takePart } from './part-pool';

describe('part pool', () => {
  it('hands a given-back part to the next taker of that size, whole even if the head was given', () => {
    const a = takePart(1024);
    givePart(a.subarray(0, 100));
    const b = takePart(1024);
    expect(b.buffer).toBe(a.buffer);
    expect(b.length).toBe(1024);
    expect(takePart(1024).buffer).not.toBe(a.buffer);
  });

  it('never hands one part to two takers: a second give, or a buffer it did not make, is ignored', () => {
    const a = takePart(2048);
    givePart(a);
    givePart(a);
    givePart(Buffer.alloc(2048));
    const first = takePart(2048);
    const second = takePart(2048);
    expect(first.buffer).toBe(a.buffer);
    expect(second.buffer).not.toBe(a.buffer);
  });
});
