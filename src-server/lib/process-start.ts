import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * When a process started, as an opaque text that differs between two
 * processes that got the same pid: process ids are reused (after a crash and
 * a reboot, or in a container where the server is always pid 1 or 7), so a
 * lock file naming a pid alone cannot tell its holder from a stranger.
 *
 * Linux: the boot id and the start time in clock ticks since boot
 * (/proc/<pid>/stat, field 22). macOS and the BSDs: `ps -o lstart=`. Null
 * where neither is available (Windows) or the process is gone; callers then
 * go by the pid alone.
 */
export function processStartId(pid: number): string | null {
  if (process.platform === 'linux') return linuxStart(pid);
  if (process.platform === 'win32') return null;
  try {
    const started = execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 2000 }).trim();
    return started ? `ps:${started}` : null;
  } catch {
    return null;
  }
}

function linuxStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces or ')': read after the last one.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const startTicks = fields[19]; // field 22; `fields` starts at field 3
    if (!startTicks || !/^\d+$/.test(startTicks)) return null;
    return `${bootId()}:${startTicks}`;
  } catch {
    return null;
  }
}

let cachedBootId: string | undefined;
function bootId(): string {
  if (cachedBootId === undefined) {
    try {
      cachedBootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      cachedBootId = 'unknown-boot';
    }
  }
  return cachedBootId;
}
