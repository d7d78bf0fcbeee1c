/**
 * Scoped loggers. Everything logged passes through `redact`, so an access key, a SAS signature, a session token or
 * a service-account private key never reaches a log, even inside an error's message.
 */
const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
type Level = keyof typeof LEVELS;

function threshold(): number {
  const env = (process.env.SKYFERRY_LOG_LEVEL ?? (process.env.VITEST ? 'warn' : 'info')) as Level;
  return LEVELS[env] ?? LEVELS.info;
}

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

function describe(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

export interface Logger {
  debug(message: string, detail?: unknown): void;
  info(message: string, detail?: unknown): void;
  warn(message: string, detail?: unknown): void;
  error(message: string, detail?: unknown): void;
}

export function createLogger(scope: string): Logger {
  const emit = (level: Level, message: string, detail?: unknown): void => {
    if (LEVELS[level] < threshold()) return;
    const line = `${new Date().toISOString()} ${level.toUpperCase()} [${scope}] ${message}${detail === undefined ? '' : ` ${describe(detail)}`}`;
    process.stderr.write(`${redact(line)}\n`);
  };
  return {
    debug: (m, d) => emit('debug', m, d),
    info: (m, d) => emit('info', m, d),
    warn: (m, d) => emit('warn', m, d),
    error: (m, d) => emit('error', m, d),
  };
}
