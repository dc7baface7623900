// The stage-2 dump (src/pgtable/ptdump.ts) against the kernel's format
// (kernel-reference.md section 8: arch/arm64/kvm/ptdump.c and note_page() as
// in 6.18), on tables built through the public API and written out by hand:
//   "0x%016lx-0x%016lx   " + "%9lu%c %s" (KiB divided by 1024 while it divides
//   evenly, units KMGTPE; the level) + per column, when the run's prot is not
//   0: " " + set or clear. Columns: VALID " "/"F", R "R"/" ", W "W"/" ",
//   XN "NX"/"x ", AF "AF"/"  ", bits 1:0 == 0b01 "BLK"/"   ".
// The kernel never flushes the last run; s2pt prints it unless kernelExact.
import { describe, expect, it } from "vitest";
import { PROT_R, PROT_W, PROT_X } from "../../src/pgtable/descriptor.js";
import { KvmPgtable } from "../../src/pgtable/pgtable.js";
import { ptdump, ptdumpColumns, ptdumpRuns } from "../../src/pgtable/ptdump.js";
import { InputError } from "../../src/pgtable/u64.js";

/**
 * 4K granule, 32-bit IPA: start level 2 with 4 concatenated root pages (3.4),
 * so the root entries are 2 MiB each over [0, 4 GiB).
 *  - a 2 MiB R|W block at 0x40000000 (level 2; no PROT_X, so XN; map sets AF);
 *  - a 4 KiB R|X page at 0x40400000 (a level-3 table under root entry 0x202);
 *  - owner 1 over [0x80000000, 0x80200000): kvm_pgtable_stage2_set_owner maps
 *    with force_pte, so 512 invalid level-3 entries with the owner annotation
 *    (bits 9:2 = 1, outside every column's mask: prot 0, no columns).
 */
function table(): KvmPgtable {
  const p = new KvmPgtable({ granule: 4096, iaBits: 32, paBits: 40, lpa2: false, fwb: true, tlbRange: false });
  expect(p.map(0x40000000, 0x200000, 0x80000000, PROT_R | PROT_W, 0)).toBe(0);
  expect(p.map(0x40400000, 0x1000, 0x90000000, PROT_R | PROT_X, 0)).toBe(0);
  expect(p.setOwner(0x80000000, 0x200000, 1)).toBe(0);
  return p;
}

const HEADER = "---[ Guest IPA ]---";
// [0, 1 GiB): 512 empty root entries; 0x40000000 B = 1048576 K = 1024 M = 1 G.
const L_EMPTY_1G = "0x0000000000000000-0x0000000040000000           1G 2";
const L_BLOCK = "0x0000000040000000-0x0000000040200000           2M 2   R W NX AF BLK";
const L_EMPTY_2M = "0x0000000040200000-0x0000000040400000           2M 2";
// R, W clear (" "), XN clear ("x "), AF, bits 1:0 = 0b11 (a page, not "BLK": "   ").
const L_PAGE = "0x0000000040400000-0x0000000040401000           4K 3   R   x  AF    ";
// 511 empty pages: 2044 K, which 1024 does not divide.
const L_EMPTY_2044K = "0x0000000040401000-0x0000000040600000        2044K 3";
// 0x80000000 - 0x40600000 = 0x3fa00000 = 1018 M.
const L_EMPTY_1018M = "0x0000000040600000-0x0000000080000000        1018M 2";
const L_OWNER = "0x0000000080000000-0x0000000080200000           2M 3";
// 0x100000000 - 0x80200000 = 0x7fe00000 = 2046 M.
const L_TAIL = "0x0000000080200000-0x0000000100000000        2046M 2";

describe("ptdump: the kernel's lines", () => {
  it("every run, the last one too", () => {
    expect(ptdump(table())).toBe([HEADER, L_EMPTY_1G, L_BLOCK, L_EMPTY_2M, L_PAGE, L_EMPTY_2044K, L_EMPTY_1018M, L_OWNER, L_TAIL, ""].join("\n"));
  });

  it("kernelExact leaves out the last run and the memory-type column", () => {
    const name = (m: number): string => `MemAttr ${m}`;
    expect(ptdump(table(), { kernelExact: true, memTypeName: name })).toBe(
      [HEADER, L_EMPTY_1G, L_BLOCK, L_EMPTY_2M, L_PAGE, L_EMPTY_2044K, L_EMPTY_1018M, L_OWNER, ""].join("\n"),
    );
    expect(ptdumpRuns(table(), { kernelExact: true, memTypeName: name }).every((r) => r.memtype === "")).toBe(true);
  });

  it("the memory-type column: the namer's word for a valid leaf's MemAttr (FWB 6 for both mappings), the owner of an annotated entry", () => {
    const seen: Array<[number, boolean]> = [];
    const name = (m: number, fwb: boolean): string => {
      seen.push([m, fwb]);
      return `M${m}`;
    };
    expect(ptdump(table(), { memTypeName: name })).toBe(
      [HEADER, L_EMPTY_1G, `${L_BLOCK}   M6`, L_EMPTY_2M, `${L_PAGE}   M6`, L_EMPTY_2044K, L_EMPTY_1018M, `${L_OWNER}   owner 1`, L_TAIL, ""].join("\n"),
    );
    // MT_S2_FWB_NORMAL = 6 (kernel-reference.md 2.2), read with FWB on.
    expect(new Set(seen.map(([m, f]) => `${m},${f}`))).toEqual(new Set(["6,true"]));
  });

  it("the runs as data: start, end, level, the prot bits in the masks", () => {
    const runs = ptdumpRuns(table());
    expect(runs.map((r) => [r.start, r.end, r.level])).toEqual([
      [0, 0x40000000, 2],
      [0x40000000, 0x40200000, 2],
      [0x40200000, 0x40400000, 2],
      [0x40400000, 0x40401000, 3],
      [0x40401000, 0x40600000, 3],
      [0x40600000, 0x80000000, 2],
      [0x80000000, 0x80200000, 3],
      [0x80200000, 0x100000000, 2],
    ]);
    // The block: valid 0x1, S2AP R 0x40 and W 0x80, AF 0x400; XN is bit 54 = bit 22 of the high half.
    expect([runs[1].protLo, runs[1].protHi]).toEqual([0x4c1, 1 << 22]);
    // The page: valid and table/page 0x3, R 0x40, AF 0x400; no XN.
    expect([runs[3].protLo, runs[3].protHi]).toEqual([0x443, 0]);
    expect([runs[6].protLo, runs[6].protHi]).toEqual([0, 0]);
  });

  it("an empty 48-bit table: one run of 256T at level 0 (units beyond G), none with kernelExact", () => {
    const p = new KvmPgtable({ granule: 4096, iaBits: 48, paBits: 48, lpa2: false, fwb: false, tlbRange: false });
    expect(ptdump(p)).toBe(`${HEADER}\n0x0000000000000000-0x0001000000000000         256T 0\n`);
    expect(ptdump(p, { kernelExact: true })).toBe(`${HEADER}\n`);
  });
});

