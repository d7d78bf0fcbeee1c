/**
 * Network profiles made on loopback: Toxiproxy in front of each emulator (latency each way, a bandwidth cap per
 * connection) and, for a shared cap over all connections (an uplink), bench/shaper.ts in a child process chained in
 * front of Toxiproxy. Every figure measured through them is printed with the profile and the proxies' CPU seconds.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '../tools/emulators/process';
import type { ToxiproxyHandle } from '../tools/emulators/emulators';
import { BUILD_DIR } from './runners';
import type { ShaperRequest } from './shaper';

export interface NetProfile {
  name: 'loopback' | 'cross-cloud' | 'home office';
  /** Added to every chunk each way (ms): a request's round trip grows by twice this. */
  latencyMs: number;
  /** Per connection, each way (bytes per second); 0: none. */
  perConnBytesPerSec: number;
  /** Shared by all connections of the machine running the tool (bytes per second); absent: none. */
  shared?: { upBytesPerSec: number; downBytesPerSec: number };
}

export const CROSS_CLOUD: NetProfile = { name: 'cross-cloud', latencyMs: 20, perConnBytesPerSec: 8e6 };
export const HOME_OFFICE: NetProfile = { ...CROSS_CLOUD, name: 'home office', shared: { upBytesPerSec: 12e6, downBytesPerSec: 60e6 } };

export function describe(p: NetProfile): string {
  if (p.name === 'loopback') return 'loopback (no shaping)';
  const parts = [`${p.latencyMs} ms added each way on every connection`, `${p.perConnBytesPerSec / 1e6} MB/s per connection`];
  parts.push(p.shared ? `all traffic sharing ${p.shared.upBytesPerSec / 1e6} MB/s up and ${p.shared.downBytesPerSec / 1e6} MB/s down` : 'no shared cap');
  return `${p.name}: ${parts.join(', ')}`;
}

/** CPU seconds (user + system) of one process from /proc/<pid>/stat; 0 once it is gone. */
export function cpuSecondsOfPid(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

async function api(tp: ToxiproxyHandle, method: string, route: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${tp.api}${route}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`toxiproxy ${method} ${route}: ${res.status} ${text}`);
  return text ? (JSON.parse(text) as unknown) : undefined;
}

/** The URL as text, without the '/' URL adds to a bare origin (the SDKs take either; rclone's env wants no slash). */
function trimRoot(u: URL): string {
  const text = u.toString();
  return u.pathname === '/' ? text.slice(0, -1) : text;
}

let proxySeq = 0;

/**
 * A Toxiproxy proxy to `upstream` (http://host:port[/path]) with the profile's latency and per-connection bandwidth
 * on both streams; returns the same URL on the proxy's port. `listenPort`: a port picked beforehand (for an
 * emulator that must know its public address when it starts).
 */
export async function toxic(tp: ToxiproxyHandle, upstream: string, profile: NetProfile, listenPort?: number): Promise<string> {
  const u = new URL(upstream);
  const name = `p${++proxySeq}`;
  const port = listenPort ?? (await freePort());
  await api(tp, 'POST', '/proxies', { name, listen: `127.0.0.1:${port}`, upstream: `${u.hostname}:${u.port}`, enabled: true });
  for (const stream of ['upstream', 'downstream'] as const) {
    if (profile.latencyMs > 0) await api(tp, 'POST', `/proxies/${name}/toxics`, { name: `lat-${stream}`, type: 'latency', stream, toxicity: 1, attributes: { latency: profile.latencyMs, jitter: 0 } });
    // Toxiproxy's bandwidth rate is in KB/s of 1,000 bytes.
    if (profile.perConnBytesPerSec > 0) await api(tp, 'POST', `/proxies/${name}/toxics`, { name: `bw-${stream}`, type: 'bandwidth', stream, toxicity: 1, attributes: { rate: Math.round(profile.perConnBytesPerSec / 1000) } });
  }
  u.port = String(port);
  return trimRoot(u);
}

export interface Shaper {
  /** The same URLs as given, on the shaper's ports. */
  endpoints: string[];
  pid: number;
  stop(): Promise<void>;
}

/** Starts bench/shaper.ts (bundled by runners.ts) in a child process in front of `upstreams`. */
export async function startShaper(upstreams: string[], caps: { upBytesPerSec: number; downBytesPerSec: number }): Promise<Shaper> {
  const urls = upstreams.map((u) => new URL(u));
  const req: ShaperRequest = { ...caps, routes: urls.map((u) => ({ host: u.hostname, port: Number(u.port) })) };
  const child: ChildProcess = spawn(process.execPath, [path.join(BUILD_DIR, 'shaper.mjs')], { stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdin?.end(JSON.stringify(req));
  const ports = await new Promise<number[]>((resolve, reject) => {
    let out = '';
    child.on('exit', (code) => reject(new Error(`shaper exited ${code}`)));
    child.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /^READY (.*)$/m.exec(out);
      if (m?.[1]) resolve((JSON.parse(m[1]) as { ports: number[] }).ports);
    });
  });
  const endpoints = urls.map((u, i) => {
    const copy = new URL(u.toString());
    copy.port = String(ports[i]);
    return trimRoot(copy);
  });
  return {
    endpoints,
    pid: child.pid ?? 0,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
