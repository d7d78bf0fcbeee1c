import { describe, expect, it } from 'vitest';
import type { ProviderFeatures } from '../../../shared/model';
import { compareKeys } from './keys';
import { identifierFor, mapMetadata, metadataAtRisk } from '../jobs/metadata-map';
import { DestinationNamer } from './names';

/** The providers' own feature records, as they declare them (s3/gcs/azure/local.provider.ts). */
const base: ProviderFeatures = { serverSideCopy: true, presign: true, hashes: ['md5'], storageClasses: [], setMetadata: true, maxKeyBytes: 1024, metadataNamesIdentifiersOnly: false, caseInsensitive: false, versions: false };
const S3: ProviderFeatures = { ...base, maxUserMetadataBytes: 2048 };
const GCS: ProviderFeatures = { ...base, maxUserMetadataBytes: 8192 };
const AZURE: ProviderFeatures = { ...base, maxUserMetadataBytes: 8192, metadataNamesIdentifiersOnly: true };
const LOCAL: ProviderFeatures = { ...base, serverSideCopy: false, hashes: [], maxKeyBytes: 4096, caseInsensitive: false };

describe('destination names', () => {
  it('reports a key too long for the destination (counting its prefix) instead of truncating it', () => {
    const n = new DestinationNamer(S3, 'backup/', false);
    const long = 'k'.repeat(1020);
    const d = n.map(long);
    expect(d.ok).toBe(false);
    if (!d.ok) {
      expect(d.issue).toBe('too-long');
      expect(d.message).toContain('1027 bytes');
    }
    expect(n.map('k'.repeat(1017))).toEqual({ ok: true, destKey: 'k'.repeat(1017) });
  });

  it('reports case collisions on a case-insensitive target, the second name not copied', () => {
    const n = new DestinationNamer({ ...S3, caseInsensitive: true }, '', false);
    expect(n.map('Photo.JPG').ok).toBe(true);
    const d = n.map('photo.jpg');
    expect(d).toMatchObject({ ok: false, issue: 'collision' });
  });

  it('keeps NFC and NFD twins apart on a cloud but reports them', () => {
    const n = new DestinationNamer(GCS, '', false);
    const nfc = 'caf\u00e9.txt';
    const nfd = 'cafe\u0301.txt';
    expect(n.map(nfc)).toEqual({ ok: true, destKey: nfc });
    const d = n.map(nfd);
    expect(d).toMatchObject({ ok: true, destKey: nfd, warning: { issue: 'nfc-nfd' } });
  });

  it('maps names a local folder cannot hold with the job engine’s reversible escaping, and refuses NFC/NFD twins there', () => {
    const n = new DestinationNamer(LOCAL, '', true);
    const d = n.map('a\\b.txt');
    expect(d).toMatchObject({ ok: true, destKey: 'a＼b.txt', renamed: {} });
    expect(n.map('caf\u00e9').ok).toBe(true);
    expect(n.map('cafe\u0301')).toMatchObject({ ok: false, issue: 'collision' });
    expect(n.map(`${'x'.repeat(300)}.bin`)).toMatchObject({ ok: false, issue: 'unusable' });
  });

  it('orders keys by code point (the UTF-8 order of S3 and GCS), not by UTF-16 unit', () => {
    const astral = '\u{1F600}';
    const bmpHigh = '\uFF01';
    expect(astral < bmpHigh).toBe(true); // what JavaScript's < says
    expect(compareKeys(astral, bmpHigh)).toBeGreaterThan(0); // what the stores say
    expect(compareKeys('a', 'a/')).toBeLessThan(0);
    expect(compareKeys('a/b', 'a/b')).toBe(0);
  });
});

describe('metadata per provider pair', () => {
  it('GCS or S3 -> Azure: names that are not identifiers are renamed and reported; a taken name is dropped', () => {
    const m = mapMetadata({ 'content-owner': 'ana', project: 'x', '2nd-copy': 'y', 'a.b': '1', a_b: '2' }, AZURE);
    expect(m.metadata).toEqual({ content_owner: 'ana', project: 'x', _2nd_copy: 'y', a_b: '2' });
    expect(m.renamed).toEqual([
      { from: 'content-owner', to: 'content_owner' },
      { from: '2nd-copy', to: '_2nd_copy' },
    ]);
    expect(m.dropped).toEqual(['a.b']);
    expect(m.reason).toContain('"a.b"');
    expect(identifierFor('---')).toBeUndefined();
  });

  it('GCS or Azure -> S3: metadata over 2 KB loses its largest entries until it fits, each one reported', () => {
    const m = mapMetadata({ small: 'v', big: 'x'.repeat(1500), mid: 'y'.repeat(1000) }, S3);
    expect(m.dropped).toEqual(['big']);
    expect(Object.keys(m.metadata).sort()).toEqual(['mid', 'small']);
    expect(m.reason).toContain('2048-byte limit');
  });

  it('S3 -> GCS and Azure -> S3 within limits: nothing changes; -> local: everything is dropped and said so', () => {
    expect(mapMetadata({ 'content-owner': 'a' }, GCS)).toEqual({ metadata: { 'content-owner': 'a' }, renamed: [], dropped: [] });
    expect(mapMetadata({ owner: 'a' }, S3)).toEqual({ metadata: { owner: 'a' }, renamed: [], dropped: [] });
    expect(mapMetadata({ owner: 'a' }, LOCAL, false)).toMatchObject({ dropped: ['owner'], reason: 'the destination keeps no user metadata' });
  });

  it('knows which pairs put metadata at risk (so the plan reads it only then)', () => {
    expect(metadataAtRisk(S3, GCS)).toBe(false);
    expect(metadataAtRisk(GCS, S3)).toBe(true);
    expect(metadataAtRisk(S3, AZURE)).toBe(true);
    expect(metadataAtRisk(AZURE, GCS)).toBe(false);
    expect(metadataAtRisk(S3, LOCAL, false)).toBe(true);
  });
});
