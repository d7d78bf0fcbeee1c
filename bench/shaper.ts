/**
 * A TCP proxy with one bandwidth cap per direction shared by every connection through it: a home office's uplink
 * and downlink, which Toxiproxy cannot model (its bandwidth toxic is per connection). Run as a child process of
 * bench/net.ts, so that its CPU is its own and it does not share the bench's event loop.
 *
 * Reads `ShaperRequest` as JSON on stdin, listens on one loopback port per route, and prints one `READY {json}` line
 * with the ports. Bytes from the client to the upstream ("up") take tokens from one bucket, bytes back ("down")
 * from another; a chunk waits in line (first come, first served) until its bucket has tokens, then may take the
 * bucket into debt, so that a large chunk is never starved by small ones.
 */
import net from 'node:net';
import { z } from 'zod';

export const ShaperRequestSchema = z.object({
  /** Bytes per second, client -> upstream, over all connections. */
  upBytesPerSec: z.number().positive(),
  /** Bytes per second, upstream -> client, over all connections. */
  downBytesPerSec: z.number().positive(),
  routes: z.array(z.object({ host: z.string(), port: z.number().int() })),
});
export type ShaperRequest = z.infer<typeof ShaperRequestSchema>;

/** How often the buckets refill, and how much they may hold (100 ms of the rate: a timer late under load loses no tokens). */
const TICK_MS = 5;
const BURST_MS = 100;

class Bucket {
  private tokens: number;
  private readonly waiting: Array<{ bytes: number; go: () => void }> = [];
  private last = performance.now();

  constructor(private readonly rate: number) {
    this.tokens = (rate * BURST_MS) / 1000;
    setInterval(() => this.refill(), TICK_MS).unref();
  }

  private refill(): void {
    const now = performance.now();
    this.tokens = Math.min((this.rate * BURST_MS) / 1000, this.tokens + (this.rate * (now - this.last)) / 1000);
    this.last = now;
    while (this.tokens > 0 && this.waiting.length > 0) {
      const w = this.waiting.shift();
      if (!w) break;
      this.tokens -= w.bytes;
      w.go();
    }
  }

  /** Calls `go` once `bytes` may pass (at once when nobody waits and the bucket holds tokens). */
  take(bytes: number, go: () => void): void {
    if (this.waiting.length === 0 && this.tokens > 0) {
      this.tokens -= bytes;
      go();
    } else this.waiting.push({ bytes, go });
  }
}

/** Copies `from` to `to` through `bucket`, one chunk at a time, with the destination's backpressure respected. */
function shaped(from: net.Socket, to: net.Socket, bucket: Bucket): void {
  from.on('data', (chunk: Buffer) => {
    from.pause();
    bucket.take(chunk.length, () => {
      if (to.destroyed) return;
      if (to.write(chunk)) from.resume();
      else to.once('drain', () => from.resume());
    });
  });
  from.on('end', () => bucket.take(0, () => to.end()));
}

async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  return text;
}

async function main(): Promise<void> {
  const req = ShaperRequestSchema.parse(JSON.parse(await readStdin()));
  const up = new Bucket(req.upBytesPerSec);
  const down = new Bucket(req.downBytesPerSec);
  const ports: number[] = [];
  for (const route of req.routes) {
    const server = net.createServer((client) => {
      const upstream = net.connect(route.port, route.host);
      client.setNoDelay(true);
      upstream.setNoDelay(true);
      // An orderly end travels through the buckets behind the data still waiting; an error ends both at once.
      const close = (): void => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', close);
      upstream.on('error', close);
      shaped(client, upstream, up);
      shaped(upstream, client, down);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const addr = server.address();
    ports.push(typeof addr === 'object' && addr ? addr.port : 0);
  }
  process.stdout.write(`READY ${JSON.stringify({ ports })}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`shaper failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
