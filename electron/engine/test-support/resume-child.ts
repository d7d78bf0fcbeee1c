/**
 * Child process of the upload-resume crash test: copies the big file of `<work>/src/bkt/` to the destination
 * emulator with a journal, reading the source slowly, so that the parent can SIGKILL it once the journal holds
 * upload checkpoints. Run with node --import tsx; the destination comes as JSON in SKYFERRY_RESUME_PEER.
 */
import path from 'node:path';
import { JobManager } from '../jobs/job-manager';
import { resolverFor } from './resolver';
import { destinationOf, sourceOf, type ResumePeer } from './resume-peer';

const work = process.argv[2];
const peerJson = process.env.SKYFERRY_RESUME_PEER;
if (!work || !peerJson) throw new Error('usage: SKYFERRY_RESUME_PEER=<json> resume-child <work dir> <destination uri>');
const peer = JSON.parse(peerJson) as ResumePeer;
const destination = process.argv[3];
if (!destination) throw new Error('no destination uri');
const manager = new JobManager({
  resolve: resolverFor({ src: sourceOf(work, 6 * 1024 * 1024), dst: destinationOf(peer) }),
  journalDir: path.join(work, 'journal'),
});
const { id } = manager.start({ kind: 'copy', sources: ['file://src/bkt/big.bin'], destination });
process.stdout.write(`job ${id}\n`);
await manager.waitForIdle();
process.stdout.write('finished\n');
