// src/kvm/explain.ts (`s2pt explain`'s text) and hazards.ts: the decisions per
// era from kernel-reference.md 6.1 (v1 writes KVM_PGTABLE_PROT_DEVICE as
// MemAttr NORMAL_NC; v1's -EINVAL without FWB for a pfn without a linear-map
// alias; stage2_set_prot_attr() refuses NORMAL_NC|X and DEVICE|X with
// -EINVAL; mainline refuses a cacheable PFNMAP/MIXEDMAP at the fault with
// -EFAULT unless kvm_supports_cacheable_pfnmap(), i.e. FWB and DIC), the
// worked leaves of section 1.4 (Device-nGnRE 0x7C7, Normal-NC 0x7D7,
// Normal without FWB 0x7FF, XN = bit 54) and the attributes of
// arch-attributes.md 1.3 (a reserved MAIR byte is an UNKNOWN byte: any
// type). The text layout is `s2pt explain`'s: one era in full (two-space
// indent, 9-column labels), several as a table whose columns are padded to
// their widest cell and separated by two spaces, the last column unpadded.
// Written for the surviving mutants of `npm run mutate` (issue 23).
import { describe, expect, it } from "vitest";
import { classifyEffective, explainEra, explainEras, formatExplain, type ExplainOptions } from "../../src/kvm/explain.js";
import { hazardString, policyHazards } from "../../src/kvm/hazards.js";
import { vmaInputs } from "../../src/kvm/vma.js";
import type { PolicyInputs } from "../../src/kvm/policy.js";
import { combineS1S2 } from "../../src/mair/combine.js";

const BAR: PolicyInputs = { vma: "pfnmap", pgprot: "device", allowAnyUncached: false, pfnRam: false, fwb: false, dic: false, access: "read" };
const ANON: PolicyInputs = { ...BAR, vma: "anon", pgprot: "cacheable", pfnRam: true };
const NO_GUEST: ExplainOptions = { granule: 4096, lpa2: false, pa: 0x8000_0000, level: 3, guest: null };
const G = (attr: number, sh = 3): ExplainOptions => ({ ...NO_GUEST, guest: { attr, sh } });

