/**
 * Memory figures of the benchmarks: what the process holds, measured as
 * V8 reports it, for comparison with the table bytes the kernel would hold.
 */

export function fullGc(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) gc();
}

import { getHeapSpaceStatistics } from "node:v8";

function heapNow(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Bytes of compiled code in V8's heap (code spaces): the JIT's, not the data's. */
function codeNow(): number {
  let n = 0;
  for (const s of getHeapSpaceStatistics()) if (s.space_name.startsWith("code_")) n += s.space_used_size;
  return n;
}

/**
 * heapUsed + arrayBuffers once garbage is gone: V8 releases the backing
 * stores of dead ArrayBuffers only at a later GC than the one that finds
 * them dead, so collect until two measures agree (within 64 KiB). Needs
 * --expose-gc (else it is the current, unsettled measure).
 */
export function settledHeap(): number {
  let prev = Infinity;
  for (let i = 0; i < 6; i++) {
    fullGc();
    const h = heapNow();
    if (Math.abs(h - prev) < 65536) return h;
    prev = h;
  }
  return prev;
}

/**
 * settledHeap() without compiled code: the data the process holds. The
 * difference of two such measures, with a workload's tables alive and after
 * they are dropped, is what those tables cost; optimised code made for them
 * (and dropped when they die) is the JIT's, not the tables'.
 */
export function settledDataHeap(): number {
  return settledHeap() - codeNow();
}

/** A workload's memory: its tables' store bytes and the process's growth, against the kernel's table bytes. */
export interface MemoryFigures {
  /** Table pages the kernel would hold at the workload's peak, times the granule. */
  kernelTableBytes: number;
  /** Typed-array bytes of the workload's table stores (arena chunks, counts, free stacks). */
  tableBytes: number;
  /**
   * settledDataHeap() after the workload's last run, its tables alive, minus
   * the same once they are dropped: what the workload's tables and their
   * state cost the process (heap objects and typed arrays). The shared event
   * log and the random inputs outlive the workload and are not counted; nor
   * are type feedback and code, which the model's code carries whatever the
   * table.
   */
  processBytes: number;
}
