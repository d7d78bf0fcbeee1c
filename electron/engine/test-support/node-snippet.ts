import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Runs an ES module's code in a Node process of its own (TypeScript imports allowed, through tsx) and gives what it
 * printed: for what is process-wide, such as V8's heap flags, which a test must not change in the test runner.
 */
export async function runNodeSnippet(code: string): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: path.join(import.meta.dirname, '..', '..', '..') });
  return stdout;
}
