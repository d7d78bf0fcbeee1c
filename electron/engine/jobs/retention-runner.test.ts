import { describe, expect, it } from 'vitest';
import type { ObjectMetadata } from '../../../shared/model';
import { checkUnchanged } from './retention-runner';

/** The re-check a retention run makes before it deletes or moves an object (the emulator tests run it end to end). */
const cutoff = new Date('2026-06-01T00:00:00Z');
const planned = { source: 's3://a/b/k', size: 10, etag: 'e1' };
const meta = (m: Partial<ObjectMetadata>): ObjectMetadata => ({ key: 'k', size: 10, etag: 'e1', modified: '2026-01-01T00:00:00Z', checksums: {}, userMetadata: {}, ...m });

describe('checkUnchanged', () => {
  it('acts on an object as the preview saw it', () => {
    expect(checkUnchanged(planned, meta({}), cutoff)).toEqual({ act: true });
    expect(checkUnchanged(planned, meta({ storageClass: 'STANDARD' }), cutoff, 'STANDARD_IA')).toEqual({ act: true });
  });

  it('leaves alone an object rewritten or touched since', () => {
    expect(checkUnchanged(planned, meta({ etag: 'e2' }), cutoff)).toMatchObject({ act: false, state: 'skipped', notice: expect.stringMatching(/ETag differs/) });
    expect(checkUnchanged(planned, meta({ modified: '2026-06-01T00:00:00Z' }), cutoff)).toMatchObject({ act: false, state: 'skipped', notice: expect.stringMatching(/modified since/) });
    expect(checkUnchanged({ ...planned, etag: undefined }, meta({ etag: undefined, size: 11 }), cutoff)).toMatchObject({ act: false, state: 'skipped', notice: expect.stringMatching(/size differs/) });
  });

  it('counts an object already gone (delete) or already in the class (change) as done, and gone as skipped for a change', () => {
    expect(checkUnchanged(planned, undefined, cutoff)).toEqual({ act: false, state: 'done', notice: 'Already gone' });
    expect(checkUnchanged(planned, undefined, cutoff, 'Cool')).toMatchObject({ act: false, state: 'skipped' });
    // An S3 class change rewrites the object (new date): a resumed run must not call it "changed since".
    expect(checkUnchanged(planned, meta({ storageClass: 'cool', modified: '2026-07-01T00:00:00Z' }), cutoff, 'Cool')).toEqual({ act: false, state: 'done', notice: 'Already in cool' });
  });
});
