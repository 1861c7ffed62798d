import { readdirSync, readFileSync } from 'node:fs';

/**
 * What the whole machine did with its CPUs over a stretch of a timed test, from
 * /proc (Linux; elsewhere an empty report): how busy all cores were, and which
 * processes used them. A test that compares latencies across stretches prints
 * it beside them, so a reader can tell a slow stretch the code caused from one
 * where a neighbour (a browser of another suite) took the machine.
 */
const CLK_TCK = 100; // USER_HZ, the unit of /proc's tick counts

interface Ticks {
  at: number;
  busy: number;
  total: number;
  procs: Map<number, { comm: string; nice: number; ticks: number; children: number }>;
}

/** The command with its first arguments, folders left off ("node graphistry-admin.js backup"), else the kernel's short name. */
function label(pid: string, comm: string): string {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const words = args.slice(0, 3).map((a) => a.split('/').at(-1)!.slice(0, 24));
    return words.length ? words.join(' ') : comm;
  } catch {
    return comm;
  }
}

function read(): Ticks | null {
  let stat: string;
  try {
    stat = readFileSync('/proc/stat', 'utf8');
  } catch {
    return null;
  }
  // cpu  user nice system idle iowait irq softirq steal
  const f = stat.split('\n', 1)[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  const idle = f[3]! + f[4]!;
  const total = f.reduce((a, b) => a + b, 0);
  const procs = new Map<number, { comm: string; nice: number; ticks: number; children: number }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const s = readFileSync(`/proc/${name}/stat`, 'utf8');
      const close = s.lastIndexOf(')');
      const comm = s.slice(s.indexOf('(') + 1, close);
      // Fields after the command: state is 3rd, utime 14th, stime 15th, cutime and cstime (children that ended
      // and were waited for) 16th and 17th, nice 19th (1-based, counting pid and comm).
      const rest = s.slice(close + 2).split(' ');
      procs.set(Number(name), {
        comm: label(name, comm),
        nice: Number(rest[16]),
        ticks: Number(rest[11]) + Number(rest[12]),
        children: Number(rest[13]) + Number(rest[14]),
      });
    } catch {
      /* the process ended meanwhile */
    }
  }
  return { at: performance.now(), busy: total - idle, total, procs };
}

export interface CpuReport {
  /** Share of all cores busy, 0..1. */
  busy: number;
  /**
   * One line for a test's report: the six processes that used the most, in cores (1 = one core the whole
   * stretch), and the children that ended during it (a command the test ran), by the process that waited for them.
   */
  line: string;
}

/** Starts measuring now; the returned function ends the stretch and reports it. */
export function cpuStretch(): () => CpuReport {
  const start = read();
  return () => {
    const end = read();
    if (!start || !end) return { busy: 0, line: 'machine CPU: not measured (no /proc)' };
    const seconds = (end.at - start.at) / 1000;
    const busy = end.total > start.total ? (end.busy - start.busy) / (end.total - start.total) : 0;
    const top = [...end.procs]
      .map(([pid, p]) => ({ pid, comm: p.comm, nice: p.nice, cores: (p.ticks - (start.procs.get(pid)?.ticks ?? 0)) / CLK_TCK / seconds }))
      .filter((p) => p.cores >= 0.02)
      .sort((a, b) => b.cores - a.cores)
      .slice(0, 6);
    const ended = [...end.procs]
      .map(([pid, p]) => ({ pid, comm: p.comm, cores: (p.children - (start.procs.get(pid)?.children ?? p.children)) / CLK_TCK / seconds }))
      .filter((p) => p.cores >= 0.02);
    const who = top.map((p) => `${p.comm}[${p.pid}${p.nice ? ` nice ${p.nice}` : ''}] ${p.cores.toFixed(2)}`).join(', ');
    const gone = ended.map((p) => `; children of [${p.pid}] that ended ${p.cores.toFixed(2)}`).join('');
    return { busy, line: `machine CPU ${(busy * 100).toFixed(0)}% busy; ${who || 'no process over 0.02 cores'}${gone}` };
  };
}
