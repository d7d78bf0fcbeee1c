/**
 * The engine calls a window's page has in flight, by the page (a WebContents in the app; any key in tests) and the
 * call's id the page gave: a page that withdraws one call aborts it in the engine (a long listing stops paging the
 * cloud), and a page that reloads, navigates or crashes aborts all of its own.
 */
export class InFlight<Page extends object> {
  private readonly byPage = new Map<Page, Map<number, AbortController>>();

  /** Registers a call; `isNewPage` is true the first time a page is seen (so the caller can watch it go away). */
  start(page: Page, id: number | undefined): { signal: AbortSignal; done: () => void; isNewPage: boolean } {
    let calls = this.byPage.get(page);
    const isNewPage = calls === undefined;
    if (!calls) this.byPage.set(page, (calls = new Map()));
    const controller = new AbortController();
    // A call without an id (an older page) can only be aborted with all of its page's.
    const key = id ?? -this.nextAnonymous++;
    calls.get(key)?.abort();
    calls.set(key, controller);
    const own = calls;
    return {
      signal: controller.signal,
      isNewPage,
      done: () => {
        if (own.get(key) === controller) own.delete(key);
      },
    };
  }

  /** The page no longer wants call `id`: it is aborted (nothing happens for one already finished). */
  cancel(page: Page, id: number): void {
    const calls = this.byPage.get(page);
    calls?.get(id)?.abort();
    calls?.delete(id);
  }

  /** Every call of the page is aborted; `forget` also drops the page (it is gone). */
  abortAll(page: Page, forget = false): void {
    const calls = this.byPage.get(page);
    for (const c of calls?.values() ?? []) c.abort();
    calls?.clear();
    if (forget) this.byPage.delete(page);
  }

  /** How many calls of the page are in flight. */
  count(page: Page): number {
    return this.byPage.get(page)?.size ?? 0;
  }

  private nextAnonymous = 1;
}
