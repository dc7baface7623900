import { EXIT_MISMATCH } from "../io.js";
import {
  MAP_SIZE_WORDS,
  abortFacts,
  abortInputLines,
  abortPathJson,
  checkAbortConfig,
  formatAbortPath,
  kvmHandleGuestAbort,
  parseMapSize,
  imageLeafAt,
  replayAbort,
  tableLeafAt,
  walkAbortOnImage,
  type AbortConfig,
  type AbortRegs,
  type MemslotKind,
  type TableSource,
} from "../../kvm/abort.js";
import { ERA_IDS, parseEras, type Era } from "../../kvm/policy.js";
import { PGPROTS, VMA_KINDS, parsePgprot, parseVmaKind, vmaInputs, type VmaKind, type VmaPgprot } from "../../kvm/vma.js";
import { ipaLimit, type Granule } from "../../pgtable/geometry.js";
import { InputError } from "../../pgtable/u64.js";
import { decodeEsr } from "../../regs/esr.js";
import { formatRegister } from "../../regs/format.js";
import { addressOption, checkLpa2 } from "../options.js";
import { inputLabel, loadScenario, replayFile } from "../scenarios.js";
import { IMAGE_OPTIONS, imageTables, loadImage } from "../images.js";
import { showPath } from "../io.js";
import { S2Walker } from "../../walker/translate.js";
import type { CommandSpec } from "../spec.js";

const MEMSLOTS: readonly MemslotKind[] = ["rw", "ro", "none"];

/**
 * s2pt fault --esr ...: what KVM does with a guest's stage-2 abort, per era; with --scenario, replayed on the table.
 * Exit 1 when KVM_RUN returns an errno in an era shown (the kernel refuses, as explain's exit 1); an ESR that is
 * no guest abort is bad input (2).
 */
