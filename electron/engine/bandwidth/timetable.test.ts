import { describe, expect, it } from 'vitest';
import { nextChange, parseBandwidth, parseRate, parseRates, ratesAt } from '../../../shared/bandwidth';

const KiB = 1024;
const MiB = 1024 * 1024;

describe('rclone --bwlimit syntax', () => {
  it('reads rates with binary units, KiB when none, and off', () => {
    expect(parseRate('512k')).toBe(512 * KiB);
    expect(parseRate('10M')).toBe(10 * MiB);
    expect(parseRate('1.5M')).toBe(1.5 * MiB);
    expect(parseRate('100')).toBe(100 * KiB);
    expect(parseRate('off')).toBeNull();
    expect(parseRate('0')).toBeNull();
    expect(() => parseRate('fast')).toThrow(/"fast" is not a rate/);
  });

  it('reads UP:DOWN', () => {
    expect(parseRates('512k:2M')).toEqual({ up: 512 * KiB, down: 2 * MiB });
    expect(parseRates('off:1M')).toEqual({ up: null, down: MiB });
    expect(parseRates('1M')).toEqual({ up: MiB, down: MiB });
  });

  it('a daily timetable holds from each entry to the next, wrapping over midnight', () => {
    const table = parseBandwidth('08:00,512k 19:00,off');
    expect(ratesAt(table, new Date(2026, 11, 7, 7, 59))).toEqual({ up: null, down: null });
    expect(ratesAt(table, new Date(2026, 11, 7, 8, 0))).toEqual({ up: 512 * KiB, down: 512 * KiB });
    expect(ratesAt(table, new Date(2026, 11, 7, 18, 59))).toEqual({ up: 512 * KiB, down: 512 * KiB });
    expect(ratesAt(table, new Date(2026, 11, 7, 23, 0))).toEqual({ up: null, down: null });
    expect(nextChange(table, new Date(2026, 11, 7, 9, 30))).toEqual(new Date(2026, 11, 7, 19, 0));
  });

  it('weekday entries and up:down rates in a timetable', () => {
    // 2026-12-07 is a Monday.
    const table = parseBandwidth('Mon-08:00,512k:2M Sat-00:00,off');
    expect(ratesAt(table, new Date(2026, 11, 7, 9, 0))).toEqual({ up: 512 * KiB, down: 2 * MiB });
    expect(ratesAt(table, new Date(2026, 11, 12, 9, 0))).toEqual({ up: null, down: null });
    expect(ratesAt(table, new Date(2026, 11, 14, 7, 0))).toEqual({ up: null, down: null });
    expect(() => parseBandwidth('Xyz-08:00,1M')).toThrow(/not a day/);
    expect(() => parseBandwidth('25:00,1M 08:00,off')).toThrow(/not a time of day/);
  });
});
