/**
 * What happened inside the timed windows, besides the work: GC pauses (from
 * the perf_hooks "gc" entries) and how much of the wall time the process was
 * on a CPU (process.cpuUsage(): user + system, all threads). On a shared
 * 2-vCPU machine a CPU share well below 100% means the run was preempted and
 * its time is inflated; GC helper threads can push the share above 100%.
 */

import { PerformanceObserver, type PerformanceEntry } from "node:perf_hooks";

export interface WindowStats {
  /** GC pauses overlapping the windows, and their total duration (ms). */
  gcCount: number;
  gcMs: number;
  /** CPU time / wall time over the windows (NaN when none). */
  cpuShare: number;
}

export const NO_STATS: WindowStats = { gcCount: 0, gcMs: 0, cpuShare: NaN };

/** Where timed windows are reported. */
export interface WindowSink {
  /** A timed window: [start, end] in performance.now() ms, and the CPU time (µs) spent in it. */
  window(label: string, start: number, end: number, cpuUs: number): void;
}

export class TimedWatch implements WindowSink {
  private readonly entries: PerformanceEntry[] = [];
  private readonly windows: Array<{ label: string; start: number; end: number; cpuUs: number }> = [];
  private readonly obs: PerformanceObserver;

  constructor() {
    this.obs = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) this.entries.push(e);
    });
    this.obs.observe({ entryTypes: ["gc"] });
  }

  window(label: string, start: number, end: number, cpuUs: number): void {
    this.windows.push({ label, start, end, cpuUs });
  }

  /** Let the observer's queued entries arrive, then stop observing. */
  async collect(): Promise<void> {
    await new Promise((r) => setTimeout(r, 50));
    this.obs.disconnect();
  }

  /** Statistics over the windows of `label` (call after collect()). */
  stats(label: string): WindowStats {
    let gcCount = 0;
    let gcMs = 0;
    let wallMs = 0;
    let cpuUs = 0;
    for (const w of this.windows) {
      if (w.label !== label) continue;
      wallMs += w.end - w.start;
      cpuUs += w.cpuUs;
      for (const e of this.entries) {
        if (e.startTime < w.end && e.startTime + e.duration > w.start) {
          gcCount++;
          gcMs += e.duration;
        }
      }
    }
    return { gcCount, gcMs, cpuShare: wallMs > 0 ? cpuUs / 1000 / wallMs : NaN };
  }
}
