/**
 * The clocks of a timed run: the process's CPU time (process.cpuUsage():
 * getrusage(RUSAGE_SELF), user + system, every thread of the process) and
 * the wall time (process.hrtime) over the same window. On a shared machine
 * CPU time is the steadier figure (a run that is preempted is not charged
 * for the time it waits); CPU / wall below 100% says it waited, above 100%
 * that V8's helper threads (concurrent marking, compilation) worked beside it.
 */

export interface ClockWindow {
  cpuNs: number;
  wallNs: number;
}

export class CpuWallClock {
  private cpu0 = process.cpuUsage();
  private wall0 = process.hrtime.bigint();

  start(): void {
    // The first calls after an idle stretch run cold: warm them outside the window.
    for (let i = 0; i < 3; i++) {
      process.cpuUsage();
      process.hrtime.bigint();
    }
    this.wall0 = process.hrtime.bigint();
    this.cpu0 = process.cpuUsage();
  }

  stop(): ClockWindow {
    const c = process.cpuUsage(this.cpu0);
    const wall = process.hrtime.bigint() - this.wall0;
    return { cpuNs: (c.user + c.system) * 1000, wallNs: Number(wall) };
  }
}

/** Median, lowest and highest of a sample. */
export interface Stat {
  median: number;
  min: number;
  max: number;
}

export function stat(xs: readonly number[]): Stat {
  if (xs.length === 0) throw new Error("stat of no values");
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  const median = s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
  return { median, min: s[0], max: s[s.length - 1] };
}
