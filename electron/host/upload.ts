import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InvalidInputError, SkyferryError } from '../../shared/errors';
import { localPathToUri } from '../../shared/location';

/** 64 GiB unless SKYFERRY_MAX_UPLOAD_BYTES says otherwise: a browser drop should not fill the disk by accident. */
export const DEFAULT_MAX_UPLOAD_BYTES = 64 * 1024 ** 3;

/**
 * Checks a browser-supplied relative path (a File's name or webkitRelativePath) and returns its segments.
 * Refused: empty, absolute (`/x`, `C:/x`), backslashes, `.`/`..` segments, empty segments, NUL, over-long names.
 */
export function safeRelativePath(input: string | null): string[] {
  if (!input) throw new InvalidInputError('The upload names no path.');
  if (input.length > 4096) throw new InvalidInputError('The upload path is too long.');
  if (input.includes('\\')) throw new InvalidInputError('The upload path may not contain a backslash.');
  if (input.includes('\0')) throw new InvalidInputError('The upload path may not contain a NUL character.');
  if (input.startsWith('/') || /^[A-Za-z]:/.test(input)) throw new InvalidInputError('The upload path must be relative.');
  const segments = input.split('/');
  for (const s of segments) {
    if (s === '' || s === '.' || s === '..') throw new InvalidInputError(`The upload path "${input}" has an empty, "." or ".." segment.`);
    if (Buffer.byteLength(s) > 255) throw new InvalidInputError('A name in the upload path is longer than 255 bytes.');
  }
  return segments;
}

export interface StagedUpload {
  /** file:///abs/path of the staged file, in the built-in `local` account (root '/'). */
  stagedUri: string;
  /** The staging batch this file went to; pass it back as `batch` to put several files side by side. */
  batch: string;
  /** file:///abs/path/ of the batch folder: a folder drop can be moved from here as one tree. */
  batchUri: string;
  size: number;
}

/** Staging for browser uploads: `<dataDir>/staging/<batch id>/<relative path>`, emptied when the host starts. */
export class UploadStaging {
  private readonly batches = new Set<string>();

  constructor(
    readonly root: string,
    private readonly maxBytes: number,
  ) {}

  async reset(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
    await mkdir(this.root, { recursive: true, mode: 0o700 });
  }

  /** Streams the request body to disk (never buffered); the declared Content-Length bounds and must match it. */
  async receive(req: IncomingMessage, url: URL): Promise<StagedUpload> {
    const segments = safeRelativePath(url.searchParams.get('path'));
    const declared = Number(req.headers['content-length']);
    if (!req.headers['content-length'] || !Number.isSafeInteger(declared) || declared < 0) {
      throw new SkyferryError('invalid_input', 'The upload must declare its size (Content-Length).');
    }
    if (declared > this.maxBytes) {
      throw new SkyferryError('invalid_input', `The file is larger than the ${Math.floor(this.maxBytes / 1024 ** 2)} MiB this host accepts for a browser upload.`);
    }
    const batch = this.batchFor(url.searchParams.get('batch'));
    const batchDir = path.join(this.root, batch);
    const target = path.join(batchDir, ...segments);
    // Belt and braces after the segment checks: the file must land inside its batch folder.
    if (!target.startsWith(batchDir + path.sep)) throw new InvalidInputError('The upload path leaves the staging folder.');
    await mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
    let received = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        received += chunk.length;
        if (received > declared) done(new SkyferryError('invalid_input', 'The upload sent more bytes than it declared.'));
        else done(null, chunk);
      },
    });
    try {
      // 'wx': two uploads of one name into one batch must not silently overwrite each other.
      await pipeline(req, counter, createWriteStream(target, { flags: 'wx', mode: 0o600 }));
    } catch (e) {
      await rm(target, { force: true }).catch(() => undefined);
      if (e instanceof SkyferryError) throw e;
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new SkyferryError('conflict', `"${segments.join('/')}" was already uploaded in this batch.`);
      throw new SkyferryError('retryable', 'The upload was interrupted before it finished.');
    }
    if (received !== declared) {
      await rm(target, { force: true }).catch(() => undefined);
      throw new SkyferryError('retryable', 'The upload ended before all of its bytes arrived.');
    }
    return {
      stagedUri: fileUri(target),
      batch,
      batchUri: `${fileUri(batchDir)}/`,
      size: received,
    };
  }

  private batchFor(requested: string | null): string {
    if (requested) {
      if (!this.batches.has(requested)) throw new InvalidInputError('Unknown upload batch.');
      return requested;
    }
    const id = randomBytes(12).toString('base64url');
    this.batches.add(id);
    return id;
  }
}

/**
 * Location URIs keep keys verbatim (no percent-encoding): file:///abs/path as the user would read it, and on Windows
 * the drive or share as the bucket (`C:\data\x` -> file:///C:/data/x).
 */
export function fileUri(absPath: string): string {
  return localPathToUri(absPath, path.sep === '\\' ? 'win32' : 'posix');
}
