/**
 * Runs `fn` over `items` with at most `limit` calls at once, taking the items in order; the results come back in
 * the items' order. After the first failure no new call starts, and the pool rejects with that failure only once
 * every call in flight has settled, so nothing it started (a part, a delete) is still running when it returns.
 * (p-limit and p-map reject at once and leave the other calls running, which an upload's cleanup cannot have.)
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i] as T, i);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  if (failure) throw failure.error;
  return results;
}
