// s2pt fault, run as a process: every path through kvm_handle_guest_abort()
// (arch/arm64/kvm/mmu.c @7a9479eb, the 6.17/6.18-era copy; kernel-reference.md
// sections 6 and 7), each expected outcome taken from the kernel code cited
// above the case, and the ops replayed on scenario tables with the events
// kernel-reference.md section 5 gives for them. Bad input last.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { conformanceDir, repoRoot } from "../helpers.js";

const bin = join(repoRoot, "dist", "src", "cli", "main.js");
const dir = mkdtempSync(join(tmpdir(), "s2pt-fault-"));
const CONFIG = { granule: 4096, ia_bits: 40, pa_bits: 48, lpa2: false, fwb: true, tlb_range: false };
function scenario(name: string, ops: Array<Record<string, unknown>>, config: Record<string, unknown> = CONFIG): string {
  const p = join(dir, `${name}.json`);
  writeFileSync(p, JSON.stringify({ name, config, ops }));
  return p;
}
/** A read-only 4K page at IPA 0x40000000 -> PA 0x80000000. */
const RO_PAGE = scenario("ro-page", [{ op: "map", ipa: "0x40000000", size: "0x1000", pa: "0x80000000", prot: "R", flags: "" }]);
/** A read-write (not executable) 4K page, FWB off. */
const RW_PAGE_NOFWB = scenario("rw-page-nofwb", [{ op: "map", ipa: "0x40000000", size: "0x1000", pa: "0x80000000", prot: "R|W", flags: "" }], {
  ...CONFIG,
  fwb: false,
});
/** A read-only 2 MiB block at 0x40000000. */
const RO_BLOCK = scenario("ro-block", [{ op: "map", ipa: "0x40000000", size: "0x200000", pa: "0x80000000", prot: "R", flags: "" }]);
/** The conformance scenario that leaves the page at 0x40000000 old (AF = 0) and 0x40001000 young. */
const OLD_PAGE = join(conformanceDir, "scenarios", "young-clear-and-mkyoung.json");
const RW_PAGE = join(conformanceDir, "scenarios", "map-page-4k-rw.json");

function run(argv: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...argv], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface PathJson {
  era: string;
  fault_ipa: string | null;
  steps: string[];
  outcome: { kind: string; fn: string; text: string; errno?: number; name?: string };
  op: { op: string; ipa: string; size?: string; pa?: string; prot?: string } | null;
  replay: {
    before: { agrees_with_esr: boolean | null; walk: { fault: { type: string; level: number } | null } };
    op: { ret: number; events: unknown[] } | null;
    leaf_after: { level: number; descriptor: string } | null;
    after: { fault: string | null } | null;
    notes: string[];
  } | null;
}

/** The paths as JSON; the exit code is 1 exactly when KVM_RUN returns an errno in an era shown (README "Exit codes"). */
function paths(argv: string[]): PathJson[] {
  const r = run(["fault", ...argv, "--json"]);
  expect(r.stderr).toBe("");
  const ps = (JSON.parse(r.stdout) as { paths: PathJson[] }).paths;
  expect(r.code).toBe(ps.some((p) => p.outcome.kind === "error") ? 1 : 0);
  return ps;
}
const one = (argv: string[]): PathJson => {
  const p = paths(argv);
  expect(p.length).toBe(1);
  return p[0];
};

