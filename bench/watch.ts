/**
 * What happened inside the timed windows, besides the work: GC pauses (from
 * the perf_hooks "gc" entries) and how much of the wall time the process was
 * on a CPU (process.cpuUsage(): user + system, all threads). On a shared
 * 2-vCPU machine a CPU share well below 100% means the run was preempted and
 * its time is inflated; GC helper threads can push the share above 100%.
 * And, for windows no GC interrupted, the bytes the timed code allocated in
 * V8's new space (exact then: nothing was collected in between). With the
 * default young generation most allocating windows see a scavenge; run node
 * with --min-semi-space-size=128 --max-semi-space-size=128 to measure it.
 */

import { PerformanceObserver, type PerformanceEntry } from "node:perf_hooks";
import { getHeapSpaceStatistics } from "node:v8";

/** Bytes in use in V8's new space (young generation). */
export function newSpaceUsed(): number {
  for (const s of getHeapSpaceStatistics()) if (s.space_name === "new_space") return s.space_used_size;
  return NaN;
}

export interface WindowStats {
  /** GC pauses overlapping the windows, and their total duration (ms). */
  gcCount: number;
  gcMs: number;
  /** CPU time / wall time over the windows (NaN when none). */
  cpuShare: number;
  /** New-space bytes allocated per unit, median over the windows no GC interrupted (NaN when none). */
  allocPerUnit: number;
}

export const NO_STATS: WindowStats = { gcCount: 0, gcMs: 0, cpuShare: NaN, allocPerUnit: NaN };

/** Where timed windows are reported. */
export interface WindowSink {
  /**
   * A timed window: [start, end] in performance.now() ms, the CPU time (µs)
   * spent in it, and the growth of newSpaceUsed() over it.
   */
  window(label: string, start: number, end: number, cpuUs: number, newSpace: number): void;
}

export class TimedWatch implements WindowSink {
  private readonly entries: PerformanceEntry[] = [];
  private readonly windows: Array<{ label: string; start: number; end: number; cpuUs: number; newSpace: number }> = [];
  private readonly obs: PerformanceObserver;

  constructor() {
    this.obs = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) this.entries.push(e);
    });
    this.obs.observe({ entryTypes: ["gc"] });
  }

  window(label: string, start: number, end: number, cpuUs: number, newSpace: number): void {
    this.windows.push({ label, start, end, cpuUs, newSpace });
  }

  /** Let the observer's queued entries arrive, then stop observing. */
  async collect(): Promise<void> {
    await new Promise((r) => setTimeout(r, 50));
    this.obs.disconnect();
  }

  /** Statistics over the windows of `label`, whose runs do `units` units each (call after collect()). */
  stats(label: string, units: number): WindowStats {
    let gcCount = 0;
    let gcMs = 0;
    let wallMs = 0;
    let cpuUs = 0;
    const clean: number[] = [];
    for (const w of this.windows) {
      if (w.label !== label) continue;
      wallMs += w.end - w.start;
      cpuUs += w.cpuUs;
      let hit = 0;
      for (const e of this.entries) {
        if (e.startTime < w.end && e.startTime + e.duration > w.start) {
          hit++;
          gcMs += e.duration;
        }
      }
      gcCount += hit;
      if (hit === 0) clean.push(w.newSpace / units);
    }
    clean.sort((a, b) => a - b);
    const allocPerUnit = clean.length === 0 ? NaN : clean[clean.length >> 1];
    return { gcCount, gcMs, cpuShare: wallMs > 0 ? cpuUs / 1000 / wallMs : NaN, allocPerUnit };
  }
}
