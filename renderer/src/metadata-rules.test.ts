import { describe, expect, it } from 'vitest';
import { headerValueProblem, metadataNameProblem, metadataValueProblem } from './metadata-rules';

describe('metadata rules', () => {
  it('names are header tokens on S3 and GCS', () => {
    expect(metadataNameProblem('color', 's3', false)).toBeNull();
    expect(metadataNameProblem('x-owner.id_2', 'gcs', false)).toBeNull();
    expect(metadataNameProblem('bad key', 's3', false)).toMatch(/spaces/);
    expect(metadataNameProblem('a:b', 's3', false)).toMatch(/not “:”/);
    expect(metadataNameProblem('é', 'gcs', false)).not.toBeNull();
    expect(metadataNameProblem('', 's3', false)).toBe('Enter a name.');
  });

  it('names are C# identifiers on Azure', () => {
    expect(metadataNameProblem('Owner_1', 'azure', true)).toBeNull();
    expect(metadataNameProblem('1owner', 'azure', true)).toMatch(/Azure/);
    expect(metadataNameProblem('my-key', 'azure', true)).toMatch(/Azure/);
  });

  it('values are printable ASCII on S3 and Azure, free of control characters elsewhere', () => {
    expect(metadataValueProblem('plain value 1', 's3')).toBeNull();
    expect(metadataValueProblem('café', 's3')).toMatch(/ASCII/);
    expect(metadataValueProblem('café', 'azure')).toMatch(/ASCII/);
    expect(metadataValueProblem('café', 'gcs')).toBeNull();
    expect(metadataValueProblem('a\nb', 'gcs')).toMatch(/line breaks/);
    expect(metadataValueProblem('a\nb', 'local')).toBeNull();
  });

  it('standard headers', () => {
    expect(headerValueProblem('contentType', 'text/plain; charset=utf-8', 's3')).toBeNull();
    expect(headerValueProblem('contentType', 'text', 's3')).toMatch(/type\/subtype/);
    expect(headerValueProblem('cacheControl', 'max-age=60\n', 'gcs')).toMatch(/ASCII/);
    expect(headerValueProblem('cacheControl', '', 'gcs')).toBeNull();
  });
});
