// The combine table (combineTable, combineTableRows, the combineAttr /
// combineSh / combineAttrSh lookups) built as few times as possible and
// checked against independent values (issue 23: mutation testing of
// src/mair/combine.ts lines 896-1016, where every mutant rebuilds the
// 73,728-row table through the instrumented loops):
//  - rows of shared/reference/combine-sample-noxs.json (FEAT_XS off, the
//    default) and combine-sample.json (FEAT_XS on), a selection copied here as
//    literals, then every row of the vendored copy (test/fixtures/shared);
//  - the full-table counts of arch-attributes.md section 7 (FEAT_XS on);
//  - rows worked out by hand below from arch-attributes.md 1-3 (the ASL
//    combine, with and without FWB), in particular the rows the samples do not
//    hold: SH 0b01 (2.3: it behaves as one of NSH, OSH, ISH) and HCR_EL2.DC = 1;
//  - the union rule of section 7 for a reserved stage-1 byte (1.3: it stands
//    for every valid byte) and SH 0b01: such a row is -1 ("open") exactly when
//    the rows it may stand for disagree, written out here independently of
//    the builder's loops;
//  - the index order of combineIndex and the row order of combineTableRows
//    (section 7: fwb fastest, then s2_sh, s2_memattr, s1_sh, s1_attr);
//  - configurations that differ in one control give different tables where
//    the rules of 3.4 say they differ (the cache key);
//  - the lookups' argument checks.
// Stryker activates a mutant per test and the module keeps built tables in a
// cache, so each test that builds a configuration checks everything about that
// configuration itself (a later test would read the cached table).
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  COMBINE_TABLE_SIZE,
  combineAttr,
  combineAttrSh,
  combineIndex,
  combineSh,
  combineTable,
  combineTableRows,
  type CombineTable,
} from "../../src/mair/combine.js";
import { fixtures, readJson } from "../helpers.js";

type Row = [number, number, number, number, number, number, number];
const NSH = 0;
const OSH = 2;
const ISH = 3;
const OPEN = -1;

// arch-attributes.md 1.3: the reserved stage-1 bytes with FEAT_XS and FEAT_MTE2 (20), without FEAT_XS add six.
const RESERVED_XS = [0x02, 0x03, 0x06, 0x07, 0x0a, 0x0b, 0x0e, 0x0f, 0x10, 0x20, 0x30, 0x50, 0x60, 0x70, 0x80, 0x90, 0xb0, 0xc0, 0xd0, 0xe0];
const RESERVED_NOXS = [...RESERVED_XS, 0x01, 0x05, 0x09, 0x0d, 0x40, 0xa0];