describe("one era in full", () => {
  it("v1 with FWB over a BAR: PROT_DEVICE written as NORMAL_NC (0x7D7), the policy steps under one label", () => {
    const p = { ...BAR, fwb: true };
    const x = explainEra("v1", p, NO_GUEST);
    expect(x.leaf?.pte).toBe("0x400000800007d7");
    const L = formatExplain([x], p, NO_GUEST).split("\n");
    expect(L[5]).toBe("era v1: the series as first posted (v1, 2023-09-07, A. Agrawal; not merged)");
    expect(L[6]).toBe(`  source   ${x.era.sources}`);
    // The steps: the first labelled "policy", the others indented to the same column.
    const steps = x.policy.steps.map((s, i) => `  ${i === 0 ? "policy" : "      "}   ${s.fn}: ${s.text}`);
    expect(steps.length).toBeGreaterThan(2);
    expect(L.slice(7, 7 + steps.length)).toEqual(steps);
    expect(L[7]).toBe("  policy   mapping_type(): vm_page_prot is MT_DEVICE_nGnRE: non-cacheable, so KVM_PGTABLE_PROT_DEVICE");
    expect(L[8]).toMatch(/^ {11}kvm_is_device_pfn\(\): /);
    expect(L).toContain("  prot     R|W|DEVICE (written as R|W|NORMAL_NC would be in 6.18.25)");
    expect(L.find((l) => l.startsWith("  leaf "))).toMatch(/^ {2}leaf {5}0x400000800007d7 {2}MemAttr 0x5 .*, SH ISH$/);
    expect(L.at(-1)).toBe("  hazards  none");
  });

  it("a refused map (v1 exec fault on RAM behind a write-combine VMA): the error, its effect on the next line, the prot refused", () => {
    // v1: pgprot wc is non-cacheable -> DEVICE, exec fault -> X; written as NORMAL_NC|X, which stage2_set_prot_attr() refuses.
    const p: PolicyInputs = { ...BAR, pgprot: "wc", pfnRam: true, access: "exec" };
    const x = explainEra("v1", p, NO_GUEST);
    expect(x.policy.ok).toBe(false);
    const L = formatExplain([x], p, NO_GUEST).split("\n");
    const e = L.findIndex((l) => l.startsWith("  error    "));
    expect(L[e]).toMatch(/^ {2}error {4}-EINVAL \(-22\) from kvm_pgtable_stage2_map\(\) -> stage2_set_prot_attr\(\): prot R\|W\|X\|DEVICE: /);
    expect(L[e + 1]).toBe("           user_mem_abort() fails the fault: KVM_RUN returns -EINVAL to the VMM");
    expect(L[e + 2]).toBe("  prot     R|W|X|DEVICE (refused)");
    expect(x.hazards.map((h) => h.id)).toEqual(["exec-refused-by-map"]);
    expect(x.hazards[0].text).toBe(
      "the exec fault asks for a non-cacheable executable mapping, which stage2_set_prot_attr() refuses (-EINVAL): KVM_RUN fails with -EINVAL instead of the guest getting an abort",
    );
    // An error with no prot (v1 without FWB over an MMIO pfn): no prot line.
    const y = formatExplain([explainEra("v1", BAR, NO_GUEST)], BAR, NO_GUEST).split("\n");
    expect(y.some((l) => l.startsWith("  prot "))).toBe(false);
  });

  it("the guest line: ATTR and SH, or 'open'; LPA2's shareability note; the era's notes", () => {
    // A Device-nGnRnE guest over stage-2 Device-nGnRE (pre, a BAR): Device-nGnRnE, ATTR 0x00, OSH.
    const dev = formatExplain([explainEra("pre", BAR, G(0x00))], BAR, G(0x00)).split("\n");
    expect(dev.find((l) => l.startsWith("  guest "))).toMatch(/^ {2}guest {4}0x00 OSH: /);
    // FWB, anonymous RAM (MT_S2_FWB_NORMAL) under a Device guest: Normal-WB, SH left open (docs: the IMPLEMENTATION DEFINED
    // "Apply effective shareability" choice): "0xff SH open".
    const fp = { ...ANON, fwb: true };
    const wb = formatExplain([explainEra("mainline", fp, G(0x04))], fp, G(0x04)).split("\n");
    expect(wb.find((l) => l.startsWith("  guest "))).toMatch(/^ {2}guest {4}0xff SH open: /);
    // A reserved MAIR byte: any type, so ATTR and SH open.
    const open = formatExplain([explainEra("mainline", ANON, G(0x40))], ANON, G(0x40)).split("\n");
    expect(open.find((l) => l.startsWith("  guest "))).toMatch(/^ {2}guest {4}ATTR open SH open: /);
    // LPA2: bits 9:8 are OA[51:50]; the SH shown is VTCR_EL2.SH0's.
    const lp = { ...NO_GUEST, lpa2: true };
    const l2 = formatExplain([explainEra("mainline", ANON, lp)], ANON, lp).split("\n");
    expect(l2.find((l) => l.startsWith("  leaf "))).toMatch(/, SH ISH \(VTCR_EL2\.SH0: with LPA2 bits 9:8 are OA\[51:50\]\)$/);
    // VM_ALLOW_ANY_UNCACHED in era "pre": noted, last.
    const uc = { ...BAR, allowAnyUncached: true };
    const pre = formatExplain([explainEra("pre", uc, NO_GUEST)], uc, NO_GUEST).split("\n");
    expect(pre.at(-1)).toBe("  note     VM_ALLOW_ANY_UNCACHED does not exist in this era (added in v6.9): the flag plays no part");
    // The input lines: a byte that is no Linux MAIR_ATTR_* has no macro in brackets; a reserved byte is described in full.
    expect(formatExplain([explainEra("pre", BAR, G(0x4f))], BAR, G(0x4f)).split("\n")[3]).toMatch(/^guest {3}stage-1 MAIR 0x4f: Normal-oNC\/iWB; SH ISH$/);
    expect(formatExplain([explainEra("pre", BAR, G(0x40))], BAR, G(0x40)).split("\n")[3]).toMatch(/^guest {3}stage-1 MAIR 0x40: .*reserved.*; SH ISH$/i);
  });
});

