import diagnostics from 'node:diagnostics_channel';

/**
 * Counts the throttle answers (HTTP 503 and 429: S3 SlowDown, GCS rateLimitExceeded, Azure ServerBusy) that any
 * HTTP client of this process receives. The SDKs retry those themselves, so the engine never sees most of them as
 * errors; Node's diagnostics channels see every response, retried or not, whichever SDK sent the request. The
 * adaptive limits (adaptive-limit.ts) compare the count with the one they saw last. Subscribed on first use.
 */
let count = 0;
let watching = false;

const THROTTLE_STATUS = new Set([429, 503]);

function onStatus(status: number | undefined): void {
  if (status !== undefined && THROTTLE_STATUS.has(status)) count++;
}

function watch(): void {
  if (watching) return;
  watching = true;
  // node:http clients (the AWS and Azure SDKs, gaxios over node-fetch).
  diagnostics.subscribe('http.client.response.finish', (message) => {
    const m = message as { response?: { statusCode?: number } };
    onStatus(m.response?.statusCode);
  });
  // undici (Node's fetch), which some SDK versions use instead.
  diagnostics.subscribe('undici:request:headers', (message) => {
    const m = message as { response?: { statusCode?: number } };
    onStatus(m.response?.statusCode);
  });
}

/** Throttle answers received by this process so far. */
export function throttleCount(): number {
  watch();
  return count;
}