// combine-sample-noxs.json: every 40th row and a few open ones (FEAT_XS off).
const SAMPLE_NOXS: Row[] = [
  [0, 2, 2, 3, 0, 0, 2],
  [4, 0, 5, 0, 1, 4, 2],
  [7, 0, 10, 3, 1, -1, 2],
  [12, 3, 5, 2, 0, 12, 2],
  [17, 0, 3, 2, 0, 12, 2],
  [21, 3, 15, 2, 1, 21, 2],
  [24, 3, 9, 0, 0, 20, 3],
  [28, 2, 4, 2, 0, -1, 2],
  [32, 0, 9, 2, 0, -1, 2],
  [36, 0, 4, 3, 0, 68, 2],
  [41, 0, 13, 2, 1, 68, 2],
  [46, 0, 7, 2, 0, 78, 2],
  [50, 3, 1, 0, 0, 4, 2],
  [55, 0, 13, 3, 0, 52, 3],
  [59, 0, 1, 3, 1, 4, 2],
  [63, 0, 7, 2, 0, 79, 2],
  [67, 0, 9, 3, 1, 4, 2],
  [69, 3, 6, 2, 1, 245, 2],
  [74, 0, 14, 0, 0, 74, 0],
  [76, 3, 14, 2, 0, 72, 2],
  [82, 0, 7, 0, 0, 66, 0],
  [86, 3, 9, 0, 1, 4, 2],
  [90, 2, 12, 3, 1, 68, 2],
  [94, 3, 12, 0, 0, -1, 3],
  [98, 2, 2, 0, 0, 8, 2],
  [102, 2, 8, 2, 0, -1, 2],
  [107, 3, 13, 0, 1, 68, 2],
  [112, 2, 0, 0, 0, 0, 2],
  [116, 3, 2, 3, 1, 8, 2],
  [120, 3, 14, 2, 0, 120, 2],
  [125, 2, 7, 0, 1, 125, 2],
  [129, 3, 7, 0, 0, 65, 3],
  [134, 0, 1, 0, 1, 4, 2],
  [138, 3, 0, 2, 1, 0, 2],
  [142, 3, 2, 0, 1, 8, 2],
  [148, 0, 11, 0, 0, 148, 0],
  [154, 0, 4, 3, 1, 68, 2],
  [158, 2, 2, 3, 0, 8, 2],
  [161, 2, 12, 2, 0, -1, 2],
  [164, 3, 5, 0, 1, 68, 2],
  [168, 3, 15, 2, 0, 168, 2],
  [174, 2, 0, 0, 0, 0, 2],
  [179, 0, 2, 3, 1, 8, 2],
  [182, 3, 13, 0, 1, 68, 2],
  [186, 0, 0, 0, 1, 0, 2],
  [189, 0, 7, 3, 0, 77, 3],
  [192, 3, 14, 2, 0, -1, 2],
  [197, 0, 15, 0, 0, 197, 0],
  [201, 0, 12, 3, 1, 68, 2],
  [206, 0, 10, 0, 1, 8, 2],
  [210, 3, 6, 0, 0, 66, 3],
  [214, 3, 9, 3, 1, 4, 2],
  [219, 0, 15, 2, 0, 219, 2],
  [224, 0, 4, 0, 0, -1, -1],
  [228, 2, 5, 2, 1, 68, 2],
  [232, 2, 9, 2, 0, 164, 2],
  [236, 2, 3, 0, 1, 12, 2],
  [240, 0, 6, 2, 1, 240, 2],
  [242, 3, 14, 3, 0, 242, 3],
  [247, 0, 10, 3, 0, 179, 3],
  [250, 0, 15, 0, 0, 250, 0],
  [254, 2, 1, 0, 1, 4, 2],
  [1, 0, 2, 3, 1, -1, 2],
  [1, 0, 11, 0, 1, -1, 2],
  [1, 0, 12, 0, 1, -1, 2],
  [1, 2, 4, 2, 1, -1, 2],
  [0, 3, 6, 0, 1, 255, -1],
  [0, 3, 6, 3, 1, 255, -1],
  [4, 3, 6, 3, 1, 255, -1],
  [8, 3, 14, 3, 1, 255, -1],
  [12, 3, 6, 3, 1, 255, -1],
  [68, 0, 14, 3, 1, 255, -1],
  [1, 3, 0, 2, 0, 0, 2],
  [1, 3, 3, 3, 1, -1, 2],
  [1, 3, 10, 3, 0, -1, -1],
  [1, 3, 13, 0, 1, -1, 2],
];

