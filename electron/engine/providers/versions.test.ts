import { describe, expect, it } from 'vitest';
import type { ObjectVersion } from '../../../shared/contract/versions';
import { newerGeneration } from './gcs/versions';
import { newestFirst } from './versions';

const at = '2026-12-07T14:40:00.123Z';
const version = (versionId: string, size: number, over: Partial<ObjectVersion> = {}): ObjectVersion => ({ key: 'a.txt', versionId, kind: 'version', isCurrent: false, size, modified: at, ...over });

describe('newestFirst', () => {
  it("orders two GCS generations written in the same millisecond by GCS's own order, listed either way", () => {
    const older = version('1765118400123001', 2);
    const newer = version('1765118400123002', 3);
    expect(newestFirst([older, newer], newerGeneration).map((v) => v.size)).toEqual([3, 2]);
    expect(newestFirst([newer, older], newerGeneration).map((v) => v.size)).toEqual([3, 2]);
  });

  it('keeps the listed order of opaque ids with the same time (S3 lists its versions newest first)', () => {
    const listed = [version('3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY', 3), version('null', 2), version('Zq.9x2', 1)];
    expect(newestFirst(listed).map((v) => v.size)).toEqual([3, 2, 1]);
  });

  it('puts the current version first and fills noncurrentSince from the next newer one', () => {
    const rows = newestFirst([version('1', 1, { modified: '2026-12-01T00:00:00Z' }), version('2', 2, { isCurrent: true, modified: '2026-12-02T00:00:00Z' })]);
    expect(rows.map((v) => [v.size, v.noncurrentSince])).toEqual([
      [2, undefined],
      [1, '2026-12-02T00:00:00Z'],
    ]);
  });
});
