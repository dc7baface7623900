/** The machine a benchmark ran on, as the report and the --json file give it. */

import { readFileSync } from "node:fs";
import { arch, cpus, loadavg, platform } from "node:os";

export function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.*)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"));
    if (m) return m[1].trim();
  } catch {
    // not Linux: fall through
  }
  return cpus()[0]?.model ?? "unknown";
}

export interface MachineInfo {
  cpu: string;
  cores: number;
  node: string;
  platform: string;
  /** 1, 5 and 15 minute load averages when the bench started and when it ended. */
  loadStart: number[];
  loadEnd: number[];
  /** sol.c's compiler, when --sol ran it. */
  solCompiler: string | null;
}

export function machineInfo(): MachineInfo {
  return {
    cpu: cpuModel(),
    cores: cpus().length,
    node: process.version,
    platform: `${platform()} ${arch()}`,
    loadStart: loadavg(),
    loadEnd: [],
    solCompiler: null,
  };
}

export function loadNow(): number[] {
  return loadavg();
}
