import { it } from 'vitest';

declare module 'vitest' {
  interface TaskMeta {
    /** Why a test was skipped: the JSON report carries it beside the test. */
    skipReason?: string;
  }
}

/**
 * A test that is skipped, with the reason, when `skipReason` gives one at run time (once the emulator is up and the
 * provider built, so that what the provider says it can do decides). The verbose reporter shows the reason beside the
 * test; the JSON report has it as `meta.skipReason`.
 */
export function itUnless(label: string, skipReason: () => string | undefined, fn: () => Promise<void>, timeout?: number): void {
  it(
    label,
    async (ctx) => {
      const reason = skipReason();
      if (reason !== undefined) {
        ctx.task.meta.skipReason = reason;
        ctx.skip(reason);
      }
      await fn();
    },
    timeout,
  );
}
