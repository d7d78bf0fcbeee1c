import { SingleBar } from 'cli-progress';
import type { JobSummary } from '../../shared/contract';
import { formatDuration, formatSize } from '../../shared/format';

/** How a command shows a job going on: a bar on a terminal, a plain line now and then otherwise, nothing for --json. */
export interface ProgressDisplay {
  update(job: JobSummary): void;
  stop(): void;
}

/** At most one plain line this often (ms), besides the first and the last; SKYFERRY_PROGRESS_MS overrides. */
const PLAIN_EVERY_MS = Number(process.env.SKYFERRY_PROGRESS_MS) || 5000;

/** The bar's own tokens ({eta}, {value}, ...) are cli-progress's: these names do not clash with them. */
function figures(job: JobSummary): { files: string; bytes: string; speed: string; timeLeft: string } {
  return {
    files: `${job.filesDone}/${job.filesTotal} files${job.filesFailed ? ` (${job.filesFailed} failed)` : ''}`,
    bytes: `${formatSize(job.bytesDone)}/${formatSize(job.bytesTotal)}`,
    speed: job.bytesPerSecond > 0 ? `${formatSize(job.bytesPerSecond)}/s` : '-',
    timeLeft: formatDuration(job.etaSeconds) || '-',
  };
}

/** One line a script can read: `progress <id> <phase>: 3/10 files, 1.0 MiB/4.0 MiB, 2.0 MiB/s, ETA 2 s`. */
export function progressLine(job: JobSummary): string {
  const f = figures(job);
  return `progress ${job.id} ${job.phase}: ${f.files}, ${f.bytes}, ${f.speed}, ETA ${f.timeLeft}`;
}

export function createProgress(mode: 'json' | 'quiet' | 'auto', stream: NodeJS.WriteStream = process.stderr): ProgressDisplay {
  if (mode !== 'auto') return { update: () => undefined, stop: () => undefined };
  if (stream.isTTY) return terminalBar(stream);
  let last = 0;
  let lastLine = '';
  let pending: JobSummary | undefined;
  return {
    update(job) {
      pending = job;
      const now = Date.now();
      if (last && now - last < PLAIN_EVERY_MS) return;
      last = now;
      lastLine = progressLine(job);
      pending = undefined;
      stream.write(`${lastLine}\n`);
    },
    stop() {
      if (pending && progressLine(pending) !== lastLine) stream.write(`${progressLine(pending)}\n`);
      pending = undefined;
    },
  };
}

function terminalBar(stream: NodeJS.WriteStream): ProgressDisplay {
  const bar = new SingleBar({
    stream,
    format: ' {bar} {percentage}% | {files} | {bytes} | {speed} | ETA {timeLeft}',
    barCompleteChar: '\u2588',
    barIncompleteChar: '\u2591',
    hideCursor: true,
    clearOnComplete: false,
  });
  let started = false;
  return {
    update(job) {
      const total = Math.max(job.bytesTotal, 1);
      if (!started) {
        bar.start(total, 0, figures(job));
        started = true;
      }
      bar.setTotal(total);
      bar.update(job.bytesDone, figures(job));
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}
