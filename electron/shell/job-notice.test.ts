import { describe, expect, it } from 'vitest';
import type { JobSummary } from '../../shared/contract';
import { formatDuration } from '../../shared/format';
import { createJobEndTracker, formatBytes, jobEndNotice } from './job-notice';

const T0 = Date.parse('2025-05-01T10:00:00Z');

function job(over: Partial<JobSummary> & { seconds?: number } = {}): JobSummary {
  const { seconds = 75, ...rest } = over;
  return {
    id: 'j1',
    kind: 'copy',
    title: 'Copy 2 items to s3://minio/photos/',
    sources: ['gs://gcs/archive/2024/'],
    destination: 's3://minio/photos/',
    state: 'completed',
    phase: 'done',
    path: 'relay',
    filesDone: 1204,
    filesTotal: 1204,
    filesFailed: 0,
    bytesDone: 2.5 * 1024 ** 3,
    bytesTotal: 2.5 * 1024 ** 3,
    bytesPerSecond: 0,
    etaSeconds: null,
    startedAt: new Date(T0).toISOString(),
    finishedAt: new Date(T0 + seconds * 1000).toISOString(),
    ...rest,
  };
}

describe('jobEndNotice', () => {
  it('says what a long job did when it completes', () => {
    expect(jobEndNotice(job(), { locale: 'en-US' })).toEqual({
      jobId: 'j1',
      title: 'Transfer done',
      body: 'Copy 2 items to s3://minio/photos/\n1,204 files, 2.5 GiB in 1 min 15 s.',
      failed: false,
    });
    expect(jobEndNotice(job({ kind: 'delete', title: 'Delete 3 items', filesDone: 1, bytesDone: 0 }), { locale: 'en-US' })?.body).toBe('Delete 3 items\n1 file in 1 min 15 s.');
  });

  it('says how many files failed and why', () => {
    const n = jobEndNotice(
      job({ state: 'failed', filesDone: 1200, filesFailed: 4, error: { code: 'access_denied', message: 'The key was rejected by minio: check the secret key in Accounts' } }),
      { locale: 'en-US' },
    );
    expect(n).toEqual({
      jobId: 'j1',
      title: 'Transfer failed',
      body: "Copy 2 items to s3://minio/photos/\n4 files of 1,204 failed: The key was rejected by minio: check the secret key in Accounts\nOpen Skyferry's Transfers to see why and retry.",
      failed: true,
    });
    // A job that failed before any file (listing the source failed) still says why.
    expect(jobEndNotice(job({ kind: 'move', state: 'failed', filesFailed: 0, error: { code: 'not_found', message: 'There is no bucket "x"' } }))?.body).toContain(
      '\nIt stopped: There is no bucket "x"\n',
    );
    // A long reason is cut to its first line.
    const long = jobEndNotice(job({ state: 'failed', filesFailed: 1, error: { code: 'fatal', message: `${'x'.repeat(300)}\nsecond line` } }));
    expect(long?.body.split('\n')[1]).toMatch(/^1 file of 1,?204 failed: x{159}…$/);
  });

  it('stays quiet for short jobs, cancelled jobs and jobs still running', () => {
    expect(jobEndNotice(job({ seconds: 9.9 }))).toBeNull();
    expect(jobEndNotice(job({ seconds: 10 }))).not.toBeNull();
    expect(jobEndNotice(job({ state: 'cancelled' }))).toBeNull();
    expect(jobEndNotice(job({ state: 'running', finishedAt: null }))).toBeNull();
    expect(jobEndNotice(job({ startedAt: null }))).toBeNull();
    expect(jobEndNotice(job({ seconds: 3 }), { minMs: 1000 })).not.toBeNull();
  });
});

describe('createJobEndTracker', () => {
  it('notifies once per end of a job it saw active, never for replayed history', () => {
    const t = createJobEndTracker({ locale: 'en-US' });
    expect(t.observe(job({ id: 'old' }))).toBeNull(); // finished before this session: no notice
    expect(t.observe(job({ state: 'running', finishedAt: null }))).toBeNull();
    expect(t.observe(job({ state: 'paused', finishedAt: null }))).toBeNull();
    expect(t.observe(job())?.title).toBe('Transfer done');
    expect(t.observe(job())).toBeNull(); // the same end sent twice
    // A retry runs it again: its new end is news again.
    expect(t.observe(job({ state: 'queued', finishedAt: null }))).toBeNull();
    expect(t.observe(job({ state: 'failed', filesFailed: 2 }))?.title).toBe('Transfer failed');
  });
});

describe('formatting', () => {
  it('sizes in binary units with one decimal, durations in s / min / h', () => {
    expect([formatBytes(0), formatBytes(1023), formatBytes(1024), formatBytes(1048575), formatBytes(5.5 * 1024 ** 4)]).toEqual([
      '0 B',
      '1023 B',
      '1.0 KiB',
      '1.0 MiB',
      '5.5 TiB',
    ]);
    expect([formatDuration(10), formatDuration(75), formatDuration(3725), formatDuration(null)]).toEqual(['10 s', '1 min 15 s', '1 h 2 min', '']);
  });
});
