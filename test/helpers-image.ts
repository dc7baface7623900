// Test helpers for memory images: a scenario's final tables written as an
// image (src/scenario/image.ts), read back as a file would be, and walked by
// the same walkers as the model's own tables; the comparison of the two.
import { expect } from "vitest";
import type { KvmPgtable } from "../src/pgtable/pgtable.js";
import { parseU64 } from "../src/pgtable/u64.js";
import { imageFromJson, imageOfScenario, imageToJson } from "../src/scenario/image.js";
import type { BuiltGuest } from "../src/stage1/builder.js";
import { guestConfigFromRegisters } from "../src/stage1/image.js";
import { NestedWalker } from "../src/stage1/walk.js";
import { ImageTables, s2WalkParams } from "../src/walker/image.js";
import { S2Walker } from "../src/walker/translate.js";
import { FAULT_NONE } from "../src/walker/fault.js";
import { HCR } from "../src/regs/hcr.js";
import { fieldNum } from "../src/regs/field.js";

export interface ImageWorld {
  tables: ImageTables;
  s2: S2Walker;
  nested: NestedWalker | null;
}

/** Write pgt (and the guest) as a JSON image, read it back from the text, and build the walkers from the register values alone. */
export function imageWorld(pgt: KvmPgtable, guest: BuiltGuest | null): ImageWorld {
  const { mem, registers: r } = imageOfScenario(pgt, guest);
  const back = imageFromJson(imageToJson(mem));
  const hcr = parseU64(r.hcr, "hcr");
  const params = s2WalkParams({ vttbr: parseU64(r.vttbr, "vttbr"), vtcr: parseU64(r.vtcr, "vtcr"), fwb: fieldNum(hcr, HCR.FWB) === 1 });
  const tables = new ImageTables(back, params);
  const s2 = new S2Walker(tables, { ha: params.ha, hd: params.hd });
  let nested: NestedWalker | null = null;
  if (guest && r.tcr !== undefined) {
    const g = guestConfigFromRegisters({
      ttbr0: parseU64(r.ttbr0 ?? "0x0", "ttbr0"),
      ttbr1: parseU64(r.ttbr1 ?? "0x0", "ttbr1"),
      tcr: parseU64(r.tcr, "tcr"),
      mair: parseU64(r.mair ?? "0x0", "mair"),
      sctlr: parseU64(r.sctlr ?? "0x0", "sctlr"),
      hcr,
    });
    nested = new NestedWalker(s2, back, g.cfg);
  }
  return { tables, s2, nested };
}

/** Every entry's first and last IPA of every table page of pgt (runs of invalid entries once each), sampled down to `max`. */
export function probeIpas(pgt: KvmPgtable, max = 4000): number[] {
  const g = pgt.geom;
  const out: number[] = [];
  const visit = (page: number, level: number, base: number): void => {
    const size = 2 ** g.shifts[level + 1];
    let inRun = false;
    for (let i = 0; i < g.ptrsPerPte; i++) {
      const ipa = base + i * size;
      if (ipa >= 2 ** g.iaBits) break;
      const lo = pgt.entryLo(page, i);
      const hi = pgt.entryHi(page, i);
      if (lo === 0 && hi === 0) {
        if (!inRun) out.push(ipa, ipa + size - 1);
        inRun = true;
        continue;
      }
      inRun = false;
      out.push(ipa, ipa + size - 1);
      if (pgt.isTable(lo, level)) visit(pgt.childPage(lo, hi), level + 1, ipa);
    }
  };
  const rootSpan = 2 ** g.shifts[g.startLevel + 1] * g.ptrsPerPte;
  for (let r = 0; r < g.pgdPages; r++) visit(pgt.pgd + r, g.startLevel, r * rootSpan);
  out.push(2 ** g.iaBits, 2 ** g.iaBits + 0x1000);
  if (out.length <= max) return out;
  const step = out.length / max;
  const picked: number[] = [];
  for (let k = 0; k < max; k++) picked.push(out[Math.floor(k * step)]);
  return picked;
}

/** Walk `ipa` with both walkers for every access and EL: the same result, PA or fault, level and descriptor. */
export function sameS2Walk(model: S2Walker, image: S2Walker, ipa: number, what: string): void {
  for (let access = 0; access <= 2; access++) {
    for (let el = 0; el <= 1; el++) {
      const a = model.translate(ipa, access, el);
      const b = image.translate(ipa, access, el);
      const got = [b, image.level, b === FAULT_NONE ? image.pa : -1, image.descLo, image.descHi, image.hwUpdate, image.faultWrite];
      const want = [a, model.level, a === FAULT_NONE ? model.pa : -1, model.descLo, model.descHi, model.hwUpdate, model.faultWrite];
      if (got.some((v, i) => v !== want[i])) expect(got, `${what}: IPA 0x${ipa.toString(16)} access ${access} EL${el}`).toEqual(want);
    }
  }
}
