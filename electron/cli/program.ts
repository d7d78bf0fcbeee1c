import { Command, Option } from 'commander';
import { CompareModeSchema } from '../../shared/contract';
import { costScan, listAccounts, ls, presign } from './browse';
import { EXIT, parseCount, parseDuration, runVerb, toUri, type GlobalOptions, type Outcome } from './common';
import type { EngineStore, Session } from './session';
import { migrate, sync, type PlanRunOptions, type SyncOptions } from './migrate';
import { cancelJob, listJobs, OVERWRITE_CHOICES, remove, resumeJob, retryJob, showJob, transfer, type TransferOptions } from './transfer';
import { listVersions, removeVersion, restoreVersion, undeleteObject, type VersionsLsOptions, type VersionsRmOptions } from './versions';

const LOCATIONS = `
Locations are the URIs the app shows: s3://ACCOUNT/bucket/key, gs://ACCOUNT/bucket/key, az://ACCOUNT/container/blob,
file:///abs/path; a plain path (./photos, /srv/data) is a folder or file on this computer. A trailing '/' means
a folder (its contents). ACCOUNT is an account saved in the app (\`skyferry accounts\`).`;

const ENVIRONMENT = `
Exit codes:
  ${EXIT.ok}    success: everything asked was done (files skipped because the destination has them count as done)
  ${EXIT.failed}    failure: a bad argument, an unknown account, a refused plan, a job or run that failed
  ${EXIT.partial}    partial: it ran, but some files failed, the verification found differences, or deletions wait
  ${EXIT.interrupted}  interrupted (Ctrl-C, SIGTERM): the job is kept; \`skyferry jobs resume ID\` goes on with it

Environment:
  SKYFERRY_DATA_DIR   the data folder (accounts, job journal, plans); default: the app's own profile for the
                      \`skyferry\` installed with the app, ~/.config/skyferry (shared with \`npm run serve\`) for
                      \`npx skyferry\` in a checkout. One process uses it at a time: the app or another command
                      holding it makes a command stop with a message.
  SKYFERRY_LOG_LEVEL  debug | info | warn (default) | error | silent; logs go to stderr.
${LOCATIONS}`;

export interface CliOptions {
  /** Where the accounts and the journal are, and how secrets are sealed: the app's own, or the served mode's. */
  store: EngineStore;
  /** What `--version` prints. */
  version: string;
}

