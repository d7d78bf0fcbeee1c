/**
 * BENCH_MEMORY_DETAIL=<file>: where the engine child's memory is at its highest RSS, appended to <file> as one JSON
 * line per run: process.memoryUsage() and each V8 heap space's committed size at the sample of the highest RSS, each
 * figure's own maximum, the garbage collections by kind (count and ms), and the bytes the process's sockets read and
 * wrote (what the ArrayBuffers allocated per byte moved are counted against).
 */
import { subscribe } from 'node:diagnostics_channel';
import { readFileSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';
import { partsOut, pooledPartBytes } from '../electron/engine/providers/part-pool';
import { statusKb } from './measure';

const MB = 1e6;
const round = (n: number): number => Math.round(n / MB);

export function memoryDetail(): { sample: () => void; write: (file: string, jobMs: number) => Promise<void> } {
  let atPeak: Record<string, number> = {};
  let peakRss = 0;
  const maxima: Record<string, number> = {};
  const gc: Record<string, { count: number; ms: number }> = {};
  const kinds: Record<number, string> = {
    [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
    [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
    [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
    [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
  };
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = kinds[(e as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0] ?? 'other';
      const g = (gc[kind] ??= { count: 0, ms: 0 });
      g.count++;
      g.ms += e.duration;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const sockets = new Set<Socket>();
  let closedRead = 0;
  let closedWritten = 0;
  subscribe('net.client.socket', (message) => {
    const { socket } = message as { socket: Socket };
    sockets.add(socket);
    socket.once('close', () => {
      closedRead += socket.bytesRead;
      closedWritten += socket.bytesWritten;
      sockets.delete(socket);
    });
  });
  const newSpaceAtStart = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
  let smapsAt = 0;
  let lastSmaps: Record<string, number> = {};
  const sample = (): void => {
    const m = process.memoryUsage();
    // Parts handed out, counted at the providers' 5 MiB (most parts are; the last part of an upload is shorter).
    const now: Record<string, number> = { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, arrayBuffers: m.arrayBuffers, external: m.external, partsOut: partsOut() * 5 * 1024 * 1024, partsPooled: pooledPartBytes() };
    for (const [k, v] of Object.entries(now)) maxima[k] = Math.max(maxima[k] ?? 0, v);
    if (m.rss <= peakRss) return;
    peakRss = m.rss;
    for (const s of v8.getHeapSpaceStatistics()) if (s.space_size > 0) now[`space:${s.space_name}`] = s.space_size;
    try {
      for (const k of ['RssAnon', 'RssFile'] as const) now[k] = statusKb('self', k) * 1024;
      if (Date.now() - smapsAt > 1000) {
        smapsAt = Date.now();
        Object.assign(now, smapsByKind(readFileSync('/proc/self/smaps', 'utf8')));
      } else Object.assign(now, lastSmaps);
      lastSmaps = Object.fromEntries(Object.entries(now).filter(([k]) => k.startsWith('map:')));
    } catch {
      // Not Linux: the process's own figures only.
    }
    atPeak = now;
  };
  const write = async (file: string, jobMs: number): Promise<void> => {
    observer.disconnect();
    let read = closedRead;
    let written = closedWritten;
    for (const s of sockets) {
      read += s.bytesRead;
      written += s.bytesWritten;
    }
    const line = {
      jobMs: Math.round(jobMs),
      newSpaceAtStartMB: round(newSpaceAtStart),
      atPeakMB: Object.fromEntries(Object.entries(atPeak).map(([k, v]) => [k, round(v)])),
      maximaMB: Object.fromEntries(Object.entries(maxima).map(([k, v]) => [k, round(v)])),
      gc: Object.fromEntries(Object.entries(gc).map(([k, v]) => [k, { count: v.count, ms: Math.round(v.ms) }])),
      socketsMB: { read: round(read), written: round(written) },
    };
    await appendFile(file, `${JSON.stringify(line)}\n`);
  };
  return { sample, write };
}

/**
 * Resident bytes by kind of mapping: the brk heap (glibc's main arena), files, and anonymous mappings by their size
 * (V8's heap pages are 256 KiB mappings; glibc's thread arenas live in 64 MiB reservations; a large ArrayBuffer
 * malloc maps on its own is a mapping of its size).
 */
function smapsByKind(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  let kind = 'map:other-anon';
  for (const line of text.split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      const size = parseInt(head[2] ?? '0', 16) - parseInt(head[1] ?? '0', 16);
      const name = head[3] ?? '';
      if (name === '[heap]') kind = 'map:brk-heap';
      else if (name.startsWith('/')) kind = 'map:file';
      else if (name !== '') kind = 'map:other-named';
      else if (size === 256 * 1024) kind = 'map:anon-256k';
      else if (size < 4 * 1024 * 1024) kind = 'map:anon-under-4m';
      else if (size < 64 * 1024 * 1024) kind = 'map:anon-4m-64m';
      else kind = 'map:anon-64m-up';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) out[kind] = (out[kind] ?? 0) + Number(rss[1]) * 1024;
  }
  return out;
}
