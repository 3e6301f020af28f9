import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const MICROS_PER_TICK = 1e6 / clockTicksPerSecond();

/** CPU time a process has used (user + system, all its threads), in microseconds, from /proc/<pid>/stat. */
export function processCpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
  // utime and stime are fields 14 and 15; counting starts after the parenthesised name, which may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * MICROS_PER_TICK;
}

/**
 * CPU time all processes of the machine have used, in microseconds, from /proc/stat. Less the server's
 * and the harness's own, it shows how much other work shared the cores during a measurement.
 */
export function machineCpuMicros(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  // user nice system idle iowait irq softirq steal: everything but idle and iowait was busy.
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).slice(1).map(Number);
  return (user + nice + system + irq + softirq + steal) * MICROS_PER_TICK;
}

function clockTicksPerSecond(): number {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}

/**
 * Cores kept busy by processes other than this one over the next `milliseconds` (the idle servers
 * count, but idle they cost nothing).
 */
export async function otherCoresDuring(milliseconds: number): Promise<number> {
  const machine = machineCpuMicros();
  const own = process.cpuUsage();
  const at = performance.now();
  await new Promise((resolve) => setTimeout(resolve, milliseconds));
  const used = process.cpuUsage(own);
  return (machineCpuMicros() - machine - used.user - used.system) / ((performance.now() - at) * 1000);
}
