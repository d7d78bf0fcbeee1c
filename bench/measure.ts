import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface Measured {
  code: number | null;
  signal: string | null;
  /** From spawn to exit, as seen by this process. */
  wallMs: number;
  /** The largest sum of VmRSS over the process and its descendants seen by the 100 ms sampler. */
  peakTreeRssBytes: number;
  /** The kernel's own high-water mark (VmHWM) of the process itself: catches a peak between two samples. */
  rootHwmBytes: number;
  stdout: string;
  stderr: string;
}

/** A field of /proc/<pid>/status in kB (0 when the process is gone or this is not Linux). */
export function statusKb(pid: number | 'self', field: 'VmRSS' | 'VmHWM' | 'RssAnon' | 'RssFile'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m?.[1] ? Number(m[1]) : 0;
  } catch {
    return 0; // the process exited between the listing and the read
  }
}

/** The process and every descendant, from the parent pid of each entry in /proc. */
function tree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // The command name may hold spaces and parentheses: the fields we want follow the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(name));
      children.set(ppid, list);
    } catch {
      // gone meanwhile
    }
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) for (const c of children.get(out[i] ?? -1) ?? []) out.push(c);
  return out;
}

/**
 * Runs a command to its end and measures it from outside: wall time and peak resident memory of its whole process
 * tree, sampled every 100 ms from /proc (Linux only), plus the root's VmHWM read just before it is reaped.
 */
export async function runMeasured(command: string, args: string[], options: { env: NodeJS.ProcessEnv; input?: string; cwd?: string; echo?: boolean }): Promise<Measured> {
  const started = performance.now();
  const child = spawn(command, args, { env: options.env, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => {
    stdout += b.toString();
  });
  child.stderr.on('data', (b: Buffer) => {
    stderr = (stderr + b.toString()).slice(-20_000);
    if (options.echo) process.stderr.write(b);
  });
  child.stdin.end(options.input ?? '');
  const pid = child.pid;
  let peakTree = 0;
  let rootHwm = 0;
  const sample = (): void => {
    if (pid === undefined) return;
    let sum = 0;
    for (const p of tree(pid)) sum += statusKb(p, 'VmRSS') * 1024;
    peakTree = Math.max(peakTree, sum);
    rootHwm = Math.max(rootHwm, statusKb(pid, 'VmHWM') * 1024);
  };
  const timer = setInterval(sample, 100);
  const result = await new Promise<{ code: number | null; signal: string | null }>((resolve, reject) => {
    child.on('error', reject);
    // 'exit' fires once the process ended; its /proc entry is gone by then, so the last sample is the one before.
    child.on('exit', (code, signal) => resolve({ code, signal }));
  }).finally(() => clearInterval(timer));
  const wallMs = performance.now() - started;
  return { ...result, wallMs, peakTreeRssBytes: peakTree, rootHwmBytes: rootHwm, stdout, stderr };
}

/** The larger of the two views of a run's memory. */
export function peakOf(m: Measured): number {
  return Math.max(m.peakTreeRssBytes, m.rootHwmBytes);
}

/** CPU seconds (user + system) of the processes whose command line holds `needle`, e.g. an emulator's port. */
export function cpuSecondsOf(needle: string): number {
  const hz = 100; // USER_HZ on Linux
  let ticks = 0;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (!readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ').includes(needle)) continue;
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]); // utime, stime
    } catch {
      // gone meanwhile
    }
  }
  return ticks / hz;
}

/** CPU seconds of this process's reaped children (cutime + cstime): a measured tool's CPU once it has exited. */
export function childrenCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[13]) + Number(f[14])) / 100;
}
