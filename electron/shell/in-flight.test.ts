import { describe, expect, it } from 'vitest';
import { InFlight } from './in-flight';

describe('the calls a page has in flight', () => {
  it('a withdrawn call is aborted, the others go on', () => {
    const calls = new InFlight<object>();
    const page = {};
    const a = calls.start(page, 1);
    const b = calls.start(page, 2);
    expect(a.isNewPage).toBe(true);
    expect(b.isNewPage).toBe(false);
    calls.cancel(page, 1);
    expect(a.signal.aborted).toBe(true);
    expect(b.signal.aborted).toBe(false);
    expect(calls.count(page)).toBe(1);
    b.done();
    expect(calls.count(page)).toBe(0);
  });

  it('another page cannot withdraw a call, and a finished call is not aborted later', () => {
    const calls = new InFlight<object>();
    const page = {};
    const other = {};
    const a = calls.start(page, 7);
    calls.cancel(other, 7);
    expect(a.signal.aborted).toBe(false);
    a.done();
    calls.cancel(page, 7);
    expect(a.signal.aborted).toBe(false);
  });

  it('a page that goes away aborts all its calls, those without an id too', () => {
    const calls = new InFlight<object>();
    const page = {};
    const a = calls.start(page, 1);
    const b = calls.start(page, undefined);
    calls.abortAll(page, true);
    expect(a.signal.aborted && b.signal.aborted).toBe(true);
    expect(calls.count(page)).toBe(0);
    expect(calls.start(page, 2).isNewPage).toBe(true);
  });
});