/** The `skyferry` program: every verb, run against an engine on `options.store`. */
export function createProgram(options: CliOptions): Command {
  const run = (what: string, opts: GlobalOptions, verb: (s: Session, signal: AbortSignal) => Promise<Outcome>): Promise<never> => runVerb(what, opts, options.store, verb);
  const program = new Command('skyferry')
    .description('Skyferry on the command line: the same accounts, job engine and journal as the app.')
    .version(options.version)
    .option('--json', 'print one JSON document on stdout (no progress)')
    .option('-q, --quiet', 'print nothing on success but what was asked for, and no progress')
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', ENVIRONMENT);

  const globals = (cmd: Command): GlobalOptions => cmd.optsWithGlobals<GlobalOptions>();

  function transferCommand(name: 'cp' | 'mv', kind: 'copy' | 'move', summary: string): void {
    program
      .command(name)
      .description(summary)
      .usage('[options] <source...> <destination>')
      .argument('<locations...>', 'sources (objects, or folders ending in /), then the destination: a folder (ends in /), or with one source its new name')
      .addOption(new Option('--overwrite <mode>', 'when the destination has the file: never replace it, always, if the source is newer, if size or hash differ, or keep both (name (1).ext)').choices(OVERWRITE_CHOICES).default('never'))
      .option('--exact', 'the destination is the new name itself (a rename), not a folder to copy into')
      .option('--no-verify', 'skip the checksum verification after each file')
      .option('--no-preserve-metadata', 'do not copy user metadata')
      .option('--no-server-side', 'always relay through this computer, even inside one account')
      .option('--cloud-pull', 'let the destination fetch files itself from a signed URL of the source (Azure)')
      .option('--storage-class <class>', 'storage class (tier) at the destination')
      .addHelpText(
        'after',
        `\nA folder lands inside the destination folder under its own name: \`${name} ./photos/ s3://work/backup/\` writes
  s3://work/backup/photos/...; --exact puts its contents directly at the destination.

  Examples:\n  skyferry ${name} ./photos/ s3://work/backup/\n  skyferry ${name} s3://work/reports/q3.pdf gs://personal/archive/ --overwrite newer${ENVIRONMENT}`,
      )
      .action((locations: string[], _o: unknown, cmd: Command) => {
        const opts = globals(cmd) as TransferOptions;
        const destination = locations.at(-1);
        if (locations.length < 2 || destination === undefined) cmd.error(`skyferry ${name} needs a source and a destination`, { exitCode: EXIT.failed });
        const sources = locations.slice(0, -1);
        return run(name, opts, (s, signal) => transfer(s, kind, sources.map((u) => toUri(u)), toUri(destination ?? ''), opts, signal));
      });
  }

  transferCommand('cp', 'copy', 'Copy files between clouds and this computer; never replaces what exists unless --overwrite says so.');
  transferCommand('mv', 'move', 'Move files: copy, verify, then delete the source.');

  program
    .command('rm')
    .description('Delete objects (a folder, ending in /, with --recursive).')
    .argument('<location...>', 'objects, or folders ending in /')
    .option('-r, --recursive', 'delete folders and everything in them')
    .addHelpText('after', `\nExample:\n  skyferry rm --recursive s3://work/tmp/build-123/${ENVIRONMENT}`)
    .action((uris: string[], _o: unknown, cmd: Command) => {
      const opts = globals(cmd) as GlobalOptions & { recursive?: boolean };
      return run('rm', opts, (s, signal) => remove(s, uris.map((u) => toUri(u)), opts, signal));
    });

  program
    .command('ls')
    .description('List accounts (no location), an account\'s buckets (s3://ACCOUNT), or the objects under a location.')
    .argument('[location]')
    .option('-R, --recursive', 'every object under the location, not one folder level')
    .option('-l, --long', 'size, modified time and storage class')
    .option('--max <count>', 'list at most this many entries', parseCount)
    .addHelpText('after', `\nExamples:\n  skyferry ls\n  skyferry ls s3://work\n  skyferry ls -lR s3://work/photos/2024/${ENVIRONMENT}`)
    .action((uri: string | undefined, _o: unknown, cmd: Command) => {
      const opts = globals(cmd);
      return run('ls', opts, (s) => ls(s, uri === undefined ? undefined : toUri(uri), opts));
    });

  program
    .command('sync')
    .description('Make the destination like the source: plan (shown), copy what is new or changed, delete extras (capped).')
    .argument('<source>', 'a folder (its contents)')
    .argument('<destination>', 'a folder')
    .option('-n, --dry-run', 'show the plan and change nothing')
    .option('--max-delete <count>', 'refuse a plan that deletes more than this many objects at the destination', parseCount, 0)
    .option('--quarantine <folder>', 'move extras into this folder of the destination instead of deleting them')
    .addOption(new Option('--compare <how>', 'how an object counts as changed').choices(CompareModeSchema.options).default('size+checksum'))
    .option('--include <glob...>', 'only keys matching (relative to the source; * stays in a folder, ** crosses them)')
    .option('--exclude <glob...>', 'leave out keys matching')
    .addHelpText(
      'after',
      `\nDeletions: none unless --max-delete allows them. A plan that would delete more than --max-delete objects is refused
  before anything is copied (exit 1).\n\nExamples:\n  skyferry sync --dry-run ./site/ s3://web/site/\n  skyferry sync --max-delete 50 s3://work/photos/ gs://personal/photos/${ENVIRONMENT}`,
    )
    .action((source: string, destination: string, _o: unknown, cmd: Command) => {
      const opts = globals(cmd) as SyncOptions;
      return run('sync', opts, (s, signal) => sync(s, toUri(source, true), toUri(destination, true), opts, signal));
    });

  program
    .command('migrate')
    .description('Plan and run a migration profile: one saved in the app (by name) or a YAML profile file.')
    .requiredOption('-p, --profile <name-or-file>', 'a saved profile\'s name, or a .yaml file (exported from the app)')
    .option('-n, --dry-run', 'show the plan and change nothing')
    .option('--confirm-deletions', 'go on with mirror deletions above the profile\'s cap instead of stopping before them')
    .addHelpText('after', `\nExamples:\n  skyferry migrate --profile nightly-photos\n  skyferry migrate --profile ./profiles/photos.skyferry.yaml --dry-run${ENVIRONMENT}`)
    .action((_o: unknown, cmd: Command) => {
      const opts = globals(cmd) as PlanRunOptions & { profile: string };
      return run('migrate', opts, (s, signal) => migrate(s, opts.profile, opts, signal));
    });

  const jobs = program
    .command('jobs')
    .description('Transfer jobs of the engine\'s journal (the app\'s and the command line\'s alike).')
    .addHelpText('after', ENVIRONMENT)
    .action((_o: unknown, cmd: Command) => run('jobs', globals(cmd), (s) => listJobs(s)));
  jobs
    .command('list')
    .description('Active jobs and history, newest first.')
    .action((_o: unknown, cmd: Command) => run('jobs list', globals(cmd), (s) => listJobs(s)));
  jobs
    .command('show')
    .description('One job and its files.')
    .argument('<id>')
    .action((id: string, _o: unknown, cmd: Command) => run('jobs show', globals(cmd), (s) => showJob(s, id)));
  jobs
    .command('resume')
    .description('Go on with a paused or interrupted job (a killed cp) and follow it to its end; files done stay done.')
    .argument('<id>')
    .addHelpText('after', ENVIRONMENT)
    .action((id: string, _o: unknown, cmd: Command) => run('jobs resume', globals(cmd), (s, signal) => resumeJob(s, id, globals(cmd), signal)));
  jobs
    .command('retry')
    .description('Run the failed files of a finished job again.')
    .argument('<id>')
    .action((id: string, _o: unknown, cmd: Command) => run('jobs retry', globals(cmd), (s, signal) => retryJob(s, id, globals(cmd), signal)));
  jobs
    .command('cancel')
    .description('Cancel a job; what it copied stays.')
    .argument('<id>')
    .action((id: string, _o: unknown, cmd: Command) => run('jobs cancel', globals(cmd), (s, signal) => cancelJob(s, id, signal)));

  const accounts = program
    .command('accounts')
    .description('Accounts saved in the app (settings only: secrets are never shown).')
    .action((_o: unknown, cmd: Command) => run('accounts', globals(cmd), (s) => listAccounts(s)));
  accounts
    .command('list')
    .description('The saved accounts.')
    .action((_o: unknown, cmd: Command) => run('accounts list', globals(cmd), (s) => listAccounts(s)));

  const costs = program.command('costs').description('What storage costs.');
  costs
    .command('scan')
    .description('Count every object under a location and price keeping them for a month.')
    .argument('<location>')
    .addHelpText('after', `\nExample:\n  skyferry costs scan s3://work/logs/ --json${ENVIRONMENT}`)
    .action((uri: string, _o: unknown, cmd: Command) => run('costs scan', globals(cmd), (s, signal) => costScan(s, toUri(uri), globals(cmd), signal)));

  const versions = program
    .command('versions')
    .description('Versions of an object in a versioned bucket: list them, make one current, delete one, undelete.')
    .addHelpText('after', ENVIRONMENT);
  versions
    .command('ls')
    .description('Every version of one object, newest first (with --deleted and a folder: the objects deleted in it).')
    .argument('<location>', 'an object, or a folder ending in / with --deleted')
    .option('--deleted', 'list the objects in a folder whose current version is deleted')
    .addHelpText('after', `\nExamples:\n  skyferry versions ls s3://work/reports/q3.pdf\n  skyferry versions ls --deleted s3://work/reports/${ENVIRONMENT}`)
    .action((uri: string, _o: unknown, cmd: Command) => {
      const opts = globals(cmd) as VersionsLsOptions;
      return run('versions ls', opts, (s) => listVersions(s, toUri(uri), opts));
    });
  versions
    .command('restore')
    .description('Make a version current again (a server-side copy onto the object; every version stays).')
    .argument('<location>', 'an object')
    .argument('<version-id>', 'as `versions ls` shows it')
    .addHelpText('after', `\nExample:\n  skyferry versions restore s3://work/reports/q3.pdf 3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY${ENVIRONMENT}`)
    .action((uri: string, versionId: string, _o: unknown, cmd: Command) => run('versions restore', globals(cmd), (s) => restoreVersion(s, toUri(uri), versionId)));
  versions
    .command('rm')
    .description('Delete one version for good (a delete marker: the object reads again). The current version only with --current.')
    .argument('<location>', 'an object')
    .argument('<version-id>', 'as `versions ls` shows it')
    .option('--size <bytes>', 'refuse unless the version holds exactly this many bytes (what you checked)', parseCount)
    .option('--current', 'allow deleting the current version (the next older one becomes current)')
    .addHelpText('after', `\nExample:\n  skyferry versions rm --size 52311 s3://work/reports/q3.pdf 3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY${ENVIRONMENT}`)
    .action((uri: string, versionId: string, _o: unknown, cmd: Command) => {
      const opts = globals(cmd) as VersionsRmOptions;
      return run('versions rm', opts, (s) => removeVersion(s, toUri(uri), versionId, opts));
    });
  versions
    .command('undelete')
    .description('Bring a deleted object back (S3: removes its delete marker).')
    .argument('<location>', 'an object')
    .action((uri: string, _o: unknown, cmd: Command) => run('versions undelete', globals(cmd), (s) => undeleteObject(s, toUri(uri))));

  program
    .command('presign')
    .description('A time-limited link to read one object, for someone without an account.')
    .argument('<location>')
    .option('--expires <duration>', 'how long the link works: seconds, or 15m, 12h, 7d (60 s to 7 days)', parseDuration, 3600)
    .action((uri: string, _o: unknown, cmd: Command) => {
      const opts = globals(cmd) as GlobalOptions & { expires: number };
      return run('presign', opts, (s) => presign(s, toUri(uri), opts.expires));
    });

  return program;
}

/**
 * Runs one command line (`args` without the program's own path) and exits the process with the verb's exit code.
 * The engine logs to stderr; a command shows warnings and errors only unless asked (SKYFERRY_LOG_LEVEL=info|debug).
 */
export async function runCli(args: readonly string[], options: CliOptions): Promise<void> {
  process.env.SKYFERRY_LOG_LEVEL ??= 'warn';
  await createProgram(options).parseAsync(args, { from: 'user' });
}
