import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

export interface SelfSignedPair {
  certFile: string;
  keyFile: string;
  /** The certificate as PEM text, for a client to trust. */
  cert: string;
  key: string;
}

/** A self-signed certificate for 127.0.0.1 and localhost (two days), made with openssl in `dir`. */
export async function selfSignedCert(dir: string): Promise<SelfSignedPair> {
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  await promisify(execFile)('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ]);
  return { certFile, keyFile, cert: await readFile(certFile, 'utf8'), key: await readFile(keyFile, 'utf8') };
}