// combine-sample.json: the same selection (FEAT_XS on), and its FEAT_XS bytes.
const SAMPLE_XS: Row[] = [
  [0, 2, 2, 3, 0, 0, 2],
  [4, 0, 5, 0, 1, 4, 2],
  [7, 0, 10, 3, 1, -1, 2],
  [12, 3, 5, 2, 0, 12, 2],
  [17, 0, 3, 2, 0, 12, 2],
  [21, 3, 15, 2, 1, 21, 2],
  [24, 3, 9, 0, 0, 20, 3],
  [28, 2, 4, 2, 0, -1, 2],
  [32, 0, 9, 2, 0, -1, 2],
  [36, 0, 4, 3, 0, 68, 2],
  [41, 0, 13, 2, 1, 68, 2],
  [46, 0, 7, 2, 0, 78, 2],
  [50, 3, 1, 0, 0, 4, 2],
  [55, 0, 13, 3, 0, 52, 3],
  [59, 0, 1, 3, 1, 4, 2],
  [63, 0, 7, 2, 0, 79, 2],
  [67, 0, 9, 3, 1, 4, 2],
  [69, 3, 6, 2, 1, 245, 2],
  [74, 0, 14, 0, 0, 74, 0],
  [76, 3, 14, 2, 0, 72, 2],
  [82, 0, 7, 0, 0, 66, 0],
  [86, 3, 9, 0, 1, 5, 2],
  [90, 2, 12, 3, 1, 68, 2],
  [94, 3, 12, 0, 0, -1, 3],
  [98, 2, 2, 0, 0, 8, 2],
  [102, 2, 8, 2, 0, -1, 2],
  [107, 3, 13, 0, 1, 68, 2],
  [112, 2, 0, 0, 0, -1, 2],
  [116, 3, 2, 3, 1, 8, 2],
  [120, 3, 14, 2, 0, 120, 2],
  [125, 2, 7, 0, 1, 125, 2],
  [129, 3, 7, 0, 0, 65, 3],
  [134, 0, 1, 0, 1, 4, 2],
  [138, 3, 0, 2, 1, 0, 2],
  [142, 3, 2, 0, 1, 8, 2],
  [148, 0, 11, 0, 0, 148, 0],
  [154, 0, 4, 3, 1, 68, 2],
  [158, 2, 2, 3, 0, 8, 2],
  [161, 2, 12, 2, 0, -1, 2],
  [164, 3, 5, 0, 1, 68, 2],
  [168, 3, 15, 2, 0, 168, 2],
  [174, 2, 0, 0, 0, 0, 2],
  [179, 0, 2, 3, 1, 8, 2],
  [182, 3, 13, 0, 1, 68, 2],
  [186, 0, 0, 0, 1, 0, 2],
  [189, 0, 7, 3, 0, 77, 3],
  [192, 3, 14, 2, 0, -1, 2],
  [197, 0, 15, 0, 0, 197, 0],
  [201, 0, 12, 3, 1, 68, 2],
  [206, 0, 10, 0, 1, 9, 2],
  [210, 3, 6, 0, 0, 66, 3],
  [214, 3, 9, 3, 1, 5, 2],
  [219, 0, 15, 2, 0, 219, 2],
  [224, 0, 4, 0, 0, -1, -1],
  [228, 2, 5, 2, 1, 68, 2],
  [232, 2, 9, 2, 0, 164, 2],
  [236, 2, 3, 0, 1, 13, 2],
  [240, 0, 6, 2, 1, 240, 2],
  [242, 3, 14, 3, 0, 242, 3],
  [247, 0, 10, 3, 0, 179, 3],
  [250, 0, 15, 0, 0, 250, 0],
  [254, 2, 1, 0, 1, 5, 2],
  [2, 0, 3, 0, 0, -1, 2],
  [2, 0, 14, 2, 1, -1, 2],
  [2, 3, 3, 3, 1, -1, 2],
  [2, 3, 12, 3, 1, -1, 2],
  [0, 3, 6, 0, 1, 255, -1],
  [0, 3, 6, 3, 1, 255, -1],
  [1, 3, 14, 3, 1, 255, -1],
  [4, 3, 6, 3, 1, 255, -1],
  [8, 3, 14, 3, 1, 255, -1],
  [12, 3, 6, 3, 1, 255, -1],
  [1, 0, 2, 3, 1, 1, 2],
  [1, 0, 11, 0, 1, 1, 2],
  [1, 0, 12, 0, 1, 1, 2],
  [1, 2, 4, 2, 1, 1, 2],
  [1, 3, 0, 2, 0, 1, 2],
  [1, 3, 3, 3, 1, 1, 2],
  [1, 3, 10, 3, 0, 1, 2],
  [1, 3, 13, 0, 1, 1, 2],
];