describe("kvm_handle_guest_abort(): the paths that end before user_mem_abort()", () => {
  it("a synchronous External abort (DFSC 0x10): kvm_handle_guest_sea(), APEI or an SError; no IPA needed", () => {
    // if (kvm_vcpu_abt_issea(vcpu)) return kvm_handle_guest_sea(vcpu);  (FSC_EXTABT, SEA_TTW(-1..3), SECC, SECC_TTW)
    const p = one(["--esr", "0x92000010"]);
    expect(p.outcome).toMatchObject({ kind: "sea", fn: "kvm_handle_guest_sea()" });
    expect(p.outcome.text).toMatch(/apei_claim_sea\(\).*kvm_inject_serror\(\)/);
    // DFSC 0x15: SEA on the table walk at level 1 is an SEA too.
    expect(one(["--esr", "0x92000015"]).outcome.kind).toBe("sea");
  });
  it("a Translation fault beyond the host's IPA limit: kvm_inject_size_fault()", () => {
    // if (fault_ipa >= BIT_ULL(get_kvm_ipa_limit())) { kvm_inject_size_fault(vcpu); return 1; }   (limit 48: PARange 48, 4K)
    const p = one(["--esr", "0x92000004", "--ipa", "0x1000000000000"]);
    expect(p.outcome).toMatchObject({ kind: "inject", fn: "kvm_inject_size_fault()" });
  });
  it("a Translation fault between the VM's IPA size and the limit: kvm_inject_sea() (mainline), kvm_inject_dabt() before", () => {
    // if (fault_ipa >= BIT_ULL(VTCR_EL2_IPA(vcpu->arch.hw_mmu->vtcr))) { fault_ipa |= FAR & GENMASK(11, 0); return kvm_inject_sea(vcpu, is_iabt, fault_ipa); }
    const [pre, , , main] = paths(["--esr", "0x92000004", "--ipa", "0x10000000000", "--far", "0x123", "--era", "all"]);
    expect(main.outcome).toMatchObject({ kind: "inject", fn: "kvm_inject_sea()" });
    expect(main.outcome.text).toMatch(/address 0x10000000123/);
    // v5.19..v6.8 (Marc Zyngier, "KVM: arm64: Inject exception on out-of-IPA-range translation fault"): kvm_inject_dabt().
    expect(pre.outcome.fn).toBe("kvm_inject_dabt()");
  });
  it("an FSC that is not a Translation, Permission or Access flag fault: -EFAULT ('Unsupported FSC')", () => {
    // Address size fault at level 0 (DFSC 0x00): kvm_err("Unsupported FSC: ..."); return -EFAULT;
    const p = one(["--esr", "0x92000000", "--ipa", "0x40000000"]);
    expect(p.outcome).toMatchObject({ kind: "error", errno: -14, name: "EFAULT" });
    // The level -1 Translation fault (0x2B) is a translation fault for esr_fsc_is_translation_fault() (v6.9+).
    expect(one(["--esr", "0x9200002b", "--ipa", "0x40000000"]).outcome.kind).toBe("resume");
  });
  it("an instruction fetch outside any memslot: -ENOEXEC, then kvm_inject_sea_iabt() (kvm_inject_pabt() before 6.18)", () => {
    // if (kvm_is_error_hva(hva) || ...) { if (is_iabt) { ret = -ENOEXEC; goto out; } ... }  out: kvm_inject_sea_iabt(vcpu, kvm_vcpu_get_hfar(vcpu))
    const [pre, , , main] = paths(["--esr", "0x82000006", "--ipa", "0x9000000", "--memslot", "none", "--era", "all"]);
    expect(main.outcome).toMatchObject({ kind: "inject", fn: "kvm_inject_sea_iabt()" });
    expect(pre.outcome.fn).toBe("kvm_inject_pabt()");
  });
  it("the guest's stage-1 table walk outside any memslot (S1PTW): kvm_inject_sea_dabt()", () => {
    // if (kvm_vcpu_abt_iss1tw(vcpu)) { ret = kvm_inject_sea_dabt(vcpu, kvm_vcpu_get_hfar(vcpu)); goto out_unlock; }
    expect(one(["--esr", "0x92000087", "--ipa", "0x9000000", "--memslot", "none"]).outcome).toMatchObject({ kind: "inject", fn: "kvm_inject_sea_dabt()" });
  });
  it("a cache maintenance instruction outside any memslot: skipped (kvm_incr_pc())", () => {
    // if (kvm_is_error_hva(hva) && kvm_vcpu_dabt_is_cm(vcpu)) { kvm_incr_pc(vcpu); ret = 1; }   (CM, bit 8)
    expect(one(["--esr", "0x92000147", "--ipa", "0x9000000", "--memslot", "none"]).outcome).toMatchObject({ kind: "skip", fn: "kvm_incr_pc()" });
  });
  it("MMIO with an instruction syndrome: io_mem_abort() at fault_ipa | FAR[11:0], KVM_EXIT_MMIO", () => {
    // ipa |= kvm_vcpu_get_hfar(vcpu) & GENMASK(11, 0); ret = io_mem_abort(vcpu, ipa);
    const p = one(["--esr", "0x93c08007", "--hpfar", "0x90000", "--far", "0xffff800008001008", "--memslot", "none"]);
    expect(p.outcome).toMatchObject({ kind: "exit", fn: "io_mem_abort()" });
    expect(p.outcome.text).toMatch(/KVM_EXIT_MMIO to the VMM: phys_addr 0x9000008, len 8, is_write 0/);
  });
  it("MMIO without an instruction syndrome: -ENOSYS, or KVM_EXIT_ARM_NISV with KVM_CAP_ARM_NISV_TO_USER", () => {
    // io_mem_abort(): if (!kvm_vcpu_dabt_isvalid(vcpu)) { if (NISV to user) { KVM_EXIT_ARM_NISV; return 0; } return -ENOSYS; }
    expect(one(["--esr", "0x92000047", "--ipa", "0x9000000", "--memslot", "none"]).outcome).toMatchObject({ kind: "error", errno: -38, name: "ENOSYS" });
    expect(one(["--esr", "0x92000047", "--ipa", "0x9000000", "--memslot", "none", "--nisv-to-user"]).outcome.text).toMatch(/KVM_EXIT_ARM_NISV/);
  });
  it("a write to a read-only memslot: the MMIO path (flash emulation), not user_mem_abort()", () => {
    // if (kvm_is_error_hva(hva) || (write_fault && !writable)) -> io_mem_abort()
    const p = one(["--esr", "0x93c08047", "--ipa", "0x9000000", "--far", "0x1234", "--memslot", "ro"]);
    expect(p.outcome.text).toMatch(/phys_addr 0x9000234, len 8, is_write 1/);
  });
  it("kvm_is_write_fault() on S1PTW: a Translation fault is a read, a Permission fault a write", () => {
    // kvm_is_write_fault(): if (kvm_vcpu_abt_iss1tw(vcpu)) return kvm_vcpu_trap_is_permission_fault(vcpu);
    // So in a read-only memslot the table-walk Translation fault is mapped (read-only) ...
    const t = one(["--esr", "0x92000087", "--ipa", "0x40000000", "--memslot", "ro"]);
    expect(t.outcome.kind).toBe("resume");
    expect(t.op).toMatchObject({ op: "map", prot: "R" });
    // ... and the Permission fault (the hardware updating AF/DBM in the table) is injected back.
    const p = one(["--esr", "0x9200008f", "--ipa", "0x40000000", "--memslot", "ro"]);
    expect(p.outcome).toMatchObject({ kind: "inject", fn: "kvm_inject_sea_dabt()" });
  });
  it("an Access flag fault: handle_access_fault(), mkyoung; on the table AF is set and nothing is flushed", () => {
    // if (esr_fsc_is_access_flag_fault(esr)) { handle_access_fault(vcpu, fault_ipa); ret = 1; }
    // mkyoung: set AF, no TLBI, no CMO (kernel-reference.md 5.3, 5.6).
    const p = one(["--esr", "0x9200000b", "--ipa", "0x40000000", "--scenario", OLD_PAGE]);
    expect(p.outcome).toMatchObject({ kind: "resume", fn: "handle_access_fault()" });
    expect(p.op).toMatchObject({ op: "mkyoung", ipa: "0x40000000" });
    expect(p.replay?.before.agrees_with_esr).toBe(true);
    expect(p.replay?.op).toEqual({ ret: 0, events: [] });
    // The young leaf: R|W page with AF (bit 10), FWB MemAttr 0x6: 0x400000800007db (kernel-reference.md 1.4).
    expect(p.replay?.leaf_after).toEqual({ level: 3, descriptor: "0x400000800007db", summary: expect.stringMatching(/AF/) });
  });
});