export const faultCommand: CommandSpec = {
  name: "fault",
  describe:
    "what KVM does with a guest's stage-2 abort: the path through kvm_handle_guest_abort() and user_mem_abort() with the kernel function of each decision, per kernel era; with --scenario, the walk of the faulting IPA and the op KVM issues replayed on the table (leaf, TLBI and CMO events); exit 1 when KVM_RUN returns an errno in an era shown",
  options: {
    esr: {
      type: "string",
      required: true,
      value: { kind: "u64" },
      describe: "ESR_EL2, 0x-prefixed hex: a Data or Instruction Abort from the guest (EC 0x24 / 0x20)",
    },
    far: { type: "string", value: { kind: "u64" }, describe: "FAR_EL2, 0x-prefixed hex: the guest VA (its [11:0] complete an MMIO address)" },
    hpfar: { type: "string", value: { kind: "u64" }, describe: "HPFAR_EL2 (or KVM's copy, NS set), 0x-prefixed hex: the fault IPA is FIPA << 12" },
    ipa: { type: "string", value: { kind: "u64" }, describe: "the fault IPA as the kvm_guest_fault trace prints it, 0x-prefixed hex (instead of --hpfar)" },
    image: {
      ...IMAGE_OPTIONS.image,
      describe: "the stage-2 tables the guest faulted on in a memory image (JSON pages, or raw with --base): walked, the op not replayed",
    },
    base: IMAGE_OPTIONS.base,
    vttbr: IMAGE_OPTIONS.vttbr,
    vtcr: IMAGE_OPTIONS.vtcr,
    hcr: IMAGE_OPTIONS.hcr,
    scenario: {
      type: "string",
      value: { kind: "path" },
      describe:
        "the stage-2 table the guest faulted on: a scenario's final table (FORMAT.md), or - (standard input); its config gives the granule, IPA and PA sizes and FWB",
    },
    era: {
      type: "string",
      value: { kind: "word", words: [...ERA_IDS, "all"], parse: (t, w) => parseEras(t, w) },
      default: "mainline",
      describe: "pre (<= v6.8), v1, v6.9, mainline (6.18), or all",
    },
    memslot: {
      type: "string",
      value: { kind: "word", words: MEMSLOTS },
      default: "rw",
      describe: "the IPA is in a writable memslot (rw), a read-only one (ro, KVM_MEM_READONLY) or none (MMIO)",
    },
    vma: {
      type: "string",
      value: { kind: "word", words: VMA_KINDS, parse: (t, w) => parseVmaKind(t, w) },
      describe: "the memslot's VMA as explain takes it: anon (default), file, pfnmap, mixedmap",
    },
    pgprot: {
      type: "string",
      value: { kind: "word", words: PGPROTS.map((p) => p.name), parse: (t, w) => parsePgprot(t, w) },
      describe: "pfnmap/mixedmap: the VMA's memory type (device, noncached, wc, cacheable, tagged)",
    },
    "allow-any-uncached": { type: "boolean", default: false, describe: "VM_ALLOW_ANY_UNCACHED on the VMA (vfio-pci BARs)" },
    pfn: { type: "string", value: { kind: "word", words: ["ram", "io"] }, describe: "ram or io (default ram for anon/file, io for pfnmap/mixedmap)" },
    dic: { type: "boolean", default: false, describe: "CTR_EL0.DIC = 1" },
    "dirty-log": { type: "boolean", default: false, describe: "dirty logging is on for the memslot (live migration)" },
    "nisv-to-user": { type: "boolean", default: false, describe: "the VMM enabled KVM_CAP_ARM_NISV_TO_USER" },
    "map-size": {
      type: "string",
      value: { kind: "word", words: MAP_SIZE_WORDS, parse: (t, w) => parseMapSize(t, w) },
      describe: "the host's mapping size (THP, hugetlb, a PFNMAP block): 4k, 2m, 1g, ... or a 0x-prefixed byte count (default PAGE_SIZE)",
    },
    pa: {
      type: "string",
      value: { kind: "u64" },
      describe: "the host PA backing the faulting page, 0x-prefixed hex (default: the table's leaf, or an example address)",
    },
    granule: { type: "string", value: { kind: "granule" }, default: "4k", describe: "without --scenario: the host PAGE_SIZE, 4k, 16k or 64k" },
    "ia-bits": {
      type: "string",
      value: { kind: "int", min: 32, max: 52 },
      default: "40",
      describe: "without --scenario: the VM's IPA size (KVM's default 40)",
    },
    "pa-bits": {
      type: "string",
      value: { kind: "parange" },
      default: "48",
      describe: "without --scenario: the host PARange (32, 36, 40, 42, 44, 48, 52), which gives KVM's IPA limit",
    },
    lpa2: { type: "boolean", default: false, describe: "without --scenario: FEAT_LPA2 (52-bit IPA limit with 4K/16K)" },
    fwb: { type: "boolean", default: true, describe: "without --scenario: FEAT_S2FWB in use (--no-fwb)" },
    ha: { type: "boolean", default: true, describe: "with --scenario: VTCR_EL2.HA for the walk (KVM's setting); an Access flag fault implies --no-ha" },
    json: { type: "boolean", default: false, describe: "machine-readable output" },
  },
  examples: [
    ["fault --esr 0x93c08007 --far 0xffff800008001000 --hpfar 0x400010 --memslot none", "an MMIO read KVM hands to the VMM (KVM_EXIT_MMIO)"],
    [
      "fault --esr 0x92000047 --hpfar 0x400010 --scenario test/fixtures/shared/conformance/scenarios/map-page-4k-rw.json",
      "a write to an unmapped page: user_mem_abort() maps it, replayed on the table",
    ],
    ["fault --esr 0x8200000f --ipa 0x40000000 --vma pfnmap --era all", "an instruction fetch from device memory, every era"],
    ["fault --esr 0x92000047 --ipa 0x9000000 --memslot none", "MMIO without an instruction syndrome: -ENOSYS, the VMM dies (exit 1)"],
  ],
  run: (a, ctx) => {
    const esr = a.value<bigint>("esr") as bigint;
    abortFacts(esr); // refuse a syndrome that is not a guest abort before anything else
    const regs: AbortRegs = { esr, far: a.value<bigint>("far") ?? null, hpfar: a.value<bigint>("hpfar") ?? null, ipa: a.value<bigint>("ipa") ?? null };
    if (regs.hpfar !== null && regs.ipa !== null) throw new InputError("--hpfar and --ipa: give one (both name the fault IPA)");
    const eras = a.value<readonly Era[]>("era") as readonly Era[];
    const memslot = a.value<MemslotKind>("memslot") as MemslotKind;
    if (memslot === "none" && (a.has("vma") || a.has("pgprot") || a.has("pfn") || a.flag("allow-any-uncached"))) {
      throw new InputError("--vma: no memslot (--memslot none) has no VMA: --vma, --pgprot, --pfn and --allow-any-uncached describe a memslot's backing");
    }
    const host = vmaInputs(a.value<VmaKind>("vma") ?? "anon", a.value<VmaPgprot>("pgprot"), a.flag("allow-any-uncached"), a.value<"ram" | "io">("pfn"));

    // The table, or the VM's shape from the options.
    const scenarioPath = a.value<string>("scenario");
    let granule: Granule;
    let iaBits: number;
    let paBits: number;
    let lpa2: boolean;
    let fwb: boolean;
    let src: TableSource | null = null;
    const imagePath = a.value<string>("image");
    let image: { walker: S2Walker; lookup: S2Walker; label: string } | null = null;
    if (imagePath !== undefined) {
      if (scenarioPath !== undefined) throw new InputError("--image: not with --scenario (the tables come from one or the other)");
      for (const o of ["granule", "ia-bits", "lpa2"]) if (a.has(o)) throw new InputError(`--${o}: with --image, VTCR_EL2 (--vtcr) sets it`);
      if (a.has("fwb")) throw new InputError("--fwb/--no-fwb: with --image, HCR_EL2.FWB (--hcr) sets it");
      if (a.has("ha")) throw new InputError("--ha: with --image, VTCR_EL2.HA (--vtcr) sets it");
      const t = imageTables(a, loadImage(ctx, imagePath, a.value<bigint>("base")));
      // The leaf lookup walks with HA off: it must not set AF in the image before the walk it reports.
      image = { walker: new S2Walker(t, { ha: t.params.ha, hd: t.params.hd }), lookup: new S2Walker(t, { ha: false }), label: `image ${showPath(imagePath)}` };
      // The VM's shape from the registers: the granule and IPA size (VTCR_EL2), the host PARange (PAMax), DS, FWB.
      granule = t.params.granule;
      iaBits = t.params.iaBits;
      paBits = t.params.paMax;
      lpa2 = t.params.ds;
      fwb = t.params.fwb;
    } else if (scenarioPath !== undefined) {
      const label = inputLabel(scenarioPath);
      for (const o of ["granule", "ia-bits", "pa-bits", "lpa2"]) if (a.has(o)) throw new InputError(`--${o}: the scenario's table sets it (${label} config)`);
      if (a.has("fwb")) throw new InputError(`--fwb/--no-fwb: the scenario's table sets it (${label} config)`);
      const scn = loadScenario(ctx, scenarioPath);
      ({ granule, iaBits, paBits, lpa2, fwb } = scn.config);
      src = { describe: label, load: () => replayFile(scenarioPath, scn).pgt };
    } else {
      for (const o of ["base", "vttbr", "vtcr", "hcr"]) if (a.has(o)) throw new InputError(`--${o}: only with --image (a memory image's registers)`);
      granule = a.value<Granule>("granule") as Granule;
      iaBits = a.value<number>("ia-bits") as number;
      paBits = a.value<number>("pa-bits") as number;
      lpa2 = a.flag("lpa2");
      checkLpa2(granule, lpa2);
      fwb = a.flag("fwb");
    }
    const c: AbortConfig = {
      granule,
      iaBits,
      ipaLimit: ipaLimit(granule, paBits, lpa2),
      memslot,
      dirtyLog: a.flag("dirty-log"),
      nisvToUser: a.flag("nisv-to-user"),
      host,
      cpu: { fwb, dic: a.flag("dic") },
      mapSize: a.value<number>("map-size") ?? null,
      pa: addressOption(a, "pa") ?? null,
    };
    checkAbortConfig(c);

    const lookupTable = src ? src.load() : null;
    const leafAt = lookupTable ? (ipa: bigint) => tableLeafAt(lookupTable, ipa) : image ? (ipa: bigint) => imageLeafAt(image.lookup, ipa) : null;
    const results = eras.map((era) => {
      const path = kvmHandleGuestAbort(era, regs, c, leafAt);
      const walkIt = path.ipa !== null && (path.op !== null || path.outcome.kind !== "sea");
      const rep =
        src && walkIt
          ? replayAbort(path, regs, src, a.flag("ha"), c.cpu.dic)
          : image && walkIt
            ? walkAbortOnImage(path, regs, image.walker, image.label, c.cpu.dic)
            : null;
      return { path, rep };
    });
    // KVM_RUN returns an errno in an era shown: the kernel's "no", exit 1 (README "Exit codes").
    const refused = results.some((r) => r.path.outcome.kind === "error");
    if (a.flag("json")) {
      const hex = (v: bigint | null): string | null => (v === null ? null : "0x" + v.toString(16));
      ctx.print(
        JSON.stringify(
          {
            esr: decodeEsr(esr, 2),
            far: hex(regs.far),
            hpfar: hex(regs.hpfar),
            ipa: hex(regs.ipa),
            table: src ? src.describe : image ? image.label : null,
            paths: results.map((r) => abortPathJson(r.path, r.rep)),
          },
          null,
          2,
        ),
      );
    } else {
      // The syndrome's fields that say something: the ISS, and any set or flagged bit elsewhere.
      const d = decodeEsr(esr, 2);
      const key = ["EC", "IL", "ISV", "CM", "S1PTW", "WnR", "DFSC", "IFSC", "FnV"];
      d.fields = d.fields.filter((f) => f.problem !== undefined || key.includes(f.name) || (f.kind !== "res0" && f.value !== "0x0"));
      const out = [...abortInputLines(regs, c), "", formatRegister(d)];
      if (results.length > 1) {
        out.push("", "era       outcome");
        for (const r of results) out.push(`${r.path.era.padEnd(8)}  ${r.path.outcome.fn}: ${r.path.outcome.text}`);
      }
      for (const r of results) out.push("", formatAbortPath(r.path, r.rep));
      ctx.print(out.join("\n"));
    }
    if (refused) ctx.code = EXIT_MISMATCH;
  },
};