// Rows worked out by hand, FEAT_XS off. SH combine (S2CombineS1Shareability): OSH if either
// stage is OSH, else ISH if either is ISH, else NSH; then Device and Normal NC/NC are forced
// to OSH (EffectiveShareability). SH 0b01 stands for NSH, OSH or ISH (2.3).
const HAND_NOXS: Array<[string, Row]> = [
  ["0xFF/SH01 over WB/OSH: S2 OSH makes every choice OSH", [0xff, 1, 0xf, OSH, 0, 0xff, OSH]],
  ["0xFF/SH01 over WB/ISH: ISH, OSH, ISH", [0xff, 1, 0xf, ISH, 0, 0xff, OPEN]],
  ["0xFF/SH01 over WB/NSH: NSH, OSH, ISH", [0xff, 1, 0xf, NSH, 0, 0xff, OPEN]],
  ["0xFF/OSH over WB/SH01: stage-1 OSH makes every choice OSH", [0xff, OSH, 0xf, 1, 0, 0xff, OSH]],
  ["0xFF/ISH over WB/SH01: ISH, OSH, ISH", [0xff, ISH, 0xf, 1, 0, 0xff, OPEN]],
  ["0xFF/SH01 over WB/SH01", [0xff, 1, 0xf, 1, 0, 0xff, OPEN]],
  ["Device-nGnRE/SH01 over WB/SH01: Device, forced OSH", [0x04, 1, 0xf, 1, 0, 0x04, OSH]],
  ["0xFF/SH01 over NC/SH01: NC/NC (0x44 without FEAT_XS), forced OSH", [0xff, 1, 0x5, 1, 0, 0x44, OSH]],
  ["0xFF/SH01 over WT/ISH: WT with stage 1's RWA non-transient (0xBB), SH open", [0xff, 1, 0xa, ISH, 0, 0xbb, OPEN]],
  ["FWB 0b111 keeps 0xFF; S2 OSH", [0xff, 1, 0x7, OSH, 1, 0xff, OSH]],
  ["FWB 0b110 over NC 0x44/SH01 with S2 SH01: forced WB RWA (0xFF), SH open", [0x44, 1, 0x6, 1, 1, 0xff, OPEN]],
  ["FWB 0b110 over NC 0x44/SH01 with S2 OSH: OSH whatever stage 1 hands on", [0x44, 1, 0x6, OSH, 1, 0xff, OSH]],
  ["FWB 0b101 over Device-nGnRnE/SH01: stage 1 kept, Device OSH", [0x00, 1, 0x5, 1, 1, 0x00, OSH]],
  ["FWB MemAttr 0xF (bit 3 ignored: 0b111) over 0xFF/OSH with S2 SH01", [0xff, OSH, 0xf, 1, 1, 0xff, OSH]],
  ["reserved 0x02 over S2 Device-nGnRnE: any stage 1 gives nGnRnE", [0x02, NSH, 0x0, NSH, 0, 0x00, OSH]],
  ["reserved 0x80/OSH over WB/NSH: the byte is open, stage-1 OSH fixes SH", [0x80, OSH, 0xf, NSH, 0, OPEN, OSH]],
  ["reserved 0x80/NSH over WB/NSH: Device (OSH) or WB (NSH)", [0x80, NSH, 0xf, NSH, 0, OPEN, OPEN]],
  ["reserved 0x80 over S2 nGnRE: nGnRnE (0x00) for stage-1 nGnRnE, else nGnRE (0x04)", [0x80, NSH, 0x1, ISH, 0, OPEN, OSH]],
  ["reserved 0x80 with FWB 0b000: most restrictive Device, nGnRnE", [0x80, NSH, 0x0, ISH, 1, 0x00, OSH]],
  ["reserved 0x40 (without FEAT_XS) with FWB 0b1000 (bit 3 ignored: nGnRnE)", [0x40, NSH, 0x8, NSH, 1, 0x00, OSH]],
  ["reserved 0x80/SH01 over nGnRnE/SH01", [0x80, 1, 0x0, 1, 0, 0x00, OSH]],
  ["reserved 0x80/SH01 over WB/SH01", [0x80, 1, 0xf, 1, 0, OPEN, OPEN]],
  ["reserved 0x80 with FWB 0b110 and S2 OSH: the hints differ (0xFF, 0x77, ...), SH OSH", [0x80, OSH, 0x6, OSH, 1, OPEN, OSH]],
  ["reserved 0x02 with FWB 0b111: stage 1 kept, any byte", [0x02, NSH, 0x7, NSH, 1, OPEN, OPEN]],
  ["0x01 is reserved without FEAT_XS", [0x01, NSH, 0xf, NSH, 0, OPEN, OPEN]],
  ["0xFF/SH01 over nGnRE/SH01 without FEAT_XS: 0x04", [0xff, 1, 0x1, 1, 0, 0x04, OSH]],
];

