/**
 * Child process of the crash test: runs a copy job with a journal, slowly, and reports each finished file on
 * stdout so that the parent knows when to SIGKILL it mid-way. Run with tsx: `tsx crash-child.ts <work dir>`.
 */
import path from 'node:path';
import { createLocalProvider } from '../providers/local/local.provider';
import { JobManager } from '../jobs/job-manager';
import { withFaults } from './faulty-provider';
import { resolverFor } from './resolver';

const work = process.argv[2];
if (!work) throw new Error('usage: crash-child <work dir>');
const src = withFaults(createLocalProvider({ kind: 'local', name: 'src', root: path.join(work, 'src') }), { readBytesPerSecond: 1024 * 1024 });
const dst = createLocalProvider({ kind: 'local', name: 'dst', root: path.join(work, 'dst') });
const manager = new JobManager({
  resolve: resolverFor({ src: src.provider, dst }),
  journalDir: path.join(work, 'journal'),
  maxFiles: 2,
  emit: (event, payload) => {
    if (event === 'jobs:progress' && 'filesDone' in payload) process.stdout.write(`done ${payload.filesDone}\n`);
  },
  progressIntervalMs: 20,
  // Request counts reach the journal often, so that the kill lands after some (the cost history test reads them).
  requestsCheckpointMs: 100,
});
const { id } = manager.start({ kind: 'copy', sources: ['file://src/bkt/data/'], destination: 'file://dst/out/' });
process.stdout.write(`job ${id}\n`);
await manager.waitForIdle();
process.stdout.write('finished\n');