describe("user_mem_abort()", () => {
  it("a Translation fault on an unmapped page: map(fault_ipa, PAGE_SIZE, pa, R|W); the walk agreed, the access then succeeds", () => {
    const p = one(["--esr", "0x92000047", "--hpfar", "0x400010", "--pa", "0x80001000", "--scenario", RW_PAGE]);
    expect(p.op).toEqual({
      op: "map",
      ipa: "0x40001000",
      flags: "HANDLE_FAULT|SHARED",
      size: "0x1000",
      pa: "0x80001000",
      pa_from: "--pa 0x80001000",
      prot: "R|W",
    });
    expect(p.replay?.before.agrees_with_esr).toBe(true);
    // A new cacheable leaf asks for the dcache clean even with FWB (pgtable.c; mmu.c skips it with FWB): kernel-reference.md 5.6.
    expect(p.replay?.op).toEqual({ ret: 0, events: [["dcache", "0x80001000", "0x1000"]] });
    expect(p.replay?.leaf_after?.descriptor).toBe("0x400000800017db");
    expect(p.replay?.after?.fault).toBeNull();
  });
  it("a write Permission fault on a read-only page: relax_perms(R|W), TLBI by IPA, non-shareable, at level 3", () => {
    // fault_is_perm && vma_pagesize == fault_granule -> kvm_pgtable_stage2_relax_perms();  kernel-reference.md 5.3:
    // relax_perms sets S2AP[1] (bit 7) and issues __kvm_tlb_flush_vmid_ipa_nsh(addr, level).
    const p = one(["--esr", "0x9200004f", "--ipa", "0x40000000", "--scenario", RO_PAGE]);
    expect(p.op).toEqual({ op: "relax_perms", ipa: "0x40000000", flags: "HANDLE_FAULT|SHARED", prot: "R|W" });
    expect(p.replay?.before.agrees_with_esr).toBe(true);
    expect(p.replay?.op).toEqual({ ret: 0, events: [["tlbi_ipa_nsh", "0x40000000", 3]] });
    // 0x4000008000075b (R only) + S2AP_W (0x80) = 0x400000800007db.
    expect(p.replay?.leaf_after?.descriptor).toBe("0x400000800007db");
  });
  it("an instruction fetch from a non-executable RAM page, no DIC: relax_perms adds X, with the icache invalidation", () => {
    // exec_fault -> prot |= X; relax_perms clears XN and, the leaf becoming executable, calls icache_inval_pou (5.3) before the TLBI.
    const p = one(["--esr", "0x8200000f", "--ipa", "0x40000000", "--scenario", RW_PAGE_NOFWB]);
    expect(p.op).toMatchObject({ op: "relax_perms", prot: "R|W|X" });
    expect(p.replay?.op).toEqual({
      ret: 0,
      events: [
        ["icache", "0x80000000", "0x1000"],
        ["tlbi_ipa_nsh", "0x40000000", 3],
      ],
    });
  });
  it("a Permission fault on a 2 MiB block relaxes the block (vma_pagesize = fault_granule)", () => {
    // if (vma_pagesize == PAGE_SIZE && !(force_pte || s2_force_noncacheable)) { if (fault_is_perm && fault_granule > PAGE_SIZE) vma_pagesize = fault_granule; }
    const p = one(["--esr", "0x9200004e", "--ipa", "0x40123000", "--scenario", RO_BLOCK]);
    expect(p.op).toMatchObject({ op: "relax_perms", ipa: "0x40123000", prot: "R|W" });
    expect(p.replay?.op?.events).toEqual([["tlbi_ipa_nsh", "0x40123000", 2]]);
  });
  it("... but with dirty logging (force_pte) the page is mapped instead: the block is broken and split", () => {
    const p = one(["--esr", "0x9200004e", "--ipa", "0x40123000", "--scenario", RO_BLOCK, "--dirty-log"]);
    // The PA comes from the block: 0x80000000 + 0x123000.
    expect(p.op).toMatchObject({ op: "map", ipa: "0x40123000", size: "0x1000", pa: "0x80123000", prot: "R|W" });
    // Break-before-make of the block at the walk address, level 2 (conformance expected/map-page-inside-block.json:
    // ["tlbi_ipa", "0x40001000", 2] for a page mapped at 0x40001000 inside a block).
    expect((p.replay?.op?.events ?? [])[0]).toEqual(["tlbi_ipa", "0x40123000", 2]);
    expect(p.replay?.leaf_after?.level).toBe(3);
    // pgtable.c does not split the block: the new table holds this page only (the same conformance result: get_leaf
    // of 0x40000000 is 0 afterwards), and the replay says so.
    expect(p.replay?.notes.join()).toMatch(/the rest of the 0x200000 block is unmapped/);
  });
  it("dirty logging and a read fault: mapped without W", () => {
    // else if (logging_active && !write_fault) writable = false;
    expect(one(["--esr", "0x92000007", "--ipa", "0x40000000", "--dirty-log"]).op).toMatchObject({ op: "map", prot: "R" });
  });
  it("--map-size 2m (a THP): the IPA and PA are aligned down and a block is mapped", () => {
    expect(one(["--esr", "0x92000007", "--ipa", "0x40123000", "--map-size", "2m", "--pa", "0x80123000"]).op).toMatchObject({
      op: "map",
      ipa: "0x40000000",
      size: "0x200000",
      pa: "0x80000000",
    });
  });
  it("an instruction fetch from device memory: -ENOEXEC and an injected abort, per era", () => {
    // mainline: if (exec_fault && s2_force_noncacheable) ret = -ENOEXEC; ... out: kvm_inject_sea_iabt()
    const ps = paths(["--esr", "0x82000007", "--ipa", "0x40000000", "--vma", "pfnmap", "--era", "all"]);
    expect(ps.map((p) => p.outcome.fn)).toEqual(["kvm_inject_pabt()", "kvm_inject_pabt()", "kvm_inject_pabt()", "kvm_inject_sea_iabt()"]);
  });
  it("a cacheable VM_PFNMAP without FWB: mainline refuses the memslot (-EINVAL), v6.9 maps it Device", () => {
    // kvm_arch_prepare_memory_region(): cacheable VM_PFNMAP without kvm_supports_cacheable_pfnmap() -> -EINVAL (kernel-reference.md 6.1).
    const ps = paths(["--esr", "0x92000047", "--ipa", "0x40000000", "--vma", "pfnmap", "--pgprot", "cacheable", "--no-fwb", "--era", "all"]);
    expect(ps[3].outcome).toMatchObject({ kind: "error", errno: -22, fn: "kvm_arch_prepare_memory_region()" });
    expect(ps[2].op).toMatchObject({ op: "map", prot: "R|W|DEVICE" });
  });
  it("text: every decision names its kernel function", () => {
    const r = run(["fault", "--esr", "0x92000047", "--hpfar", "0x400010", "--scenario", RW_PAGE]);
    expect(r.code).toBe(0);
    for (const fn of [
      "kvm_vcpu_get_fault_ipa()",
      "esr_fsc_is_translation_fault()",
      "gfn_to_hva_memslot_prot()",
      "kvm_is_write_fault()",
      "kvm_pgtable_stage2_map()",
    ])
      expect(r.stdout).toContain(fn);
    expect(r.stdout).toMatch(/the walk takes the fault the ESR reports \(Translation fault, level 3\)/);
  });
});