// FEAT_XS on: XS = 0 for a Normal WB/WB result, else S1.XS AND S2.XS (3.1); 0b0000dd01, 0x40 are XS = 0 forms.
const HAND_XS: Array<[string, Row]> = [
  ["0x01 (Device-nGnRnE, XS 0)/SH01 over WB/SH01: stage 1 kept", [0x01, 1, 0xf, 1, 0, 0x01, OSH]],
  ["0xFF/SH01 over nGnRE/SH01: Device with XS 0 (0x05)", [0xff, 1, 0x1, 1, 0, 0x05, OSH]],
  ["0x40 (NC/NC XS 0)/SH01 over NC/SH01: 0x40, forced OSH", [0x40, 1, 0x5, 1, 0, 0x40, OSH]],
  ["reserved 0x02 over nGnRnE: 0x00 from XS 1 bytes, 0x01 from 0x01 or a WB stage 1", [0x02, NSH, 0x0, NSH, 0, OPEN, OSH]],
  ["reserved 0x02/SH01 over nGnRnE/SH01", [0x02, 1, 0x0, 1, 0, OPEN, OSH]],
];

// HCR_EL2.DC = 1 (3.4, AArch64.S1DisabledOutput): stage 1 is Normal WB RWA non-transient,
// Non-shareable, whatever the Attr byte and SH; FEAT_XS off.
const HAND_DC: Array<[string, Row]> = [
  ["reserved 0x80/OSH over WB/ISH: 0xFF, NSH + ISH = ISH", [0x80, OSH, 0xf, ISH, 0, 0xff, ISH]],
  ["0x02/SH01 over WB/SH01: only stage 2's SH 0b01 is open", [0x02, 1, 0xf, 1, 0, 0xff, OPEN]],
  ["0x44/SH01 over WB/NSH: the stage-1 SH 0b01 is not used, NSH", [0x44, 1, 0xf, NSH, 0, 0xff, NSH]],
  ["Device 0x00/ISH over nGnRE/NSH: stage-2 Device, OSH", [0x00, ISH, 0x1, NSH, 0, 0x04, OSH]],
  ["0xFF/OSH with FWB 0b110 over NSH: forced WB keeps RWA, NSH + NSH", [0xff, OSH, 0x6, NSH, 1, 0xff, NSH]],
  ["0x40/SH01 over NC/SH01: NC/NC 0x44, OSH", [0x40, 1, 0x5, 1, 0, 0x44, OSH]],
  ["0x00/NSH over WB/NSH: 0xFF NSH (without DC: Device 0x00 OSH)", [0x00, NSH, 0xf, NSH, 0, 0xff, NSH]],
];

function at(t: CombineTable, a: number, s1: number, m: number, s2: number, f: number): [number, number] {
  const i = combineIndex(a, s1, m, s2, f);
  return [t.attr[i], t.sh[i]];
}

/** The rows of `t` that differ from `rows` ([inputs..., attr, sh]), as text. */
function badRows(t: CombineTable, rows: readonly Row[]): string[] {
  const bad: string[] = [];
  for (const [a, s1, m, s2, f, attr, sh] of rows) {
    const got = at(t, a, s1, m, s2, f);
    if (got[0] !== attr || got[1] !== sh) bad.push(`${[a, s1, m, s2, f].join(",")}: want ${attr},${sh} got ${got.join(",")}`);
  }
  return bad;
}

const SH_ALL = [NSH, OSH, ISH];

/**
 * Every row a reserved byte or an SH 0b01 makes (the choice sets are a cross product: byte x
 * stage-1 SH x stage-2 SH) against the union of the determined rows it may stand for: the
 * value where they all agree, -1 where they do not. With HCR_EL2.DC = 1 the byte and the
 * stage-1 SH are not used: every row is the union of byte 0x00 NSH's rows.
 */
function badUnions(t: CombineTable, reserved: readonly number[], dc: boolean): string[] {
  const isReserved = new Set(reserved);
  const valid = [...Array(256).keys()].filter((a) => !isReserved.has(a));
  const bad: string[] = [];
  for (let a = 0; a < 256; a++)
    for (let s1 = 0; s1 < 4; s1++)
      for (let m = 0; m < 16; m++)
        for (let s2 = 0; s2 < 4; s2++) {
          if (!dc && !isReserved.has(a) && s1 !== 1 && s2 !== 1) continue;
          const bytes = dc ? [0x00] : isReserved.has(a) ? valid : [a];
          const s1s = dc ? [NSH] : s1 === 1 ? SH_ALL : [s1];
          const s2s = s2 === 1 ? SH_ALL : [s2];
          for (let f = 0; f < 2; f++) {
            const attrs = new Set<number>();
            const shs = new Set<number>();
            for (const b of bytes)
              for (const x of s1s)
                for (const y of s2s) {
                  const [pa, ps] = at(t, b, x, m, y, f);
                  attrs.add(pa);
                  shs.add(ps);
                }
            const want = [attrs.size === 1 ? [...attrs][0] : OPEN, shs.size === 1 ? [...shs][0] : OPEN];
            const got = at(t, a, s1, m, s2, f);
            if (got[0] !== want[0] || got[1] !== want[1]) bad.push(`${[a, s1, m, s2, f].join(",")}: want ${want.join(",")} got ${got.join(",")}`);
            if (bad.length > 20) return bad;
          }
        }
  return bad;
}