describe("several eras as a table", () => {
  /** The column starts of a table line: a cell starts after two or more spaces. */
  const starts = (l: string): number[] => [0, ...[...l.matchAll(/ {2,}(?=\S)/g)].map((m) => (m.index ?? 0) + m[0].length)];

  it("columns padded to the widest cell, two spaces apart, the last unpadded; '(written NC)'; '-' and ', '", () => {
    // Anonymous RAM, exec fault, no FWB, no DIC: Normal+X 0x7FF... with X; both the dcache clean and the icache invalidation.
    const p: PolicyInputs = { ...ANON, access: "exec" };
    const xs = explainEras(["pre", "v1", "v6.9"], p, NO_GUEST);
    const L = formatExplain(xs, p, NO_GUEST).split("\n");
    const h = L.findIndex((l) => l.startsWith("era "));
    expect(L[h]).toMatch(/^era {2,}prot {2,}descriptor {2,}S2 MemAttr {2,}hazards$/);
    const rows = L.slice(h + 1, h + 4);
    expect(rows.map((r) => r.split(/ {2,}/)[0])).toEqual(["pre", "v1", "v6.9"]);
    for (const r of rows) {
      expect(starts(r)).toEqual(starts(L[h]));
      expect(r.endsWith("dcache-cmo, icache-inval")).toBe(true);
    }
    // "era" and "v6.9" are the widest cells of the first column: 4 + 2 spaces.
    expect(starts(L[h])[1]).toBe(6);
    expect(L[h + 4]).toBe("");
    expect(L.slice(h + 5, h + 8)).toEqual([
      "pre: before the series (up to v6.8)",
      `  - ${hazardString(xs[0].hazards[0])}`,
      `  - ${hazardString(xs[0].hazards[1])}`,
    ]);
    expect(L).toContain("v6.9: as merged in v6.9");
    expect(L.some((l) => l.includes("undefined"))).toBe(false);

    // v1 with FWB over a BAR: "(written NC)"; no hazards: "-"; the refused exec map's "where" cut at " -> ".
    const q = { ...BAR, fwb: true };
    const t = formatExplain(explainEras(["pre", "v1"], q, NO_GUEST), q, NO_GUEST).split("\n");
    const th = t.findIndex((l) => l.startsWith("era "));
    expect(t[th + 2]).toMatch(/^v1 {2,}R\|W\|DEVICE \(written NC\) {2,}0x400000800007d7 {2,}0x5 .* {2,}-$/);
    expect(starts(t[th + 2])).toEqual(starts(t[th]));
    const r: PolicyInputs = { ...BAR, pgprot: "wc", pfnRam: true, access: "exec" };
    const u = formatExplain(explainEras(["v1", "v6.9"], r, NO_GUEST), r, NO_GUEST).split("\n");
    const uh = u.findIndex((l) => l.startsWith("era "));
    expect(u[uh + 1]).toMatch(/^v1 {2,}-EINVAL \(kvm_pgtable_stage2_map\(\)\) {2,}- {2,}- {2,}exec-refused-by-map$/);
  });

  it("with a guest: the effective column ('ATTR SH type', 'open' where open); notes after the hazards", () => {
    const uc = { ...BAR, allowAnyUncached: true };
    const xs = explainEras(["pre", "v6.9"], uc, G(0x40, 2));
    const L = formatExplain(xs, uc, G(0x40, 2)).split("\n");
    const h = L.findIndex((l) => l.startsWith("era "));
    expect(L[h]).toMatch(/^era {2,}prot {2,}descriptor {2,}S2 MemAttr {2,}guest -> effective {2,}hazards$/);
    // pre: stage-2 Device-nGnRE under an UNKNOWN byte: the more restrictive Device type, nGnRnE or nGnRE (ATTR open, OSH).
    // v6.9: Normal-NC stage 2 under an UNKNOWN byte: open too.
    expect(L[h + 1].split(/ {2,}/)[4]).toBe("open OSH Device-nGnRnE | Device-nGnRE");
    expect(L[h + 2].split(/ {2,}/)[4]).toMatch(/^open OSH /);
    expect(L).toContain("  note: VM_ALLOW_ANY_UNCACHED does not exist in this era (added in v6.9): the flag plays no part");
    // ATTR 0x00: a Device-nGnRnE guest over Device-nGnRE.
    const d0 = formatExplain(explainEras(["pre", "v6.9"], BAR, G(0x00)), BAR, G(0x00)).split("\n");
    expect(d0[d0.findIndex((l) => l.startsWith("era ")) + 1].split(/ {2,}/)[4]).toBe("0x00 OSH Device-nGnRnE");
    // SH open: a Device guest over FWB Normal RAM.
    const fp = { ...ANON, fwb: true };
    const w = formatExplain(explainEras(["pre", "v6.9"], fp, G(0x04)), fp, G(0x04)).split("\n");
    const wh = w.findIndex((l) => l.startsWith("era "));
    expect(w[wh + 1].split(/ {2,}/)[4]).toBe("0xff SH open Normal-WB");
  });

  it("an error row's text below the table: errno, where, why and effect on one line", () => {
    const xs = explainEras(["pre", "v1"], BAR, NO_GUEST);
    const L = formatExplain(xs, BAR, NO_GUEST).split("\n");
    const i = L.indexOf("v1: the series as first posted (v1, 2023-09-07, A. Agrawal; not merged)");
    expect(L[i + 1]).toBe(
      `  -EINVAL from user_mem_abort() (v1 1/2): ${xs[1].policy.ok ? "" : xs[1].policy.why}; user_mem_abort() fails the fault: KVM_RUN returns -EINVAL to the VMM`,
    );
    expect(L[i - 1]).toBe("pre: before the series (up to v6.8)");
  });
});