describe("s2pt fault: exit codes", () => {
  it("an errno from KVM_RUN is the kernel's no: exit 1, in text and JSON, the answer printed", () => {
    // io_mem_abort() without a syndrome: -ENOSYS.
    for (const extra of [[], ["--json"]]) {
      const r = run(["fault", "--esr", "0x92000047", "--ipa", "0x9000000", "--memslot", "none", ...extra]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe("");
      expect(r.stdout).toMatch(/ENOSYS/);
    }
    // One era refusing is enough: mainline refuses a cacheable VM_PFNMAP without FWB (-EINVAL), v6.9 maps it.
    expect(run(["fault", "--esr", "0x92000047", "--ipa", "0x40000000", "--vma", "pfnmap", "--pgprot", "cacheable", "--no-fwb", "--era", "all"]).code).toBe(1);
    expect(run(["fault", "--esr", "0x92000047", "--ipa", "0x40000000", "--vma", "pfnmap", "--pgprot", "cacheable", "--no-fwb", "--era", "v6.9"]).code).toBe(0);
  });
  it("every other outcome is an answer: exit 0 (a map, an injected abort, an MMIO exit, a skipped instruction, an SEA)", () => {
    for (const argv of [
      ["--esr", "0x92000047", "--ipa", "0x40000000"],
      ["--esr", "0x82000007", "--ipa", "0x40000000", "--vma", "pfnmap"],
      ["--esr", "0x93c08007", "--ipa", "0x9000000", "--memslot", "none"],
      ["--esr", "0x92000147", "--ipa", "0x9000000", "--memslot", "none"],
      ["--esr", "0x92000010"],
    ]) {
      const r = run(["fault", ...argv]);
      expect([r.code, r.stderr], argv.join(" ")).toEqual([0, ""]);
    }
  });
});

describe("s2pt fault: values by the conventions", () => {
  it("--map-size: 4k, 2m, 1g or a 0x-prefixed byte count, the same size either way", () => {
    const base = ["--esr", "0x92000007", "--ipa", "0x40123000", "--pa", "0x80123000"];
    const want = one([...base, "--map-size", "2m"]);
    expect(one([...base, "--map-size", "2M"])).toEqual(want);
    expect(one([...base, "--map-size", "0x200000"])).toEqual(want);
    expect(one([...base, "--map-size", "1g"]).op).toMatchObject({ size: "0x40000000" });
  });
  it("--scenario - reads the table from standard input, like a file", () => {
    const argv = ["fault", "--esr", "0x9200004f", "--ipa", "0x40000000", "--json"];
    const file = run([...argv, "--scenario", RO_PAGE]);
    const stdin = spawnSync(process.execPath, [bin, ...argv, "--scenario", "-"], { encoding: "utf8", input: readFileSync(RO_PAGE, "utf8") });
    expect(file.code).toBe(0);
    expect(stdin.status).toBe(0);
    // The same paths and replay; only the table's name differs.
    expect(stdin.stdout.replaceAll("standard input", RO_PAGE)).toBe(file.stdout);
  });
  it("values the convention refuses: bare hex, decimal", () => {
    const cases: Array<[string[], string]> = [
      [["--esr", "92000047", "--ipa", "0x1000"], "s2pt: --esr: '92000047' is not a 0x-prefixed hex number\n"],
      [["--esr", "0x92000047", "--ipa", "40000000"], "s2pt: --ipa: '40000000' is not a 0x-prefixed hex number\n"],
      [["--esr", "0x92000047", "--hpfar", "400010"], "s2pt: --hpfar: '400010' is not a 0x-prefixed hex number\n"],
      [["--esr", "0x92000047", "--ipa", "0x1000", "--far", "ffff800008001000"], "s2pt: --far: 'ffff800008001000' is not a 0x-prefixed hex number\n"],
      [
        ["--esr", "0x92000047", "--ipa", "0x1000", "--map-size", "2097152"],
        "s2pt: --map-size: '2097152' is not a mapping size (4k, 2m, 1g, ... or a 0x-prefixed byte count)\n",
      ],
      [["--esr", "0x92000047", "--ipa", "0x1000", "--map-size", "0x0"], "s2pt: --map-size: 0x0 is not a mapping size (1 byte .. 1 TiB)\n"],
      [["--esr", "0x92000047", "--ipa", "0x1000", "--pa-bits", "45"], "s2pt: --pa-bits: 45 is not a PARange size (32, 36, 40, 42, 44, 48, 52)\n"],
      [["--esr", "0x92000047", "--ipa", "0x1000", "--ia-bits", "53"], "s2pt: --ia-bits: 53 is out of range (32..52)\n"],
      [
        ["--esr", "0x92000047", "--ipa", "0x1000", "--granule", "64k", "--lpa2"],
        "s2pt: --lpa2: FEAT_LPA2 descriptors exist for 4K and 16K granules only (64K reaches 52 bits with FEAT_LPA)\n",
      ],
      [
        ["--esr", "0x92000047", "--ipa", "0x1000", "--scenario", RW_PAGE, "--no-fwb"],
        `s2pt: --fwb/--no-fwb: the scenario's table sets it (${RW_PAGE} config)\n`,
      ],
      [["--esr", "0x92000047", "--ipa", "0x1000", "--dic=1"], "s2pt: --dic: '1' is not true or false (write --dic, --no-dic or --dic=true|false)\n"],
    ];
    for (const [argv, msg] of cases) {
      const r = run(["fault", ...argv]);
      expect([r.code, r.stdout, r.stderr], argv.join(" ")).toEqual([2, "", msg]);
    }
  });
});

describe("s2pt fault: bad input", () => {
  const cases: Array<[string, string[], RegExp]> = [
    [
      "an ESR that is not an abort (HVC)",
      ["fault", "--esr", "0x5a000000"],
      /^s2pt: --esr: 0x5a000000 has EC 0x16 \(HVC instruction execution in AArch64 state.*\), not an abort from the guest: KVM handles it in handle_hvc\(\).*\(s2pt reg esr 0x5a000000 decodes it\)$/,
    ],
    ["an abort from EL2 itself (EC 0x25)", ["fault", "--esr", "0x96000045"], /^s2pt: --esr: 0x96000045 has EC 0x25 .*an abort taken from EL2 itself/],
    ["an unallocated EC", ["fault", "--esr", "0x0a000000"], /^s2pt: --esr: 0xa000000 has EC 0x02 \(unallocated\)/],
    ["ESR wider than 64 bits", ["fault", "--esr", "0x100000000000000000"], /^s2pt: --esr: '0x100000000000000000' does not fit in 64 bits$/],
    ["no ESR", ["fault", "--ipa", "0x1000"], /--esr: required/],
    [
      "a Permission fault with no IPA",
      ["fault", "--esr", "0x9200004f"],
      /^s2pt: --hpfar: required: for a Permission fault on the final access HPFAR_EL2 is UNKNOWN/,
    ],
    ["a Translation fault with no IPA", ["fault", "--esr", "0x92000047"], /^s2pt: --hpfar: required: kvm_handle_guest_abort\(\) needs the fault IPA/],
    ["both --hpfar and --ipa", ["fault", "--esr", "0x92000047", "--hpfar", "0x400010", "--ipa", "0x40001000"], /--hpfar and --ipa: give one/],
    [
      "a VMA without a memslot",
      ["fault", "--esr", "0x92000047", "--ipa", "0x1000", "--memslot", "none", "--vma", "anon"],
      /--vma: no memslot \(--memslot none\) has no VMA/,
    ],
    ["an unknown memslot kind", ["fault", "--esr", "0x92000047", "--ipa", "0x1000", "--memslot", "rx"], /--memslot: 'rx' is not one of rw, ro, none/],
    [
      "a mapping size KVM does not use",
      ["fault", "--esr", "0x92000047", "--ipa", "0x1000", "--map-size", "64k"],
      /--map-size: 0x10000 is not a size KVM maps with a 4K granule/,
    ],
    [
      "--granule with a scenario",
      ["fault", "--esr", "0x92000047", "--ipa", "0x1000", "--scenario", RW_PAGE, "--granule", "16k"],
      /--granule: the scenario's table sets it/,
    ],
    [
      "an IPA size beyond the host limit",
      ["fault", "--esr", "0x92000047", "--ipa", "0x1000", "--ia-bits", "44", "--pa-bits", "40"],
      /--ia-bits: 44 exceeds the host's IPA limit of 40 bits/,
    ],
    ["an unknown era", ["fault", "--esr", "0x92000047", "--ipa", "0x1000", "--era", "v7"], /--era: 'v7' is not one of pre, v1, v6\.9, mainline, all/],
    ["a missing scenario file", ["fault", "--esr", "0x92000047", "--ipa", "0x1000", "--scenario", join(dir, "nope.json")], /nope\.json: no such file/],
  ];
  it.each(cases)("%s: exit 2, one line", (_n, argv, msg) => {
    const r = run(argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^s2pt: [^\n]+\n$/);
    expect(r.stderr.trimEnd()).toMatch(msg);
  });
});