/** Every entry is a PAR_EL1.ATTR byte or -1, every SH 0 (NSH), 2 (OSH), 3 (ISH) or -1: no row is left unwritten. */
function badValues(t: CombineTable): number {
  let n = 0;
  for (let i = 0; i < COMBINE_TABLE_SIZE; i++) if (t.attr[i] < -1 || t.attr[i] > 0xff || ![-1, 0, 2, 3].includes(t.sh[i])) n++;
  return n;
}

interface Sample {
  rows: Row[];
}
const vendored = (file: string): Row[] => readJson<Sample>(join(fixtures, "reference", file)).rows;

describe("combineIndex and the table's size", () => {
  it("fwb varies fastest, then s2 SH, s2 MemAttr, s1 SH, s1 Attr: 2 x 4 x 16 x 4 x 256 = 131,072 entries", () => {
    expect(COMBINE_TABLE_SIZE).toBe(131072);
    expect([
      combineIndex(0, 0, 0, 0, 1),
      combineIndex(0, 0, 0, 1, 0),
      combineIndex(0, 0, 1, 0, 0),
      combineIndex(0, 1, 0, 0, 0),
      combineIndex(1, 0, 0, 0, 0),
    ]).toEqual([1, 2, 8, 128, 512]);
    expect(combineIndex(0xff, 3, 0xf, 3, true)).toBe(131071);
  });
  it("combineTable refuses an options argument that is not an object, before building anything", () => {
    expect(() => combineTable(null as never)).toThrow("opts: null is not an object");
    expect(() => combineTable(5 as never)).toThrow("opts: 5 is not an object");
  });
});

describe("combineTable, FEAT_XS off (the default configuration)", () => {
  it("is built once and cached, holds the sampled, hand-worked and union rows, and combineTableRows lists it in order", () => {
    const t = combineTable();
    // The same table for the same configuration, however it is spelled ("cached on first use").
    expect(combineTable({})).toBe(t);
    expect(combineTable({ xs: false, mte2: true, sctlrC: true })).toBe(t);
    // The controls it was built for (FWB is not one: both halves are in the table).
    expect(t.config).toMatchObject({
      xs: false,
      mte2: true,
      hcrCD: false,
      hcrDC: false,
      hcrDCT: false,
      sctlrC: true,
      ifetch: false,
      hcrID: false,
      sctlrI: true,
    });
    expect(t.attr).toHaveLength(131072);
    expect(t.sh).toHaveLength(131072);
    expect(badValues(t)).toBe(0);
    expect(badRows(t, SAMPLE_NOXS)).toEqual([]);
    expect(badRows(t, vendored("combine-sample-noxs.json"))).toEqual([]);
    for (const [what, row] of HAND_NOXS) expect(at(t, row[0], row[1], row[2], row[3], row[4]), what).toEqual([row[5], row[6]]);
    expect(badUnions(t, RESERVED_NOXS, false)).toEqual([]);
    // combineTableRows: SH 0, 2, 3 only (s1 and s2), fwb fastest; 256 x 3 x 16 x 3 x 2 = 73,728 rows.
    const rows = [...combineTableRows(t)];
    expect(rows).toHaveLength(73728);
    expect(rows.slice(0, 7).map((r) => r.slice(0, 5))).toEqual([
      [0, 0, 0, 0, 0],
      [0, 0, 0, 0, 1],
      [0, 0, 0, 2, 0],
      [0, 0, 0, 2, 1],
      [0, 0, 0, 3, 0],
      [0, 0, 0, 3, 1],
      [0, 0, 1, 0, 0],
    ]);
    expect(rows[96].slice(0, 5)).toEqual([0, 2, 0, 0, 0]);
    expect(rows[192].slice(0, 5)).toEqual([0, 3, 0, 0, 0]);
    expect(rows[288].slice(0, 5)).toEqual([1, 0, 0, 0, 0]);
    expect(rows[73727].slice(0, 5)).toEqual([255, 3, 15, 3, 1]);
    // Each row carries the table's entry; the first is 0x00/NSH over nGnRnE/NSH: Device-nGnRnE, OSH.
    expect(rows[0]).toEqual([0, 0, 0, 0, 0, 0x00, OSH]);
    expect(badRows(t, rows)).toEqual([]);
    // No SH 0b01 row and no row listed twice.
    expect(rows.some((r) => r[1] === 1 || r[3] === 1)).toBe(false);
    expect(new Set(rows.map((r) => combineIndex(r[0], r[1], r[2], r[3], r[4]))).size).toBe(73728);
  });
});

