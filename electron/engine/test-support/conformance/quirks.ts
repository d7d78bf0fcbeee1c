/** The conformance cases that a provider may be unable to run; every other case runs against every provider. */
export type ConformanceCase = 'presign' | 'serverSideCopy' | 'setMetadata' | 'metadataRoundTrip' | 'conditionalRemove' | VersionCase;

/**
 * The version cases: `versions`, the provider's version calls; `versionedWrites`, a write over an object keeps the
 * old bytes as a version (or the fixture keeps a snapshot first); `deleteKeepsVersions`, a delete keeps them and the
 * object lists as deleted; `undelete`, a deleted object is brought back.
 */
export type VersionCase = 'versions' | 'versionedWrites' | 'deleteKeepsVersions' | 'undelete';

/** What an emulator can get wrong: a case of the shared suite, or one of a provider's own tests. */
export type QuirkCase = ConformanceCase | 'storageClassRewrite';

/** The emulators the provider tests run against (a local folder needs none). */
export type Emulator = 'minio' | 'fake-gcs-server' | 'azurite';

/**
 * What an emulator gets wrong where the real service is right: the cases the suite skips against it, with the
 * reason. A case the provider itself cannot do is not listed here: the suite reads that from the provider's features.
 */
const EMULATOR_QUIRKS: Readonly<Record<Emulator, Partial<Record<QuirkCase, string>>>> = {
  minio: {
    conditionalRemove:
      'MinIO (pinned 2026-02-12) takes If-Match on DeleteObject but ignores it and deletes the newer version (AWS answers 412); retention.engine.test.ts checks that the header is accepted',
  },
  'fake-gcs-server': {
    setMetadata:
      'fake-gcs-server 1.56.1 keeps a user-metadata key removed by PATCH (null) as an empty string; real GCS drops it. The rest of setMetadata is checked in gcs.provider.test.ts',
    conditionalRemove:
      'fake-gcs-server 1.56.1 ignores ifGenerationMatch on a delete and removes the newer generation (GCS answers 412); retention.engine.test.ts checks that the parameter is accepted',
    storageClassRewrite: 'fake-gcs-server 1.56.1 ignores storageClass in a rewrite or copy body',
  },
  azurite: {
    deleteKeepsVersions:
      'Azurite 3.35 has no blob versions (no x-ms-version-id) and lists no soft-deleted blobs (it stores the soft-delete setting only); snapshots are checked instead',
    undelete: 'Azurite 3.35 answers "not implemented yet" to Undelete Blob',
  },
};

/** Why a case cannot run against this emulator, or undefined where it can (and for a local folder). */
export function emulatorQuirk(emulator: Emulator | undefined, c: QuirkCase): string | undefined {
  return emulator === undefined ? undefined : EMULATOR_QUIRKS[emulator][c];
}