describe("classifyEffective and the hazards' words", () => {
  it("a reserved MAIR byte (an UNKNOWN byte) over stage-2 Normal WB: some outcomes Device, some Write-Back, neither all", () => {
    expect(classifyEffective(combineS1S2(0x40, 3, 0xf, 3, { fwb: false }))).toMatchObject({
      allDevice: false,
      someDevice: true,
      allNotWriteBack: false,
      someNotWriteBack: true,
    });
  });

  it("mainline, cacheable MIXEDMAP / PFNMAP of IO without FWB and DIC: -EFAULT at the fault, the VMA's flag named", () => {
    // kvm_supports_cacheable_pfnmap() is FWB and DIC: DIC alone is not enough.
    const mixed = vmaInputs("mixedmap", "cacheable", false, "io");
    const p: PolicyInputs = { ...mixed, fwb: false, dic: true, access: "read" };
    const x = explainEra("mainline", p, NO_GUEST);
    expect(x.policy.ok).toBe(false);
    expect(x.hazards.map(hazardString)).toEqual([
      "cacheable-pfnmap-refused: the cacheable VM_MIXEDMAP pfn has no kernel mapping for cache maintenance and the CPU lacks FWB and DIC: user_mem_abort() returns -EFAULT (KVM_RUN fails)",
    ]);
    // The same policy result read for a PFNMAP VMA: named VM_PFNMAP.
    expect(policyHazards({ ...p, vma: "pfnmap" }, x.policy, null).map((h) => h.text)).toEqual([
      "the cacheable VM_PFNMAP pfn has no kernel mapping for cache maintenance and the CPU lacks FWB and DIC: user_mem_abort() returns -EFAULT (KVM_RUN fails)",
    ]);
    // FWB and DIC: allowed, Normal.
    expect(explainEra("mainline", { ...p, fwb: true }, NO_GUEST).policy.ok).toBe(true);
  });

  it("the leaf hazards' words: the alias over non-RAM memory, the dcache clean, the icache invalidation", () => {
    // v1, a write-combine PFNMAP of IO memory, FWB: stage 2 written Normal-NC... no: v1 maps the VMA's type; a cacheable alias
    // needs a non-cacheable VMA and a Normal leaf: pre over RAM behind a wc VMA is Normal (the VMA ignored).
    const p: PolicyInputs = { ...BAR, pgprot: "wc", pfnRam: true, access: "exec" };
    const x = explainEra("pre", p, NO_GUEST);
    expect(x.hazards.map(hazardString)).toEqual([
      "cacheable-alias: the VMA maps this RAM Normal-NC (pgprot_writecombine()) but stage 2 maps it Normal: the guest can cache memory the VMM accesses uncached",
      "dcache-cmo: no FWB: KVM cleans and invalidates the page to PoC on this fault (dcache_clean_inval_poc), because the guest may map it non-cacheable",
      "icache-inval: the mapping is executable and CTR_EL0.DIC is 0: KVM invalidates the icache to PoU for it (icache_inval_pou)",
    ]);
    // mainline, a cacheable PFNMAP of IO memory with FWB and DIC: Normal over memory that is not RAM: "memory".
    const io: PolicyInputs = { ...BAR, pgprot: "wc", fwb: true, dic: true };
    const leaf = { lo: 0x7db, hi: 0x40_0000 }; // kernel-reference 1.4: Normal with FWB (MemAttr 0b0110), XN
    expect(policyHazards(io, explainEra("mainline", { ...io, pgprot: "cacheable" }, NO_GUEST).policy, leaf)[0].text).toBe(
      "the VMA maps this memory Normal-NC (pgprot_writecombine()) but stage 2 maps it Normal (FWB: forced Write-Back): the guest can cache memory the VMM accesses uncached",
    );
  });
});