describe("combineTable, FEAT_XS on", () => {
  it("holds the sampled, hand-worked and union rows, and the section-7 counts: attr -1 on 11,484 rows, sh -1 on 2,240", () => {
    const t = combineTable({ xs: true });
    expect(t.config.xs).toBe(true);
    expect(badValues(t)).toBe(0);
    expect(badRows(t, SAMPLE_XS)).toEqual([]);
    expect(badRows(t, vendored("combine-sample.json"))).toEqual([]);
    for (const [what, row] of HAND_XS) expect(at(t, row[0], row[1], row[2], row[3], row[4]), what).toEqual([row[5], row[6]]);
    expect(badUnions(t, RESERVED_XS, false)).toEqual([]);
    const rows = [...combineTableRows(t)];
    expect(rows).toHaveLength(73728);
    expect(rows.filter((r) => r[5] === OPEN).length).toBe(11484);
    expect(rows.filter((r) => r[6] === OPEN).length).toBe(2240);
  });
});

describe("combineTable, HCR_EL2.DC = 1", () => {
  it("does not depend on the stage-1 byte or SH (AArch64.S1DisabledOutput), and holds the hand-worked rows", () => {
    const t = combineTable({ hcrDC: true });
    expect(t.config.hcrDC).toBe(true);
    expect(badValues(t)).toBe(0);
    for (const [what, row] of HAND_DC) expect(at(t, row[0], row[1], row[2], row[3], row[4]), what).toEqual([row[5], row[6]]);
    expect(badUnions(t, RESERVED_NOXS, true)).toEqual([]);
  });
});