describe("ptdump: a root table only partly inside the IPA space", () => {
  it("64K, 48-bit IPA: the walk stops at 2^48, after 64 of the level-1 table's 8192 entries", () => {
    // 3.4: 64K, IPA 48 -> start level 1, 1 root page; entries of 2^42 (L1), 2^29 (L2), 2^16 (L3).
    // One R page at the very top, 0xffffffff0000: the last entry of the last tables.
    const p = new KvmPgtable({ granule: 65536, iaBits: 48, paBits: 48, lpa2: false, fwb: false, tlbRange: false });
    expect(p.map(0xffffffff0000, 0x10000, 0x10000, PROT_R, 0)).toBe(0);
    expect(ptdump(p)).toBe(
      [
        HEADER,
        // 63 empty level-1 entries: 63 x 4T = 252T.
        "0x0000000000000000-0x0000fc0000000000         252T 1",
        // 8191 empty level-2 entries: 8191 x 512M = 4193792M, which 1024 does not divide.
        "0x0000fc0000000000-0x0000ffffe0000000     4193792M 2",
        // 8191 empty level-3 entries: 8191 x 64K = 524224K.
        "0x0000ffffe0000000-0x0000ffffffff0000      524224K 3",
        // R, W clear, XN (no PROT_X), AF, a page (not BLK); the last run, and nothing after 2^48.
        "0x0000ffffffff0000-0x0001000000000000          64K 3   R   NX AF    ",
        "",
      ].join("\n"),
    );
  });

  it("a last run at level 1 is printed like any other (4K, 36-bit IPA: start level 1, 3.4)", () => {
    const p = new KvmPgtable({ granule: 4096, iaBits: 36, paBits: 40, lpa2: false, fwb: false, tlbRange: false });
    expect(ptdump(p)).toBe(`${HEADER}\n0x0000000000000000-0x0000001000000000          64G 1\n`);
  });
});

describe("ptdumpColumns", () => {
  const run = { start: 0, end: 0x1000, level: 3, memtype: "" };
  it("no columns for a run of empty entries", () => expect(ptdumpColumns({ ...run, protLo: 0, protHi: 0 })).toEqual([]));
  it("'F' for a non-zero invalid entry: a locked one has bit 10 (AF's position) set", () => {
    expect(ptdumpColumns({ ...run, protLo: 0x400, protHi: 0 })).toEqual(["F", " ", " ", "x ", "AF", "   "]);
  });
  it("XN alone, from the high half", () => {
    expect(ptdumpColumns({ ...run, protLo: 0, protHi: 1 << 22 })).toEqual(["F", " ", " ", "NX", "  ", "   "]);
  });
  it("a valid block with nothing else", () => expect(ptdumpColumns({ ...run, protLo: 0x1, protHi: 0 })).toEqual([" ", " ", " ", "x ", "  ", "BLK"]));
});

describe("ptdump's arguments", () => {
  it("a table and options of their types", () => {
    const message = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(InputError);
        return (e as Error).message;
      }
      return "accepted";
    };
    expect(message(() => ptdump(null as never))).toBe("pgt: null is not a KvmPgtable");
    const p = new KvmPgtable({ granule: 4096, iaBits: 32, paBits: 40, lpa2: false, fwb: true, tlbRange: false });
    expect(message(() => ptdump(p, null as never))).toBe("opts: null is not an object");
    expect(message(() => ptdump(p, { kernelExact: "yes" as never }))).toBe('opts.kernelExact: "yes" is not a boolean (true or false)');
    expect(message(() => ptdump(p, { memTypeName: 5 as never }))).toBe("opts.memTypeName: 5 is not a function");
    expect(message(() => ptdump(p, { kernelExact: false, memTypeName: undefined }))).toBe("accepted");
  });
});
