import { describe, expect, it } from 'vitest';
import type { AccountSummary } from '../../../shared/accounts';
import { buildInput, splitPastedSasUrl, visibleFields } from './accountForm';

const SAS = 'sv=2024-08-04&ss=b&srt=co&sp=rl&se=2030-01-01T00:00:00Z&sig=abc%2Bdef%3D';

describe('a SAS URL pasted as the Azure endpoint', () => {
  it('is split into the blob service URL, the container and the SAS token', () => {
    expect(splitPastedSasUrl('azure', { auth: 'sharedKey', endpoint: `https://acct.blob.core.windows.net/photos?${SAS}` })).toEqual({
      auth: 'sas',
      endpoint: 'https://acct.blob.core.windows.net',
      container: 'photos',
      'secrets.sasToken': SAS,
    });
    // An account-level SAS names no container; a container already chosen is kept.
    expect(splitPastedSasUrl('azure', { endpoint: `https://acct.blob.core.windows.net/?${SAS}`, container: 'keep' })).toEqual({
      auth: 'sas',
      endpoint: 'https://acct.blob.core.windows.net',
      container: 'keep',
      'secrets.sasToken': SAS,
    });
  });

  it('keeps the account in the path of an emulator (IP or localhost) endpoint', () => {
    expect(splitPastedSasUrl('azure', { endpoint: `http://127.0.0.1:10000/devstoreaccount1/my%20box/a.txt?${SAS}` })).toMatchObject({
      endpoint: 'http://127.0.0.1:10000/devstoreaccount1',
      container: 'my box',
      'secrets.sasToken': SAS,
    });
  });

  it('leaves anything else as typed', () => {
    const values = { endpoint: 'https://acct.blob.core.windows.net/?comp=list' };
    expect(splitPastedSasUrl('azure', values)).toBe(values);
    const s3 = { endpoint: `https://s3.example.com/?${SAS}` };
    expect(splitPastedSasUrl('s3', s3)).toBe(s3);
  });

  it('builds a valid SAS account from the pasted URL alone', () => {
    const r = buildInput('azure', 'pasted', { auth: 'sharedKey', endpoint: `https://acct.blob.core.windows.net/photos?${SAS}` }, false);
    expect(r.errors).toBeNull();
    expect(r.input).toMatchObject({ kind: 'azure', auth: 'sas', endpoint: 'https://acct.blob.core.windows.net', container: 'photos', secrets: { sasToken: SAS } });
  });
});

describe('endpoints with credentials', () => {
  it('are refused with a message that says what to remove', () => {
    const secrets = { 'secrets.accessKeyId': 'AKIA', 'secrets.secretAccessKey': 'x' };
    expect(buildInput('s3', 'a', { region: 'us-east-1', endpoint: 'https://u:p@s3.example.com', ...secrets }, false).errors).toEqual({
      endpoint: 'Remove the user name and password (user:pass@) from the endpoint: credentials go in their own fields',
    });
    expect(buildInput('s3', 'a', { region: 'us-east-1', endpoint: 'https://s3.example.com/?X-Amz-Signature=1', ...secrets }, false).errors?.['endpoint']).toMatch(
      /Remove the query string/,
    );
  });
});

describe('editing an account with saved secrets', () => {
  const saved: AccountSummary = {
    settings: { kind: 's3', name: 'prod', region: 'us-east-1', endpoint: 'https://s3.example.com', forcePathStyle: false, checksumMode: 'when_supported' },
    hasSecrets: true,
  };
  const values = { region: 'us-east-1', checksumMode: 'when_supported', forcePathStyle: false };

  it('asks for the secrets again when the endpoint changes', () => {
    const r = buildInput('s3', 'prod', { ...values, endpoint: 'https://elsewhere.example.com' }, true, saved);
    expect(r.errors).toEqual({
      'secrets.accessKeyId': expect.stringMatching(/endpoint of prod changed: enter its secrets again/),
      'secrets.secretAccessKey': expect.stringMatching(/endpoint of prod changed/),
    });
  });

  it('keeps them for any other change', () => {
    expect(buildInput('s3', 'prod', { ...values, endpoint: 'https://s3.example.com/', region: 'eu-west-1' }, true, saved).errors).toBeNull();
    expect(buildInput('s3', 'prod', { ...values, endpoint: 'https://elsewhere.example.com', 'secrets.accessKeyId': 'A', 'secrets.secretAccessKey': 'B' }, true, saved).errors).toBeNull();
  });
});

describe('an Azure account that signs in with Microsoft Entra ID', () => {
  it('saves the identity and the chosen storage account, and no secret', () => {
    const values = { auth: 'entra', 'entra.credential': 'azureCli', 'entra.tenantId': 'contoso.onmicrosoft.com', accountName: 'photos', endpoint: 'https://photos.blob.core.windows.net', container: 'raw' };
    const r = buildInput('azure', 'photos', values, false);
    expect(r.errors).toBeNull();
    expect(r.input).toEqual({
      kind: 'azure',
      name: 'photos',
      auth: 'entra',
      entra: { credential: 'azureCli', tenantId: 'contoso.onmicrosoft.com' },
      accountName: 'photos',
      endpoint: 'https://photos.blob.core.windows.net',
      container: 'raw',
    });
  });

  it('asks to sign in first', () => {
    expect(buildInput('azure', 'photos', { auth: 'entra' }, false).errors).toEqual({ auth: 'Sign in with Microsoft Entra ID and choose a storage account' });
  });
});

describe('sign-in without a saved key', () => {
  it('an AWS profile account sends the profile name and no secrets; the profile must be chosen', () => {
    const r = buildInput('s3', 'dev', { auth: 'profile', profile: 'dev-admin', region: 'eu-west-1', checksumMode: 'when_supported', forcePathStyle: false }, false);
    expect(r.errors).toBeNull();
    expect(r.input).toMatchObject({ kind: 's3', auth: 'profile', profile: 'dev-admin' });
    expect(r.input && 'secrets' in r.input ? r.input.secrets : undefined).toBeUndefined();
    expect(buildInput('s3', 'dev', { auth: 'profile', region: 'eu-west-1' }, false).errors).toEqual({ profile: 'Choose an AWS profile' });
  });

  it('the environment needs nothing more; the key fields show for keys only, also for an account saved without a choice', () => {
    expect(buildInput('s3', 'ec2', { auth: 'environment', region: 'us-east-1' }, false).errors).toBeNull();
    expect(visibleFields('s3', { auth: 'environment' }).some((f) => f.secret)).toBe(false);
    expect(visibleFields('s3', {}).filter((f) => f.secret).map((f) => f.path)).toContain('secrets.accessKeyId');
  });

  it('a GCS account on application default credentials takes an optional credentials file and no key', () => {
    const r = buildInput('gcs', 'adc', { auth: 'adc', credentialsFile: '/home/me/wif.json', projectId: '' }, false);
    expect(r.errors).toBeNull();
    expect(r.input).toMatchObject({ kind: 'gcs', auth: 'adc', credentialsFile: '/home/me/wif.json' });
    expect(visibleFields('gcs', { auth: 'adc' }).some((f) => f.secret)).toBe(false);
  });
});
