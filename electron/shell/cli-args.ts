/** The argument that makes the app's binary run one command instead of opening a window (bin/skyferry adds it). */
export const CLI_FLAG = '--skyferry-cli';

/** The command's own arguments: everything after CLI_FLAG (Chromium's switches, if any, come before it); null without it. */
export function cliArgs(argv: readonly string[]): string[] | null {
  const at = argv.indexOf(CLI_FLAG);
  return at < 0 ? null : argv.slice(at + 1);
}
