/**
 * docs/reference/registers.md (npm run docs): every register `s2pt reg`
 * decodes, field by field, from the definitions in src/regs (the ones the
 * walker, kvm_get_vtcr(), the guest configuration and PAR_EL1 encode with),
 * the exception classes, the fault status codes, and one decoded example per
 * register. Nothing here is typed by hand but the prose.
 */

import { hex } from "../../src/pgtable/u64.js";
import { DABT_ISS2_LAYOUT, EC_TABLE, ESR, esrLayout } from "../../src/regs/esr.js";
import { bitsText, width, type FieldDef, type Layout } from "../../src/regs/field.js";
import { FSC_TABLE } from "../../src/regs/fsc.js";
import { farLayout } from "../../src/regs/far.js";
import { HPFAR_LAYOUT } from "../../src/regs/hpfar.js";
import { MMFR0_LAYOUT, MMFR1_LAYOUT, MMFR2_LAYOUT } from "../../src/regs/idregs.js";
import { mairLayout } from "../../src/regs/mair.js";
import { PAR_FAULT_LAYOUT, PAR_SUCCESS_LAYOUT } from "../../src/regs/par.js";
import { SCTLR_LAYOUT } from "../../src/regs/sctlr.js";
import { HCR_LAYOUT } from "../../src/regs/hcr.js";
import { TCR_LAYOUT } from "../../src/regs/tcr.js";
import { VTCR_LAYOUT } from "../../src/regs/vtcr.js";
import { VTTBR_LAYOUT } from "../../src/regs/vttbr.js";
import { REGISTERS, decodeRegister } from "../../src/kvm/registers.js";

function row(cells: readonly (string | number)[]): string {
  return `| ${cells.map((c) => String(c).replace(/\|/g, "\\|")).join(" | ")} |`;
}

function values(f: FieldDef): string {
  if (!f.values) return "";
  return Object.entries(f.values)
    .map(([k, v]) => `${width(f) === 1 ? k : `0b${Number(k).toString(2).padStart(width(f), "0")}`} ${v}`)
    .join("; ");
}

function fieldTable(l: Layout | readonly FieldDef[]): string[] {
  const fields = "fields" in l ? l.fields : l;
  const out = [row(["bits", "field", "description", "encodings"]), row(["---", "---", "---", "---"])];
  for (const f of fields) out.push(row([bitsText(f), f.kind === "field" ? `\`${f.name}\`` : f.name, f.doc, values(f)]));
  return out;
}

/** The layouts each register is documented with, and an example value (a value KVM or Linux writes, or a real syndrome). */
const DOC: ReadonlyArray<{ name: string; layouts: Array<[string, Layout | readonly FieldDef[]]>; example: bigint; why: string }> = [
  {
    name: "ESR_EL2",
    layouts: [
      ["common fields", [ESR.RES0_63_56, ESR.ISS2, ESR.EC, ESR.IL, ESR.ISS]],
      ["ISS of a Data Abort (EC 0x24, 0x25) with ISV = 1", esrLayout(0x93c08007n).fields.filter((f) => f.hi < 25)],
      ["ISS of a Data Abort with ISV = 0 (bits 23:14 differ)", esrLayout(0x92000047n).fields.filter((f) => f.hi < 25 && f.lo >= 14)],
      ["ISS2 of a Data Abort (ESR bits 55:32)", DABT_ISS2_LAYOUT],
      ["ISS of an Instruction Abort (EC 0x20, 0x21)", esrLayout(0x82000006n).fields.filter((f) => f.hi < 25)],
      ["ISS of a trapped MSR, MRS or System instruction (EC 0x18)", esrLayout(0x62300421n).fields.filter((f) => f.hi < 25)],
      ["ISS of HVC, SMC and SVC in AArch64 state (EC 0x16, 0x17, 0x15)", esrLayout(0x5a000000n).fields.filter((f) => f.hi < 25)],
      ["ISS of a trapped WFI/WFE/WFIT/WFET (EC 0x01)", esrLayout(0x07e00001n).fields.filter((f) => f.hi < 25)],
      ["ISS of an SError (EC 0x2F, IDS = 0)", esrLayout(0xbe000011n).fields.filter((f) => f.hi < 25)],
      ["ISS of BRK (EC 0x3C)", esrLayout(0xf2000800n).fields.filter((f) => f.hi < 25)],
    ],
    example: 0x93c08007n,
    why: "a stage-2 Data Abort with an instruction syndrome, as an MMIO read leaves it",
  },
  { name: "ESR_EL1", layouts: [], example: 0x96000045n, why: "the classic guest-kernel oops syndrome (the same layout as ESR_EL2)" },
  { name: "HPFAR_EL2", layouts: [["fields", HPFAR_LAYOUT]], example: 0x400010n, why: "the IPA page 0x40001000" },
  { name: "FAR_EL2", layouts: [["fields", farLayout(2)]], example: 0xffff800008001008n, why: "a guest kernel VA" },
  { name: "FAR_EL1", layouts: [], example: 0x1234n, why: "(the same layout as FAR_EL2)" },
  {
    name: "PAR_EL1",
    layouts: [
      ["F = 0: the translation succeeded", PAR_SUCCESS_LAYOUT],
      ["F = 1: the translation aborted", PAR_FAULT_LAYOUT],
    ],
    example: 0xff00000080000b80n,
    why: "Normal Write-Back at PA 0x80000000, Inner Shareable",
  },
  {
    name: "VTCR_EL2",
    layouts: [["fields", VTCR_LAYOUT]],
    example: 0x802a3558n,
    why: "the value kvm_get_vtcr() writes for a 4K, 40-bit IPA, 40-bit PA stage 2 (with HA and 16-bit VMIDs)",
  },
  { name: "VTTBR_EL2", layouts: [["fields", VTTBR_LAYOUT]], example: 0x0001000080000000n, why: "VMID 1, root table at 0x80000000" },
  {
    name: "MAIR_EL1",
    layouts: [["fields", mairLayout(1)]],
    example: 0x000000040044f0ffn,
    why: "Linux's MAIR_EL1 (MT_NORMAL, MT_NORMAL_TAGGED, MT_NORMAL_NC, MT_DEVICE_nGnRnE, MT_DEVICE_nGnRE)",
  },
  { name: "TCR_EL1", layouts: [["fields", TCR_LAYOUT]], example: 0x1d5b5193519n, why: "39-bit VAs with 4K pages, 48-bit IPS, 16-bit ASIDs, HA and HD" },
  { name: "SCTLR_EL1", layouts: [["fields", SCTLR_LAYOUT]], example: 0x30d0199dn, why: "MMU and caches on" },
  { name: "HCR_EL2", layouts: [["fields", HCR_LAYOUT]], example: 0x400c807c663fn, why: "KVM's HCR_GUEST_FLAGS with FWB and VHE" },
  { name: "ID_AA64MMFR0_EL1", layouts: [["fields", MMFR0_LAYOUT]], example: 0x101125n, why: "48-bit PA, 16-bit ASIDs, all granules" },
  { name: "ID_AA64MMFR1_EL1", layouts: [["fields", MMFR1_LAYOUT]], example: 0x10312122n, why: "HAFDBS with dirty state, 16-bit VMIDs, VHE, PAN3, XNX" },
  { name: "ID_AA64MMFR2_EL1", layouts: [["fields", MMFR2_LAYOUT]], example: 0x21010002000001n, why: "FWB, TTL, BBM level 2, NV2, CnP" },
];

