import type { Argv } from "yargs";
import type { CliContext } from "../io.js";
import { DEFAULT_EXAMPLE_PA, explainEras, explanationJson, formatExplain, type ExplainOptions } from "../../kvm/explain.js";
import { parseGuestAttr, parseSh } from "../../kvm/guest.js";
import { FAULT_ACCESSES, parseEras, type FaultAccess, type PolicyInputs } from "../../kvm/policy.js";
import { parsePgprot, parseVmaKind, vmaInputs } from "../../kvm/vma.js";
import { InputError } from "../../pgtable/u64.js";
import { choiceOpt, flag, granuleOpt, hexOpt, intOpt, str, withFormatOptions, type Args } from "../options.js";

/** s2pt explain: VMA -> prot -> descriptor -> combined with the guest -> hazards, per kernel era. */
export function explainCommand(y: Argv, ctx: CliContext): Argv {
  return y.command(
    "explain",
    "how KVM picks the stage-2 memory type for a guest fault, per kernel era (before/after the write-combining and cacheable-IO series), joined with the guest's stage-1 choice",
    (b) =>
      withFormatOptions(b)
        .option("vma", { type: "string", describe: "the host VMA: anon, file, pfnmap (VM_PFNMAP) or mixedmap (VM_MIXEDMAP)", demandOption: true })
        .option("pgprot", { type: "string", describe: "pfnmap/mixedmap only: vm_page_prot type: device (pgprot_device), noncached (pgprot_noncached, Device-nGnRnE), wc or nc (pgprot_writecombine, Normal-NC), cacheable, tagged; default device" })
        .option("allow-any-uncached", { type: "boolean", describe: "VM_ALLOW_ANY_UNCACHED in vm_flags (vfio-pci BAR mmaps, v6.9+)", default: false })
        .option("pfn", { type: "string", describe: "ram (pfn_is_map_memory) or io; default ram for anon/file, io for pfnmap/mixedmap" })
        .option("dic", { type: "boolean", describe: "CTR_EL0.DIC = 1 (ARM64_HAS_CACHE_DIC)", default: false })
        .option("access", { type: "string", describe: "the faulting access: read, write or exec", default: "read" })
        .option("guest", { type: "string", describe: "the guest's stage-1 MAIR byte (0x00..0xff) or name: device-ngnrne, device-ngnre, device-gre, normal-nc (nc, wc), normal-wt, normal-tagged, normal (wb), MAIR_ATTR_*" })
        .option("guest-sh", { type: "string", describe: "with --guest: the guest's stage-1 SH: 0 (nsh), 2 (osh), 3 (ish); default 3" })
        .option("era", { type: "string", describe: "pre (<= v6.8), v1 (2023-09 posting), v6.9 (as merged), mainline, or all", default: "all" })
        .option("pa", { type: "string", describe: "example output address of the leaf", default: "0x80000000" })
        .option("level", { type: "string", describe: "leaf level (3 = a page)", default: "3" })
        .example("$0 explain --vma pfnmap --pgprot noncached --allow-any-uncached --guest wc", "a vfio-pci GPU BAR the guest maps write-combining, every era")
        .example("$0 explain --vma pfnmap --pgprot cacheable --no-fwb --era mainline", "cacheable device memory without FWB (refused)")
        .example("$0 explain --vma anon --guest normal-nc --no-fwb --json", "an uncached guest alias of RAM"),
    (args: Args) =>
      ctx.guard(() => {
        const vma = parseVmaKind(str(args, "vma") ?? "");
        const pgprotText = str(args, "pgprot");
        const pgprot = pgprotText === undefined ? undefined : parsePgprot(pgprotText);
        const pfn = choiceOpt(args, "pfn", ["ram", "io"] as const);
        const access = choiceOpt(args, "access", FAULT_ACCESSES) ?? ("read" as FaultAccess);
        const eras = parseEras(str(args, "era") ?? "all");
        const v = vmaInputs(vma, pgprot, flag(args, "allow-any-uncached"), pfn);
        const p: PolicyInputs = { ...v, fwb: args.fwb !== false, dic: flag(args, "dic"), access };
        const guestText = str(args, "guest");
        const guestShText = str(args, "guest-sh");
        if (guestShText !== undefined && guestText === undefined) throw new InputError("--guest-sh: needs --guest (the guest's stage-1 MAIR byte)");
        const guestSh = parseSh(guestShText ?? "3");
        const o: ExplainOptions = {
          granule: granuleOpt(args),
          lpa2: flag(args, "lpa2"),
          pa: hexOpt(args, "pa") ?? DEFAULT_EXAMPLE_PA,
          level: intOpt(args, "level", -1, 3) ?? 3,
          guest: guestText === undefined ? null : { attr: parseGuestAttr(guestText), sh: guestSh },
        };
        const xs = explainEras(eras, p, o);
        if (flag(args, "json")) ctx.print(JSON.stringify(xs.map((x) => explanationJson(x, p, o)), null, 2));
        else ctx.print(formatExplain(xs, p, o));
      }),
  );
}
