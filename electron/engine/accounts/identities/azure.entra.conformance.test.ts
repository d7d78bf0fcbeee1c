import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import type { AzureSettings } from '../../../../shared/accounts';
import { startAzurite } from '../../../../tools/emulators/emulators';
import { selfSignedCert } from '../../../../tools/emulators/tls';
import { createAzureProvider } from '../../providers/azure/azure.provider';
import type { MultipartSettings } from '../../providers/provider';
import { fakeJwt, startEntraStandIn, STORAGE_AUDIENCE, TEST_TENANT, trustCertificate } from '../../test-support/entra-stand-in';
import { runConformance, type ConformanceFixture } from '../../test-support/conformance/suite';
import { createAzureIdentities } from './azure';

/**
 * The provider conformance suite on an Azure account that signs in with Microsoft Entra ID: a device-code sign-in
 * on MSAL's public client against a stand-in authority, tokens sent to Azurite over HTTPS with `--oauth basic`.
 * What differs from a shared-key account is each request's bearer token (fetched silently from MSAL's cache after
 * the one sign-in) and the share links, which are user-delegation SAS. The slow bulk cases (a large object, 2,500
 * keys paged and deleted) are left out by name: they run on the shared-key Azurite account (azure.provider.test.ts)
 * through the same provider code, and a token changes nothing in them but a header.
 */
const MIB = 1024 * 1024;
const MULTIPART: MultipartSettings = { thresholdBytes: 6 * MIB, partSizeBytes: 5 * MIB, concurrency: 4 };
const LARGE_LABEL = `streams a ${Number(process.env.SKYFERRY_CONFORMANCE_LARGE_MIB ?? 300)} MiB object up and down with bounded memory`;
const BULK = 'a slow bulk case that the shared-key Azurite run (azure.provider.test.ts) covers through the same provider code: a token adds only a header';
const SKIP: Record<string, string> = {
  [LARGE_LABEL]: BULK,
  'pages over 2,500 keys by cursor, flat and by folder, without duplicates': BULK,
  'deletes many keys in batches (and a missing key counts as removed)': BULK,
};

runConformance('azure (Azurite over HTTPS, Microsoft Entra ID device-code sign-in)', async (): Promise<ConformanceFixture> => {
  const az = await startAzurite({ oauth: true });
  if (!az.tls) throw new Error('Azurite started without TLS');
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'skyferry-entra-conformance-'));
  const pair = await selfSignedCert(tmp);
  trustCertificate(az.tls.cert);
  trustCertificate(pair.cert);
  const entra = await startEntraStandIn(pair);
  let prompts = 0;
  const identities = createAzureIdentities(
    { interactive: 'deviceCode', authorityHost: entra.authorityHost },
    {
      prompt: () => void prompts++,
      done: () => undefined,
    },
  );
  const settings: AzureSettings = { kind: 'azure', name: 'entra', auth: 'entra', entra: { credential: 'deviceCode', tenantId: TEST_TENANT }, accountName: az.accountName, endpoint: az.endpoint };
  const provider = createAzureProvider(settings, {}, { multipart: MULTIPART, credential: identities.credential(settings.entra ?? { credential: 'deviceCode' }) });
  // The SDK directly, with a token of the stand-in tenant: to make the container and check what the provider wrote.
  const sdk = new BlobServiceClient(az.endpoint, { getToken: async () => ({ token: fakeJwt(STORAGE_AUDIENCE), expiresOnTimestamp: Date.now() + 3_000_000 }) });
  const bucket = `entra-conformance-${Date.now().toString(36)}`;
  await sdk.createContainer(bucket);
  return {
    provider,
    emulator: 'azurite',
    bucket,
    multipart: MULTIPART,
    skip: SKIP,
    pendingUploads: async () => {
      const c = sdk.getContainerClient(bucket);
      const committed = new Set<string>();
      for await (const b of c.listBlobsFlat()) committed.add(b.name);
      let n = 0;
      for await (const b of c.listBlobsFlat({ includeUncommitedBlobs: true })) if (!committed.has(b.name)) n++;
      return n;
    },
    readWithSdk: async (key) => sdk.getContainerClient(bucket).getBlobClient(key).downloadToBuffer(),
    keepVersion: async (key) => void (await sdk.getContainerClient(bucket).getBlobClient(key).createSnapshot()),
    teardown: async () => {
      await provider.close?.();
      // One device code for the whole suite: every later token came silently from the same sign-in.
      if (prompts !== 1) throw new Error(`the suite asked for ${prompts} device codes, not 1`);
      await entra.stop();
      await az.stop();
      await rm(tmp, { recursive: true, force: true });
    },
  };
});
