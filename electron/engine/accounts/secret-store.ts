import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmod, link, mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { FatalError } from '../../../shared/errors';

/**
 * Encrypts the secrets blob at rest. The Electron shell provides one backed by safeStorage (OS keyring); the
 * served mode and tests use `createFileKeyCipher`.
 */
export interface SecretCipher {
  /** For logs and the about box: how secrets are protected. Never the key. */
  readonly description: string;
  encrypt(plain: Buffer): Promise<Buffer>;
  decrypt(data: Buffer): Promise<Buffer>;
}

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** First byte of every sealed blob, so that a later format can be told apart. */
const FORMAT_V1 = 1;

function errno(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}

/** POSIX modes mean nothing on Windows (the profile folder's ACL protects the file there). */
const CHECK_MODES = process.platform !== 'win32';

async function readKey(keyFile: string): Promise<Buffer> {
  const s = await stat(keyFile);
  if (CHECK_MODES && (s.mode & 0o077) !== 0) {
    const mode = (s.mode & 0o777).toString(8).padStart(3, '0');
    throw new FatalError(
      `The key file ${keyFile} can be read or changed by other users (mode ${mode}); Skyferry will not use it. ` +
        `Run "chmod 600 ${keyFile}" and start again.`,
    );
  }
  const key = await readFile(keyFile);
  if (key.length !== KEY_BYTES) {
    throw new FatalError(`The key file ${keyFile} is damaged (${key.length} bytes instead of ${KEY_BYTES}); restore it from a backup or remove it and enter your secrets again.`);
  }
  return key;
}

/**
 * Creates the key file atomically: written in full to a private temp file, then hard-linked into place, so that
 * two processes starting at once agree on one key and a crash never leaves a half-written key.
 */
async function createKey(keyFile: string): Promise<void> {
  const dir = path.dirname(keyFile);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = `${keyFile}.new-${process.pid}-${randomBytes(4).toString('hex')}`;
  const fh = await open(tmp, 'wx', 0o600);
  try {
    await fh.writeFile(randomBytes(KEY_BYTES));
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await link(tmp, keyFile);
  } catch (e) {
    if (errno(e) !== 'EEXIST') throw e;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

/**
 * AES-256-GCM with a random key kept in `keyFile` (mode 0600, in a folder made 0700). A key file that others can
 * read is refused with a clear error rather than used. Resolves once the key is loaded or created.
 */
export async function createFileKeyCipher(keyFile: string): Promise<SecretCipher> {
  const dir = path.dirname(keyFile);
  const created = await mkdir(dir, { recursive: true, mode: 0o700 });
  // A folder we just made is ours to tighten (mkdir's mode is masked by the umask); an existing one is left alone.
  if (created !== undefined && CHECK_MODES) await chmod(dir, 0o700);
  let key: Buffer;
  try {
    key = await readKey(keyFile);
  } catch (e) {
    if (errno(e) !== 'ENOENT') throw e;
    await createKey(keyFile);
    key = await readKey(keyFile);
  }
  return {
    description: `AES-256-GCM with the key file ${keyFile}`,
    encrypt: (plain: Buffer): Promise<Buffer> => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain), cipher.final()]);
      return Promise.resolve(Buffer.concat([Buffer.from([FORMAT_V1]), iv, cipher.getAuthTag(), body]));
    },
    decrypt: (data: Buffer): Promise<Buffer> => {
      if (data.length < 1 + IV_BYTES + TAG_BYTES || data[0] !== FORMAT_V1) {
        return Promise.reject(new FatalError('The saved secrets are not in a format this version of Skyferry can read.'));
      }
      const iv = data.subarray(1, 1 + IV_BYTES);
      const tag = data.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv);
        decipher.setAuthTag(tag);
        return Promise.resolve(Buffer.concat([decipher.update(data.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]));
      } catch {
        return Promise.reject(
          new FatalError(`The saved secrets could not be decrypted with the key in ${keyFile}: the key file was replaced or the secrets file is damaged.`),
        );
      }
    },
  };
}
