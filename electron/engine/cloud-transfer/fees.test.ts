import { describe, expect, it } from 'vitest';
import { serviceFee } from './fees';

describe("the services' own fees", () => {
  it('Storage Transfer Service agentless: none', () => {
    expect(serviceFee('gcp-sts', 5 * 1024 ** 4)).toMatchObject({ usd: 0, complete: true });
  });
  it('DataSync: the run fee known, the per-GB fee named as unconfirmed', () => {
    const f = serviceFee('aws-datasync', 1024 ** 3, 2);
    expect(f.usd).toBeCloseTo(1.1);
    expect(f.complete).toBe(false);
    expect(f.lines.find((l) => l.usd === null)?.note).toMatch(/not confirmed/);
  });
  it("Skyferry's own engine and the cloud-side pull add no service fee", () => {
    expect(serviceFee('skyferry', 100)).toEqual({ usd: 0, complete: true, lines: [] });
  });
});
