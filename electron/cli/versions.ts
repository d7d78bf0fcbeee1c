import type { ObjectVersion } from '../../shared/contract/versions';
import { columns, EXIT, size, UsageError, type GlobalOptions, type Outcome } from './common';
import type { Session } from './session';

export interface VersionsLsOptions extends GlobalOptions {
  deleted?: boolean;
}

export interface VersionsRmOptions extends GlobalOptions {
  /** The size the caller expects the version to hold; the engine refuses a version that holds another. */
  size?: number;
  /** Deleting the current version is refused unless this is set. */
  current?: boolean;
}

function needObject(uri: string, verb: string): void {
  if (uri.endsWith('/')) throw new UsageError(`${uri} is a folder: \`skyferry versions ${verb}\` takes one object`);
}

const kindLabel = (v: ObjectVersion): string => (v.kind === 'delete-marker' ? 'delete marker' : v.kind);

/**
 * `versions ls`: every version of one object, newest first; with --deleted and a folder, the objects in that
 * folder whose current version is deleted (what `versions undelete` brings back).
 */
export async function listVersions(s: Session, uri: string, opts: VersionsLsOptions): Promise<Outcome> {
  if (opts.deleted) {
    if (!uri.endsWith('/')) throw new UsageError(`--deleted lists a folder's deleted objects: give a folder ending in / (${uri}/)`);
    const answer = await s.call('versions:deleted', { uri });
    const rows = answer.entries.map((d) => [String(d.size), d.deletedAt ?? '-', String(d.versions), d.key]);
    const text = answer.entries.length ? columns([['SIZE', 'DELETED', 'VERSIONS', 'KEY'], ...rows]) : [`no deleted objects in ${uri}`];
    if (answer.truncated) text.push('... (more: the listing was cut short)');
    return { code: EXIT.ok, json: answer, text };
  }
  if (uri.endsWith('/')) throw new UsageError(`${uri} is a folder: versions are listed per object (--deleted lists the folder's deleted objects)`);
  const { versions } = await s.call('versions:list', { uri });
  const rows = versions.map((v) => [v.versionId, v.isCurrent ? 'current' : '', kindLabel(v), v.kind === 'delete-marker' ? '-' : String(v.size), v.modified ?? '-', v.storageClass ?? '-']);
  return {
    code: EXIT.ok,
    json: { versions },
    text: versions.length ? columns([['VERSION', 'CURRENT', 'KIND', 'SIZE', 'MODIFIED', 'CLASS'], ...rows]) : [`${uri} has no versions`],
  };
}

/** `versions restore`: makes the version current by a server-side copy onto the key; the older versions stay. */
export async function restoreVersion(s: Session, uri: string, versionId: string): Promise<Outcome> {
  needObject(uri, 'restore');
  await s.call('versions:restore', { uri, versionId });
  return { code: EXIT.ok, json: { uri, versionId, restored: true }, text: [`restored ${uri} to version ${versionId} (the older versions stay)`] };
}

/**
 * `versions rm`: deletes one version for good. The version is looked up first and its size sent as what was
 * confirmed (or --size, which the engine checks against the stored version); the current version is refused by the
 * engine unless --current.
 */
export async function removeVersion(s: Session, uri: string, versionId: string, opts: VersionsRmOptions): Promise<Outcome> {
  needObject(uri, 'rm');
  const found = (await s.call('versions:list', { uri })).versions.find((v) => v.versionId === versionId);
  if (!found) throw new UsageError(`${uri} has no version ${versionId} (\`skyferry versions ls ${uri}\` lists them)`);
  const expected = opts.size ?? found.size;
  await s.call('versions:remove', { uri, versionId, expect: { size: expected }, ...(opts.current ? { allowCurrent: true } : {}) });
  const what = found.kind === 'delete-marker' ? 'delete marker' : `version (${size(found.size)})`;
  return {
    code: EXIT.ok,
    json: { uri, versionId, kind: found.kind, size: found.size, removed: true },
    text: [`deleted 1 ${what} ${versionId} of ${uri}${found.kind === 'delete-marker' && found.isCurrent ? ': the object reads again' : ''}`],
  };
}

/** `versions undelete`: removes the delete marker (S3), restores the newest generation (GCS), undeletes (Azure). */
export async function undeleteObject(s: Session, uri: string): Promise<Outcome> {
  needObject(uri, 'undelete');
  await s.call('versions:undelete', { uri });
  return { code: EXIT.ok, json: { uri, undeleted: true }, text: [`undeleted ${uri}`] };
}
