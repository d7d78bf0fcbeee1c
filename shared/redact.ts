/**
 * The one redaction of secrets, for everything that leaves the engine: log lines (electron/engine/log.ts) and every
 * error message that crosses to the renderer (`toErrorInfo` in ./errors.ts), mapped by a provider or not. It knows
 * the shapes secrets take in text (a SAS signature, an account key in a connection string, a presigned URL's
 * signature, a private key, `password=…`) and the secret values registered at run time (the saved accounts' keys).
 * Pure: shared/ runs in every layer.
 */
const PATTERNS: Array<[RegExp, string]> = [
  [/([?&](?:sig|X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token|X-Goog-Signature|X-Goog-Credential)=)[^&\s"']+/gi, '$1[redacted]'],
  [/(AccountKey=)[^;\s"']+/gi, '$1[redacted]'],
  [/(SharedAccessSignature=)[^;\s"']+/gi, '$1[redacted]'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, '[redacted private key]'],
  [/("private_key"\s*:\s*")[^"]*"/g, '$1[redacted]"'],
  [/((?:secretAccessKey|accountKey|sessionToken|sasToken|connectionString|password|token)["']?\s*[:=]\s*["']?)[^"',\s}]+/gi, '$1[redacted]'],
  [/(Credential=)[^,\s/]+/g, '$1[redacted]'],
  [/(Authorization:\s*)[^\r\n]+/gi, '$1[redacted]'],
];

/** Secrets registered at run time (the keys of saved accounts) are redacted wherever they appear. */
const known = new Set<string>();

export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 6) known.add(value);
}

export function redact(text: string): string {
  let out = text;
  for (const secret of known) if (out.includes(secret)) out = out.split(secret).join('[redacted]');
  for (const [re, rep] of PATTERNS) out = out.replace(re, rep);
  return out;
}

