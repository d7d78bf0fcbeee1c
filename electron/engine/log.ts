/**
 * Scoped loggers. Everything logged passes through `redact`, so an access key, a SAS signature, a session token or
 * a service-account private key never reaches a log, even inside an error's message.
 */
import { redact } from '../../shared/redact';

export { redact, registerSecret } from '../../shared/redact';

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
type Level = keyof typeof LEVELS;

function threshold(): number {
  const env = (process.env.SKYFERRY_LOG_LEVEL ?? (process.env.VITEST ? 'warn' : 'info')) as Level;
  return LEVELS[env] ?? LEVELS.info;
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
