/**
 * The CPU time of the measuring thread, on node 20 (which has no
 * process.threadCpuUsage): process.cpuUsage() (getrusage, every thread of
 * the process, precise to the microsecond) minus what the process's other
 * threads ran in the same window, read from Linux's per-thread
 * /proc/self/task/<tid>/schedstat (its first field is the thread's run time
 * in ns, up to date for a thread that is not running, which those threads
 * are not while the measuring thread reads them). With node --single-threaded
 * V8 has no helper threads and the others are nearly idle: what remains is
 * tens of microseconds now and then (node's platform workers), which this
 * takes out. Elsewhere than Linux the correction is 0.
 */

import { readFileSync, readdirSync } from "node:fs";
import { performance } from "node:perf_hooks";

/** Run time (ns) of every thread of this process but the main one; NaN where /proc is not there. */
export function otherThreadsNs(): number {
  let tids: string[];
  try {
    tids = readdirSync("/proc/self/task");
  } catch {
    return NaN;
  }
  const main = String(process.pid);
  let sum = 0;
  for (const t of tids) {
    if (t === main) continue;
    try {
      sum += Number(readFileSync(`/proc/self/task/${t}/schedstat`, "utf8").split(" ")[0]);
    } catch {
      // the thread ended between the listing and the read: it ran nothing since
    }
  }
  return sum;
}

/**
 * A CPU-time window of the measuring thread: start() before the timed part,
 * stop() after; ns. process.cpuUsage() is a getrusage() system call plus an
 * object, and part of its cost lands inside the window (about 10-20 us on
 * the development VM, 1% of the shortest timed run): calibrate() measures
 * that on empty windows and stop() takes it off.
 */
export class ThreadCpuClock {
  private cpu0 = process.cpuUsage();
  private others0 = 0;
  /** CPU ns an empty window reads (median of calibrate()'s windows). */
  overheadNs = 0;

  start(): void {
    this.others0 = otherThreadsNs();
    // Warm the clocks' code paths: the first call after the set-up's GC runs
    // cold and would land partly in the window.
    for (let i = 0; i < 4; i++) {
      process.cpuUsage();
      performance.now();
    }
    this.cpu0 = process.cpuUsage();
  }

  /** The window's CPU time of this thread in ns (the process's, where the others cannot be read). */
  stop(): number {
    const c = process.cpuUsage(this.cpu0);
    const others = otherThreadsNs() - this.others0;
    const all = (c.user + c.system) * 1e3 - this.overheadNs;
    return Math.max(0, Number.isFinite(others) && others > 0 ? all - others : all);
  }

  /** Measure the cost of an empty window (`n` of them, the median); returns it. */
  calibrate(n = 201): number {
    this.overheadNs = 0;
    const xs: number[] = [];
    for (let i = 0; i < n; i++) {
      this.start();
      xs.push(this.stop());
    }
    xs.sort((a, b) => a - b);
    this.overheadNs = xs[xs.length >> 1];
    return this.overheadNs;
  }
}
