import { ensureGoTool } from './build';
import { GO_TOOLS, type GoToolName } from './versions';

/** `npm run emulators -- build [minio|fakeGcs|rclone ...]`: builds the pinned test peers into the cache. */
async function main(): Promise<void> {
  const [command, ...names] = process.argv.slice(2);
  if (command !== 'build') {
    console.error('usage: npm run emulators -- build [minio fakeGcs rclone]');
    process.exit(2);
  }
  const tools = (names.length ? names : Object.keys(GO_TOOLS)) as GoToolName[];
  for (const tool of tools) {
    if (!(tool in GO_TOOLS)) throw new Error(`unknown tool ${tool}; known: ${Object.keys(GO_TOOLS).join(', ')}`);
    const bin = await ensureGoTool(tool, (l) => console.log(l));
    console.log(`${tool}: ${bin}`);
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
