import { EXIT_MISMATCH } from "../io.js";
import { DEFAULT_EXAMPLE_PA, explainEras, explanationJson, formatExplain, type ExplainOptions } from "../../kvm/explain.js";
import { FAULT_ACCESSES, parseEras, type Era, type PolicyInputs } from "../../kvm/policy.js";
import { PGPROTS, VMA_KINDS, parsePgprot, parseVmaKind, vmaInputs, type VmaKind, type VmaPgprot } from "../../kvm/vma.js";
import type { Granule } from "../../pgtable/geometry.js";
import { InputError, hex } from "../../pgtable/u64.js";
import { addressOption, checkLpa2 } from "../options.js";
import { FORMAT_OPTIONS, type CommandSpec } from "../spec.js";

/** s2pt explain: VMA -> prot -> descriptor -> combined with the guest -> hazards, per kernel era. */
export const explainCommand: CommandSpec = {
  name: "explain",
  describe:
    "how KVM picks the stage-2 memory type for a guest fault, per kernel era (before/after the write-combining and cacheable-IO series), joined with the guest's stage-1 choice; exit 1 when the kernel refuses the fault in an era shown",
  options: {
    ...FORMAT_OPTIONS,
    vma: {
      type: "string",
      required: true,
      value: { kind: "word", words: VMA_KINDS, parse: (t, w) => parseVmaKind(t, w) },
      describe: "the host VMA: anon, file, pfnmap (VM_PFNMAP) or mixedmap (VM_MIXEDMAP)",
    },
    pgprot: {
      type: "string",
      value: { kind: "word", words: PGPROTS.map((p) => p.name), parse: (t, w) => parsePgprot(t, w) },
      describe:
        "pfnmap/mixedmap only: vm_page_prot type: device (pgprot_device), noncached (pgprot_noncached, Device-nGnRnE), wc or nc (pgprot_writecombine, Normal-NC), cacheable, tagged; default device",
    },
    "allow-any-uncached": { type: "boolean", describe: "VM_ALLOW_ANY_UNCACHED in vm_flags (vfio-pci BAR mmaps, v6.9+)", default: false },
    pfn: {
      type: "string",
      value: { kind: "word", words: ["ram", "io"] },
      describe: "ram (pfn_is_map_memory) or io; default ram for anon/file, io for pfnmap/mixedmap",
    },
    dic: { type: "boolean", describe: "CTR_EL0.DIC = 1 (ARM64_HAS_CACHE_DIC)", default: false },
    access: {
      type: "string",
      value: { kind: "access" },
      describe: "the faulting access: r (read), w (write) or x (exec, an instruction fetch)",
      default: "read",
    },
    guest: {
      type: "string",
      value: { kind: "mair" },
      describe:
        "the guest's stage-1 MAIR byte (0x00..0xff) or name: device-ngnrne, device-ngnre, device-gre, normal-nc (nc, wc), normal-wt, normal-tagged, normal (wb), MAIR_ATTR_*",
    },
    "guest-sh": { type: "string", value: { kind: "sh" }, describe: "with --guest: the guest's stage-1 SH: 0 (nsh), 2 (osh), 3 (ish); default 3" },
    era: {
      type: "string",
      value: { kind: "word", words: ["pre", "v1", "v6.9", "mainline", "all"], parse: (t, w) => parseEras(t, w) },
      describe: "pre (<= v6.8), v1 (2023-09 posting), v6.9 (as merged), mainline, or all",
      default: "all",
    },
    pa: { type: "string", value: { kind: "u64" }, describe: "example output address of the leaf (0x-prefixed hex)", default: hex(DEFAULT_EXAMPLE_PA) },
    level: { type: "string", value: { kind: "int", min: -1, max: 3 }, describe: "leaf level (3 = a page)", default: "3" },
  },
  examples: [
    ["explain --vma pfnmap --pgprot noncached --allow-any-uncached --guest wc", "a vfio-pci GPU BAR the guest maps write-combining, every era"],
    ["explain --vma pfnmap --pgprot cacheable --no-fwb --era mainline", "cacheable device memory without FWB (refused: exit 1)"],
    ["explain --vma anon --guest normal-nc --no-fwb --json", "an uncached guest alias of RAM"],
  ],
  run: (a, ctx) => {
    const vma = a.value<VmaKind>("vma") as VmaKind;
    const pgprot = a.value<VmaPgprot>("pgprot");
    const pfn = a.value<"ram" | "io">("pfn");
    const access = FAULT_ACCESSES[a.value<number>("access") as number];
    const eras = a.value<readonly Era[]>("era") as readonly Era[];
    const v = vmaInputs(vma, pgprot, a.flag("allow-any-uncached"), pfn);
    const p: PolicyInputs = { ...v, fwb: a.flag("fwb"), dic: a.flag("dic"), access };
    const guest = a.value<number>("guest");
    if (a.has("guest-sh") && guest === undefined) throw new InputError("--guest-sh: needs --guest (the guest's stage-1 MAIR byte)");
    const granule = a.value<Granule>("granule") as Granule;
    const lpa2 = a.flag("lpa2");
    checkLpa2(granule, lpa2);
    const o: ExplainOptions = {
      granule,
      lpa2,
      pa: addressOption(a, "pa") as number,
      level: a.value<number>("level") as number,
      guest: guest === undefined ? null : { attr: guest, sh: a.value<number>("guest-sh") ?? 3 },
    };
    const xs = explainEras(eras, p, o);
    if (a.flag("json"))
      ctx.print(
        JSON.stringify(
          xs.map((x) => explanationJson(x, p, o)),
          null,
          2,
        ),
      );
    else ctx.print(formatExplain(xs, p, o));
    // The kernel refuses the fault (an errno) in an era shown: exit 1, like encode's -EINVAL.
    if (xs.some((x) => !x.policy.ok)) ctx.code = EXIT_MISMATCH;
  },
};
