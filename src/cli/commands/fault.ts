import type { Argv } from "yargs";
import type { CliContext } from "../io.js";
import {
  abortFacts,
  abortInputLines,
  abortPathJson,
  checkAbortConfig,
  formatAbortPath,
  kvmHandleGuestAbort,
  replayAbort,
  tableLeafAt,
  type AbortConfig,
  type AbortRegs,
  type MemslotKind,
  type TableSource,
} from "../../kvm/abort.js";
import { parseEras } from "../../kvm/policy.js";
import { parsePgprot, parseVmaKind, vmaInputs } from "../../kvm/vma.js";
import { replay } from "../../pgtable/replay.js";
import { ipaLimit, parseGranule, PARANGE_BITS, type Granule } from "../../pgtable/geometry.js";
import { InputError, parseU64 } from "../../pgtable/u64.js";
import { decodeEsr } from "../../regs/esr.js";
import { formatRegister } from "../../regs/format.js";
import { choiceOpt, flag, hexOpt, intOpt, str, type Args } from "../options.js";
import { loadScenario } from "./replay.js";
import "../../stage1/op.js";

/** --map-size: 4k, 2m, 1g, ... or a byte count (0x-prefixed hex or decimal). */
function mapSizeOpt(args: Args): number | null {
  const s = str(args, "map-size");
  if (s === undefined) return null;
  const m = /^([0-9]+)([kmg])$/i.exec(s.trim());
  if (m) return Number(m[1]) * 1024 ** ("kmg".indexOf(m[2].toLowerCase()) + 1);
  const v = parseU64(s, "--map-size");
  if (v === 0n || v > 1n << 40n) throw new InputError(`--map-size: '${s}' is not a mapping size`);
  return Number(v);
}

