import { describe, expect, it } from 'vitest';
import { AccessDeniedError, RetryableError, SkyferryError, ThrottledError } from '../../../shared/errors';
import { Crc32c } from '../providers/crc32c';
import { ByteCounter } from './progress';
import { backoffDelay, classify, DEFAULT_RETRY, withRetry } from './retry';
import { sourceChanged, strongestCommon } from './verify';

describe('progress accounting', () => {
  it('a failed attempt gives its bytes back; the retry counts them once', () => {
    let now = 0;
    const c = new ByteCounter(() => now);
    const first = c.attempt();
    first.add(600);
    now = 1000;
    first.rollback();
    expect(c.bytesDone).toBe(0);
    first.add(100); // late chunks of a dead attempt are ignored
    expect(c.bytesDone).toBe(0);
    const second = c.attempt();
    second.add(1000);
    second.complete(1000);
    expect(c.bytesDone).toBe(1000);
  });

  it('speed is measured over a rolling window and falls when the transfer stalls; ETA follows', () => {
    let now = 0;
    const c = new ByteCounter(() => now, 5000);
    const a = c.attempt();
    for (let t = 0; t <= 4000; t += 200) {
      now = t;
      a.add(200_000); // 1 MB/s
    }
    expect(c.bytesPerSecond()).toBeGreaterThan(900_000);
    expect(c.bytesPerSecond()).toBeLessThan(1_300_000);
    expect(c.etaSeconds(c.bytesDone + 2_000_000)).toBeGreaterThanOrEqual(1);
    expect(c.etaSeconds(c.bytesDone + 2_000_000)).toBeLessThanOrEqual(3);
    now = 20_000; // nothing for 16 s
    expect(c.bytesPerSecond()).toBe(0);
    expect(c.etaSeconds(c.bytesDone + 1)).toBeNull();
  });

  it('a server-side copy (no stream) counts its size once on completion', () => {
    const c = new ByteCounter();
    c.attempt().complete(5000);
    expect(c.bytesDone).toBe(5000);
  });
});

describe('retry policy', () => {
  it('backs off with full jitter under an exponential cap and never waits less than Retry-After', () => {
    const p = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000 };
    const e = new RetryableError('x');
    expect(backoffDelay(p, 1, e, () => 1)).toBe(100);
    expect(backoffDelay(p, 3, e, () => 1)).toBe(400);
    expect(backoffDelay(p, 10, e, () => 1)).toBe(1000);
    expect(backoffDelay(p, 3, e, () => 0)).toBe(0);
    expect(backoffDelay(p, 1, new ThrottledError('slow down', { retryAfterMs: 2500 }), () => 0.5)).toBe(2500);
  });

  it('retries only retryable errors, and stops after maxAttempts', async () => {
    let calls = 0;
    await expect(withRetry({ ...DEFAULT_RETRY, baseDelayMs: 1 }, async () => { calls++; throw new AccessDeniedError('denied'); })).rejects.toThrow('denied');
    expect(calls).toBe(1);
    calls = 0;
    await expect(withRetry({ maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 }, async () => { calls++; throw new RetryableError('flaky'); })).rejects.toThrow('flaky');
    expect(calls).toBe(3);
    calls = 0;
    const v = await withRetry({ maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 }, async () => { if (++calls < 2) throw new RetryableError('once'); return 'ok'; });
    expect(v).toBe('ok');
  });

  it('stops waiting at once when the job is cancelled', async () => {
    const ac = new AbortController();
    const t0 = Date.now();
    const p = withRetry({ maxAttempts: 5, baseDelayMs: 10_000, maxDelayMs: 10_000 }, async () => { throw new ThrottledError('x', { retryAfterMs: 10_000 }); }, { signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    await expect(p).rejects.toMatchObject({ code: 'cancelled' });
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('classifies raw socket errors as transient and anything unknown as fatal without leaking details', () => {
    expect(classify(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })).code).toBe('retryable');
    expect(classify(new Error('boom')).code).toBe('fatal');
    expect(classify(new SkyferryError('conflict', 'c')).code).toBe('conflict');
  });
});

describe('verification helpers', () => {
  it('CRC32C matches the standard check value and is independent of chunking', () => {
    expect(new Crc32c().update(Buffer.from('123456789')).hex()).toBe('e3069283');
    const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 7) & 0xff));
    const whole = new Crc32c().update(data).hex();
    const parts = new Crc32c().update(data.subarray(0, 13)).update(data.subarray(13, 500)).update(data.subarray(500)).hex();
    expect(parts).toBe(whole);
    expect(new Crc32c().hex()).toBe('00000000');
  });

  it('picks the strongest hash both sides give', () => {
    expect(strongestCommon({ md5: 'a', crc32c: 'b', sha256: 'c' }, { md5: 'a', crc32c: 'b' })).toBe('crc32c');
    expect(strongestCommon({ md5: 'a' }, { crc32c: 'b' })).toBeUndefined();
  });

  it('sees a new ETag, version or size as a changed source', () => {
    const base = { key: 'k', size: 1, etag: '"a"', checksums: {}, userMetadata: {} };
    expect(sourceChanged(base, { ...base })).toBe(false);
    expect(sourceChanged(base, { ...base, etag: '"b"' })).toBe(true);
    expect(sourceChanged({ ...base, version: '1' }, { ...base, version: '2' })).toBe(true);
    expect(sourceChanged(base, { ...base, size: 2 })).toBe(true);
  });
});