export function renderRegistersDoc(): string {
  const out: string[] = [
    "# System registers `s2pt reg` decodes",
    "",
    "Generated by `npm run docs` from `src/regs` (one definition per field) and `src/kvm/registers.ts`; do not edit.",
    "The same definitions encode: the walker's ESR_EL2 and HPFAR_EL2 (`src/walker/fault.ts`), the guest's ESR_EL1",
    "(`src/stage1/fault.ts`), `kvm_get_vtcr()`'s VTCR_EL2 (`src/pgtable/geometry.ts`), the guest's TCR_EL1, MAIR_EL1,",
    "SCTLR_EL1 and HCR_EL2 (`src/stage1/config.ts`) and PAR_EL1's ATTR and SH (`src/mair/par.ts`).",
    "",
    "```sh",
    "npx s2pt reg esr 0x93c08007          # names are case-insensitive; esr is ESR_EL2",
    "npx s2pt reg VTCR_EL2 0x802a3558 --json",
    "npx s2pt reg --list",
    "```",
    "",
    "Every bit is accounted for: each register's fields cover bits 63:0 once (checked when the module loads), a RES0",
    "bit set or a RES1 bit clear is reported as a problem, and so is a reserved encoding. Sources: the Arm ARM's register",
    "descriptions (DDI 0487, D24.2), Linux's `arch/arm64/tools/sysreg`, `asm/esr.h` and `asm/kvm_arm.h`.",
    "",
    row(["register", "short name", "what"]),
    row(["---", "---", "---"]),
  ];
  for (const r of REGISTERS) out.push(row([r.name, r.aliases.join(", ") || "-", r.title]));
  out.push("");
  for (const d of DOC) {
    const info = REGISTERS.find((r) => r.name === d.name);
    out.push(`## ${d.name}: ${info?.title ?? ""}`, "");
    for (const [title, l] of d.layouts) out.push(`### ${title}`, "", ...fieldTable(l), "");
    const r = decodeRegister(d.name, d.example);
    out.push(`Example, ${d.why}: \`s2pt reg ${d.name} ${hex(d.example)}\` gives *${r.decoded.summary}*.`, "");
  }
  out.push("## Exception classes (ESR_ELx.EC)", "", "Every EC the Arm ARM allocates; the others are unallocated (decoded as a problem).", "");
  out.push(row(["EC", "asm/esr.h", "class", "what KVM does when the guest takes it to EL2"]), row(["---", "---", "---", "---"]));
  for (const e of EC_TABLE)
    out.push(row([`0x${e.ec.toString(16).padStart(2, "0")}`, `ESR_ELx_EC_${e.linux}`, `${e.title}${e.feature ? ` (${e.feature})` : ""}`, e.kvm ?? "-"]));
  out.push("", "## Fault status codes (DFSC, IFSC, PAR_EL1.FST)", "");
  out.push(row(["code", "fault", "level", "feature", "note"]), row(["---", "---", "---", "---", "---"]));
  for (const i of FSC_TABLE) {
    out.push(
      row([
        `0x${i.code.toString(16).padStart(2, "0")} (0b${i.code.toString(2).padStart(6, "0")})`,
        i.title.replace(/, level -?\d$/, ""),
        i.level ?? "-",
        i.feature ?? "-",
        i.dataOnly ? "Data Abort only" : "",
      ]),
    );
  }
  out.push(
    "",
    `The level -1 Address size code is 0x29. The 6.18-era kernel's \`ESR_ELx_FSC_ADDRSZ_nL(-1)\` gives 0x25 (a Granule Protection Fault at level 1), a bug fixed upstream by b877075d0baa after 6.18.25; \`s2pt reg\` notes it on 0x25. KVM reads a level from bits 1:0 (\`ESR_ELx_FSC_LEVEL\`) of the BASE + level codes only.`,
    "",
  );
  return out.join("\n");
}