/** s2pt fault --esr ...: what KVM does with a guest's stage-2 abort, per era; with --scenario, replayed on the table. */
export function faultCommand(y: Argv, ctx: CliContext): Argv {
  return y.command(
    "fault",
    "what KVM does with a guest's stage-2 abort: the path through kvm_handle_guest_abort() and user_mem_abort() with the kernel function of each decision, per kernel era; with --scenario, the walk of the faulting IPA and the op KVM issues replayed on the table (leaf, TLBI and CMO events)",
    (b) =>
      b
        .option("esr", { type: "string", describe: "ESR_EL2, hex (0x-prefixed or bare): a Data or Instruction Abort from the guest (EC 0x24 / 0x20)", demandOption: true })
        .option("far", { type: "string", describe: "FAR_EL2, the guest VA (its [11:0] complete an MMIO address)" })
        .option("hpfar", { type: "string", describe: "HPFAR_EL2 (or KVM's copy, NS set): the fault IPA is FIPA << 12" })
        .option("ipa", { type: "string", describe: "the fault IPA as the kvm_guest_fault trace prints it (instead of --hpfar)" })
        .option("scenario", { type: "string", describe: "the stage-2 table the guest faulted on: a scenario's final table (FORMAT.md); its config gives the granule, IPA and PA sizes and FWB" })
        .option("era", { type: "string", default: "mainline", describe: "pre (<= v6.8), v1, v6.9, mainline (6.18), or all" })
        .option("memslot", { type: "string", default: "rw", describe: "the IPA is in a writable memslot (rw), a read-only one (ro, KVM_MEM_READONLY) or none (MMIO)" })
        .option("vma", { type: "string", describe: "the memslot's VMA as explain takes it: anon (default), file, pfnmap, mixedmap" })
        .option("pgprot", { type: "string", describe: "pfnmap/mixedmap: the VMA's memory type (device, noncached, wc, cacheable, tagged)" })
        .option("allow-any-uncached", { type: "boolean", default: false, describe: "VM_ALLOW_ANY_UNCACHED on the VMA (vfio-pci BARs)" })
        .option("pfn", { type: "string", describe: "ram or io (default ram for anon/file, io for pfnmap/mixedmap)" })
        .option("dic", { type: "boolean", default: false, describe: "CTR_EL0.DIC = 1" })
        .option("dirty-log", { type: "boolean", default: false, describe: "dirty logging is on for the memslot (live migration)" })
        .option("nisv-to-user", { type: "boolean", default: false, describe: "the VMM enabled KVM_CAP_ARM_NISV_TO_USER" })
        .option("map-size", { type: "string", describe: "the host's mapping size (THP, hugetlb, a PFNMAP block): 4k, 2m, 1g, ... (default PAGE_SIZE)" })
        .option("pa", { type: "string", describe: "the host PA backing the faulting page (default: the table's leaf, or an example address)" })
        .option("granule", { type: "string", describe: "without --scenario: the host PAGE_SIZE, 4k (default), 16k or 64k" })
        .option("ia-bits", { type: "string", describe: "without --scenario: the VM's IPA size (default 40, KVM's default)" })
        .option("pa-bits", { type: "string", describe: "without --scenario: the host PARange, which gives KVM's IPA limit (default 48)" })
        .option("lpa2", { type: "boolean", describe: "without --scenario: FEAT_LPA2 (52-bit IPA limit with 4K/16K)" })
        .option("fwb", { type: "boolean", describe: "without --scenario: FEAT_S2FWB in use (default on; --no-fwb)" })
        .option("ha", { type: "boolean", default: true, describe: "with --scenario: VTCR_EL2.HA for the walk (KVM's setting); an Access flag fault implies --no-ha" })
        .option("json", { type: "boolean", default: false, describe: "machine-readable output" })
        .example("$0 fault --esr 0x93c08007 --far 0xffff800008001000 --hpfar 0x400010 --memslot none", "an MMIO read KVM hands to the VMM (KVM_EXIT_MMIO)")
        .example("$0 fault --esr 0x92000047 --hpfar 0x400010 --scenario test/fixtures/shared/conformance/scenarios/map-page-4k-rw.json", "a write to an unmapped page: user_mem_abort() maps it, replayed on the table")
        .example("$0 fault --esr 0x8200000f --ipa 0x40000000 --vma pfnmap --era all", "an instruction fetch from device memory, every era"),
    (args: Args) =>
      ctx.guard(() => {
        const esrText = str(args, "esr");
        if (esrText === undefined) throw new InputError("--esr: required");
        const esr = hexOpt(args, "esr", true) ?? 0n;
        abortFacts(esr); // refuse a syndrome that is not a guest abort before anything else
        const regs: AbortRegs = { esr, far: hexOpt(args, "far", true) ?? null, hpfar: hexOpt(args, "hpfar", true) ?? null, ipa: hexOpt(args, "ipa", true) ?? null };
        if (regs.hpfar !== null && regs.ipa !== null) throw new InputError("--hpfar and --ipa: give one (both name the fault IPA)");
        const eras = parseEras(str(args, "era") ?? "mainline");
        const memslot = choiceOpt(args, "memslot", ["rw", "ro", "none"] as const) ?? ("rw" as MemslotKind);
        const vmaText = str(args, "vma");
        if (memslot === "none" && (vmaText !== undefined || str(args, "pgprot") !== undefined || str(args, "pfn") !== undefined || flag(args, "allow-any-uncached"))) {
          throw new InputError("--vma: no memslot (--memslot none) has no VMA: --vma, --pgprot, --pfn and --allow-any-uncached describe a memslot's backing");
        }
        const pgprotText = str(args, "pgprot");
        const host = vmaInputs(parseVmaKind(vmaText ?? "anon"), pgprotText === undefined ? undefined : parsePgprot(pgprotText), flag(args, "allow-any-uncached"), choiceOpt(args, "pfn", ["ram", "io"] as const));

        // The table, or the VM's shape from the options.
        const scenarioPath = str(args, "scenario");
        let granule: Granule;
        let iaBits: number;
        let paBits: number;
        let lpa2: boolean;
        let fwb: boolean;
        let src: TableSource | null = null;
        if (scenarioPath !== undefined) {
          for (const o of ["granule", "ia-bits", "pa-bits"]) if (str(args, o) !== undefined) throw new InputError(`--${o}: the scenario's table sets it (${scenarioPath} config)`);
          for (const o of ["lpa2", "fwb"]) if (args[o] !== undefined) throw new InputError(`--${o === "fwb" ? "fwb/--no-fwb" : o}: the scenario's table sets it (${scenarioPath} config)`);
          const scn = loadScenario(scenarioPath);
          ({ granule, iaBits, paBits, lpa2, fwb } = scn.config);
          src = { describe: scenarioPath, load: () => replay(scn).pgt };
        } else {
          granule = parseGranule(str(args, "granule") ?? "4k", "--granule");
          iaBits = intOpt(args, "ia-bits", 32, 52) ?? 40;
          paBits = intOpt(args, "pa-bits", 32, 52) ?? 48;
          if (!(PARANGE_BITS as readonly number[]).includes(paBits)) throw new InputError(`--pa-bits: ${paBits} is not a PARange size (${PARANGE_BITS.join(", ")})`);
          lpa2 = flag(args, "lpa2");
          fwb = args.fwb !== false;
        }
        const c: AbortConfig = {
          granule,
          iaBits,
          ipaLimit: ipaLimit(granule, paBits, lpa2),
          memslot,
          dirtyLog: flag(args, "dirty-log"),
          nisvToUser: flag(args, "nisv-to-user"),
          host,
          cpu: { fwb, dic: flag(args, "dic") },
          mapSize: mapSizeOpt(args),
          pa: hexOpt(args, "pa") ?? null,
        };
        checkAbortConfig(c);

        const lookupTable = src ? src.load() : null;
        const leafAt = lookupTable ? (ipa: bigint) => tableLeafAt(lookupTable, ipa) : null;
        const results = eras.map((era) => {
          const path = kvmHandleGuestAbort(era, regs, c, leafAt);
          const rep = src && path.ipa !== null && (path.op !== null || path.outcome.kind !== "sea") ? replayAbort(path, regs, src, args.ha !== false, c.cpu.dic) : null;
          return { path, rep };
        });
        if (flag(args, "json")) {
          const hex = (v: bigint | null): string | null => (v === null ? null : "0x" + v.toString(16));
          ctx.print(
            JSON.stringify(
              {
                esr: decodeEsr(esr, 2),
                far: hex(regs.far),
                hpfar: hex(regs.hpfar),
                ipa: hex(regs.ipa),
                table: src ? src.describe : null,
                paths: results.map((r) => abortPathJson(r.path, r.rep)),
              },
              null,
              2,
            ),
          );
          return;
        }
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
      }),
  );
}
