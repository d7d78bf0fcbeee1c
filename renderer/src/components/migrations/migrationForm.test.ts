import { describe, expect, it } from 'vitest';
import { EMPTY_FORM, fromRequest, parseSize, toRequest } from './migrationForm';

describe('migration form', () => {
  it('reads sizes in binary units', () => {
    expect(parseSize('42')).toBe(42);
    expect(parseSize('1.5 KiB')).toBe(1536);
    expect(parseSize('10M')).toBe(10 * 1024 ** 2);
    expect(parseSize('2 gb')).toBe(2 * 1024 ** 3);
    expect(parseSize('ten')).toBeNull();
    expect(parseSize('5 parsecs')).toBeNull();
  });

  it('turns the form into a request: folders as prefixes, deletions only in mirror mode', () => {
    const { request, errors } = toRequest({
      ...EMPTY_FORM,
      source: 's3://minio/src/photos',
      destinations: ['gs://gcs/dst/backup/', 'az://azurite/c'],
      mode: 'mirror',
      deletionsEnabled: true,
      maxPercent: '10',
      quarantinePrefix: '_q',
      include: '*.jpg\n\n **/*.png ',
      minSize: '1 KiB',
      storageClass: ' NEARLINE ',
    });
    expect(errors).toEqual({});
    expect(request).toMatchObject({
      source: 's3://minio/src/photos/',
      destinations: ['gs://gcs/dst/backup/', 'az://azurite/c'],
      filters: { include: ['*.jpg', '**/*.png'], minSize: 1024 },
      options: { storageClass: 'NEARLINE', preserveMetadata: true },
      deletions: { enabled: true, maxPercent: 10, quarantinePrefix: '_q/' },
    });
    expect(toRequest({ ...EMPTY_FORM, source: 's3://a/b/', destinations: ['s3://a/c/'], deletionsEnabled: true }).request.deletions?.enabled).toBe(false);
  });

  it('says what is wrong beside each field', () => {
    const { errors } = toRequest({ ...EMPTY_FORM, source: 'minio/src', destinations: ['s3://minio', 's3://minio/src/'], maxPercent: '150', minSize: '2 MiB', maxSize: '1 MiB' });
    expect(errors.source).toMatch(/not a location/);
    expect(errors['destination-0']).toMatch(/is an account/);
    expect(errors.maxPercent).toMatch(/0 to 100/);
    expect(errors.maxSize).toMatch(/below the smallest/);
    expect(toRequest({ ...EMPTY_FORM, source: 's3://m/b/p/', destinations: ['s3://m/b/p'] }).errors['destination-0']).toMatch(/source itself/);
  });

  it('round-trips a saved request', () => {
    const { request } = toRequest({ ...EMPTY_FORM, name: 'nightly', source: 's3://m/b/', destinations: ['gs://g/d/'], mode: 'mirror', deletionsEnabled: true, maxCount: '5', exclude: 'tmp/**' });
    const back = fromRequest(request, 'nightly');
    expect(toRequest(back).request).toEqual(request);
    expect(back).toMatchObject({ name: 'nightly', maxCount: '5', exclude: 'tmp/**', deletionsEnabled: true });
  });
});
