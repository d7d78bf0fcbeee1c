import { describe, expect, it } from 'vitest';
import { describeQuantity, describeUnitPrice, formatDay, formatUnitPrice, formatUsd } from './money';

describe('money formatting', () => {
  it('shows totals in cents, but never rounds a real charge under a cent down to zero', () => {
    expect(formatUsd(83.16)).toMatch(/83[.,]16/);
    expect(formatUsd(0.00305)).toMatch(/0[.,]0031/);
    expect(formatUsd(0)).toMatch(/0[.,]00/);
    expect(formatUsd(1234.5)).toMatch(/1.?234[.,]50/);
  });
  it('keeps a unit price as published', () => {
    expect(formatUnitPrice(0.0004)).toMatch(/0[.,]0004/);
    expect(formatUnitPrice(0.00099)).toMatch(/0[.,]00099/);
    expect(formatUnitPrice(0.09)).toMatch(/0[.,]09/);
  });
  it('reads a catalog date as a calendar day, whatever the time zone', () => {
    expect(formatDay('2024-10-01')).toMatch(/2024/);
    expect(formatDay('2024-10-01')).not.toMatch(/Sep|30/);
    expect(formatDay('not a date')).toBe('not a date');
  });
});

describe('quantities in words', () => {
  it('says requests, GB and GB-months as a person would', () => {
    expect(describeQuantity(1, '1,000 requests')).toBe(`${(1000).toLocaleString()} requests`);
    expect(describeQuantity(0.001, '1,000 requests')).toBe('1 request');
    expect(describeQuantity(0.0012345, '1,000 requests')).toBe('about 1 request');
    expect(describeQuantity(2.5, 'GB')).toMatch(/^about 2[.,]5 GB$/);
    expect(describeQuantity(1.2, 'GB-month')).toMatch(/GB kept for a month$/);
    expect(describeUnitPrice(0.023, 'GB-month')).toMatch(/per GB each month$/);
  });
});