describe("arguments and notes", () => {
  it("the explain options and the VMA inputs are refused by name; level -1 (FEAT_LPA2) passes the check", () => {
    expect(() => explainEra("pre", ANON, { ...NO_GUEST, level: -2 })).toThrow(/^o\.level: .*a level/);
    expect(() => explainEra("pre", ANON, { ...NO_GUEST, level: -1 })).not.toThrow(/^o\.level/);
    expect(() => explainEra("pre", ANON, G(256))).toThrow(/^o\.guest\.attr: .*a MAIR Attr byte/);
    expect(() => vmaInputs("bogus" as never, undefined, false, undefined)).toThrow(/^vma: /);
    expect(() => vmaInputs("pfnmap", "bogus" as never, false, undefined)).toThrow(/^pgprot: /);
    expect(() => vmaInputs("pfnmap", undefined, 1 as never, undefined)).toThrow(/^allowAnyUncached: /);
    expect(() => vmaInputs("pfnmap", undefined, false, "x" as never)).toThrow(/^pfn: /);
  });

  it("formatExplain refuses an element that is not an EraExplanation, by index", () => {
    const x = explainEra("pre", BAR, NO_GUEST);
    expect(() => formatExplain([null] as never, BAR, NO_GUEST)).toThrow(/^xs\[0\]: /);
    expect(() => formatExplain([x, { ...x, era: 5 }] as never, BAR, NO_GUEST)).toThrow(/^xs\[1\]: .* is not an EraExplanation \(explainEra\(\) makes one\)$/);
    expect(() => formatExplain([{ ...x, policy: 5 }] as never, BAR, NO_GUEST)).toThrow(/^xs\[0\]: .* is not an EraExplanation/);
  });

  it("v1's ZONE_DEVICE note: v1 only, a file VMA only, without FWB over a non-RAM pfn", () => {
    const fsdax: PolicyInputs = { ...ANON, vma: "file", pfnRam: false };
    const note = /^v1's no-FWB check passes for ZONE_DEVICE memory behind a file VMA/;
    expect(explainEra("v1", fsdax, NO_GUEST).notes).toEqual([expect.stringMatching(note)]);
    for (const era of ["pre", "v6.9", "mainline"] as const) expect(explainEra(era, fsdax, NO_GUEST).notes.some((n) => note.test(n))).toBe(false);
    expect(explainEra("v1", BAR, NO_GUEST).notes.some((n) => note.test(n))).toBe(false);
  });
});