describe("the lookups (combineAttr, combineSh, combineAttrSh): the default tables, FEAT_XS per `xs`", () => {
  it("answer from the table of their own `xs`, in any order of calls", () => {
    // 0xFF/ISH over nGnRE/ISH: Device XS 0 (0x05) with FEAT_XS, 0x04 without (3.5); xs defaults to off.
    expect(combineAttrSh(0xff, ISH, 0x1, ISH, false, false)).toEqual([0x04, OSH]);
    expect(combineAttrSh(0xff, ISH, 0x1, ISH, false, true)).toEqual([0x05, OSH]);
    expect(combineAttrSh(0xff, ISH, 0x1, ISH, false)).toEqual([0x04, OSH]);
    expect(combineAttr(0xff, ISH, 0x1, ISH, true, true)).toBe(0x05);
    expect(combineAttr(0xff, ISH, 0x1, ISH, true)).toBe(0x04);
    expect(combineAttr(0xff, ISH, 0x1, ISH, true, true)).toBe(0x05);
    // 0x40/NSH over NC/NSH: NC/NC XS 0 with FEAT_XS; reserved without it (a Device byte stays Device, a Normal one NC/NC: ATTR open, SH OSH).
    expect(combineSh(0xff, 1, 0xf, ISH, false)).toBe(OPEN);
    expect(combineSh(0x40, NSH, 0x5, NSH, false, true)).toBe(OSH);
    expect(combineAttr(0x40, NSH, 0x5, NSH, false, true)).toBe(0x40);
    expect(combineAttr(0x40, NSH, 0x5, NSH, false)).toBe(OPEN);
    expect(combineSh(0xff, NSH, 0xf, NSH, false)).toBe(NSH);
    // 0x40/NSH over WB/NSH: without FEAT_XS (the default) reserved, Device (OSH) or WB (NSH): SH open; with it NC/NC, OSH.
    expect(combineSh(0x40, NSH, 0xf, NSH, false)).toBe(OPEN);
    expect(combineSh(0x40, NSH, 0xf, NSH, false, true)).toBe(OSH);
    expect(combineSh(0xff, NSH, 0xf, NSH, false, true)).toBe(NSH);
    // FWB 0b110 over 0x44: 0xFF, SH open (the IMPLEMENTATION DEFINED stage-1 shareability, 3.3).
    expect(combineAttrSh(0x44, ISH, 6, ISH, true)).toEqual([0xff, OPEN]);
    expect(combineAttrSh(0x44, ISH, 6, ISH, true, true)).toEqual([0xff, OPEN]);
  });
  it("each refuses a bad argument by name and answers the edge values", () => {
    expect(() => combineAttr(256, 0, 0, 0, false)).toThrow("s1Attr: 256 is not a MAIR Attr byte in 0..255");
    expect(() => combineSh(0, 4, 0, 0, false)).toThrow("s1Sh: 4 is not an SH value in 0..3");
    expect(() => combineAttrSh(0, 0, 16, 0, false)).toThrow("s2MemAttr: 16 is not a stage-2 MemAttr in 0..15");
    expect(() => combineAttrSh(0, 0, 0, 0, false, "yes" as never)).toThrow('xs: "yes" is not a boolean (true or false)');
    // 0x00/NSH over nGnRnE/NSH: Device-nGnRnE, OSH; 0xFF/ISH over WB/ISH: 0xFF ISH.
    expect(combineAttr(0, 0, 0, 0, false)).toBe(0x00);
    expect(combineSh(0, 0, 0, 0, false)).toBe(OSH);
    expect(combineAttrSh(0xff, 3, 0xf, 3, true, true)).toEqual([0xff, ISH]);
  });
});

describe("one control changed, one table changed (the cache key: arch-attributes.md 3.4)", () => {
  it("each control gives its own table where the rules differ", () => {
    // Base row 0xFF/ISH over WB/ISH, FWB 0: 0xFF ISH.
    expect(at(combineTable({ hcrCD: true }), 0xff, ISH, 0xf, ISH, 0)).toEqual([0x44, OSH]); // stage-2 Normal made NC
    expect(at(combineTable({ sctlrC: false }), 0xff, ISH, 0xf, ISH, 0)).toEqual([0x44, OSH]); // stage-1 Normal data NC
    const fetch = combineTable({ ifetch: true });
    expect(at(fetch, 0xff, ISH, 0xf, ISH, 0)).toEqual([0xff, ISH]);
    expect(at(fetch, 0xff, ISH, 0x1, ISH, 0)).toEqual([0x44, OSH]); // stage-2 Device fetched as NC (default: 0x04)
    expect(at(combineTable({ ifetch: true, hcrID: true }), 0xff, ISH, 0xf, ISH, 0)).toEqual([0x44, OSH]);
    expect(at(combineTable({ ifetch: true, sctlrI: false }), 0xff, ISH, 0xf, ISH, 0)).toEqual([0x44, OSH]);
    // 0xF0 is reserved without FEAT_MTE2: any valid byte, so ATTR and SH (Device OSH, WB ISH) open.
    expect(at(combineTable({ mte2: false }), 0xf0, ISH, 0xf, ISH, 0)).toEqual([OPEN, OPEN]);
    expect(at(combineTable({ mte2: true }), 0xf0, ISH, 0xf, ISH, 0)).toEqual([0xf0, ISH]);
    // HCR_EL2.DCT with DC: the default-cacheable output is Tagged, and stage-2 WB keeps the tag (0xF0).
    expect(at(combineTable({ hcrDC: true, hcrDCT: true }), 0x00, NSH, 0xf, NSH, 0)).toEqual([0xf0, NSH]);
    expect(at(combineTable({ hcrDC: true }), 0x00, NSH, 0xf, NSH, 0)).toEqual([0xff, NSH]);
    expect(at(combineTable({ xs: true }), 0xff, ISH, 0x1, ISH, 0)).toEqual([0x05, OSH]);
    expect(at(combineTable(), 0xff, ISH, 0x1, ISH, 0)).toEqual([0x04, OSH]);
  });
});
