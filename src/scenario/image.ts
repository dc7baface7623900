/**
 * Memory image files (docs/memory-images.md): the physical memory a walk
 * reads, from a file, and a scenario's final tables written as one.
 *
 *   raw binary   little-endian bytes from a base PA (given beside the file):
 *                a whole number of 4 KiB frames, the base 4 KiB aligned
 *   JSON pages   { "0xPA": ["0xdesc", ...], ... }: each key a table page's
 *                PA, each value its descriptors, exactly one page of them
 *                (512: 4K, 2048: 16K, 8192: 64K), the PA aligned to that
 *                size; pages may not overlap; memory no page holds does not
 *                exist (a walk that reads it takes an external abort)
 *
 * Both become a PhysMemory marked as an image. The writer (imageOfScenario)
 * puts the stage-2 table pages of a replayed scenario and the guest's
 * stage-1 table pages (at the PAs stage 2 gives them) into one memory, with
 * the register values that walk it exactly as the model's own tables walk.
 */

import { InputError, hex } from "../pgtable/u64.js";
import { checkInstance, checkInt, checkObject, checkString } from "../pgtable/args.js";
import { FRAME_BYTES, PhysMemory } from "../pgtable/physmem.js";
import { KvmPgtable } from "../pgtable/pgtable.js";
import { fieldPrep } from "../regs/field.js";
import { HCR } from "../regs/hcr.js";
import { SCTLR } from "../regs/sctlr.js";
import { VTTBR } from "../regs/vttbr.js";
import { encodeTcr, mairValue, type GuestConfig } from "../stage1/config.js";
import type { BuiltGuest } from "../stage1/builder.js";
import { readJson, jsonPath } from "./jsontext.js";
import { parseU64Field, typeName } from "./jsonfields.js";

/** Descriptors per JSON page, by granule. */
const PAGE_ENTRIES: ReadonlyMap<number, number> = new Map([
  [512, 4096],
  [2048, 16384],
  [8192, 65536],
]);

/** The host is little-endian (the image's byte order): typed arrays then read it as it is. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A raw little-endian image of `bytes` at PA `base`; InputError naming `label` for a size or base the format refuses. */
export function imageFromBinary(bytes: Uint8Array, base: number, label: string): PhysMemory {
  checkInstance(bytes, "bytes", Uint8Array, "a Uint8Array");
  checkInt(base, "base", 0, 2 ** 52 - 1, "a PA below 2^52");
  checkString(label, "label");
  if (bytes.length === 0) throw new InputError(`${label}: is empty: an image holds at least one 4 KiB frame`);
  if (bytes.length % FRAME_BYTES !== 0)
    throw new InputError(`${label}: ${bytes.length} bytes is not a whole number of 4 KiB frames (truncated? an image is whole table pages)`);
  if (base % FRAME_BYTES !== 0) throw new InputError(`--base ${hex(base)}: not aligned to 4 KiB (an image starts on a page)`);
  if (base + bytes.length > 2 ** 52) throw new InputError(`--base ${hex(base)}: the image's ${bytes.length} bytes run past the 52-bit PA space`);
  const words = new Int32Array(bytes.length / 4);
  if (LITTLE_ENDIAN) new Uint8Array(words.buffer).set(bytes);
  else {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < words.length; i++) words[i] = dv.getInt32(i * 4, true);
  }
  const mem = new PhysMemory(true);
  mem.addFrames(base, words);
  return mem;
}

/** A JSON pages image (see the header); InputError naming the JSON path for anything the format refuses. */
export function imageFromJson(text: string): PhysMemory {
  checkString(text, "text");
  if (text.trim() === "") throw new InputError('empty file: expected a JSON image object { "0xPA": ["0xdesc", ...] }');
  const doc = readJson(text);
  const top = doc.value;
  if (typeof top !== "object" || top === null || Array.isArray(top))
    throw new InputError(`top level: expected a JSON object { "0xPA": ["0xdesc", ...] }, got ${typeName(top)}`);
  const mem = new PhysMemory(true);
  const entries = Object.entries(top as Record<string, unknown>);
  if (entries.length === 0) throw new InputError("top level: the image holds no page");
  for (const [key, v] of entries) {
    const path = jsonPath([key]);
    const pa = parseU64Field(key, `${path} (the key)`);
    if (!Array.isArray(v)) throw new InputError(`${path}: expected an array of descriptors ("0x..." strings), got ${typeName(v)}`);
    const size = PAGE_ENTRIES.get(v.length);
    if (size === undefined) throw new InputError(`${path}: ${v.length} descriptors: a page holds 512 (4K), 2048 (16K) or 8192 (64K), all of them given`);
    if (pa % BigInt(size) !== 0n) throw new InputError(`${path} (the key): ${hex(pa)} is not aligned to its ${size / 1024}K page`);
    if (pa + BigInt(size) > 2n ** 52n) throw new InputError(`${path} (the key): ${hex(pa)} is beyond the 52-bit PA space`);
    const words = new Int32Array(size / 4);
    for (let i = 0; i < v.length; i++) {
      const d = parseU64Field(v[i], jsonPath([key, i]));
      words[2 * i] = Number(d & 0xffffffffn) | 0;
      words[2 * i + 1] = Number(d >> 32n) | 0;
    }
    try {
      mem.addFrames(Number(pa), words);
    } catch (e) {
      if (e instanceof InputError) throw new InputError(`${path}: overlaps another page (${e.message.replace(/^physical memory: /, "")})`);
      throw e;
    }
  }
  return mem;
}

/** An image as JSON pages text: one 4K page per line, ascending, zeros as "0x0". */
export function imageToJson(mem: PhysMemory): string {
  checkInstance(mem, "mem", PhysMemory, "a PhysMemory");
  const lines: string[] = [];
  for (const pa of mem.framePas()) {
    const d: string[] = [];
    for (let i = 0; i < FRAME_BYTES / 8; i++) d.push(`"${hex(mem.peek(pa + 8 * i))}"`);
    lines.push(`  "${hex(pa)}": [${d.join(", ")}]`);
  }
  return `{\n${lines.join(",\n")}\n}\n`;
}

/** Most bytes a raw image the writer makes may have (an input file's limit: it has to be read back). */
export const MAX_RAW_IMAGE_BYTES = 16 * 1024 * 1024;

/** An image as raw bytes from its lowest frame to its highest (the gaps zero); InputError when that is more than MAX_RAW_IMAGE_BYTES. */
export function imageToBinary(mem: PhysMemory): { base: number; bytes: Uint8Array } {
  checkInstance(mem, "mem", PhysMemory, "a PhysMemory");
  const pas = mem.framePas();
  if (pas.length === 0) throw new InputError("the image holds no page");
  const base = pas[0];
  const size = pas[pas.length - 1] + FRAME_BYTES - base;
  if (size > MAX_RAW_IMAGE_BYTES)
    throw new InputError(
      `the image's pages span ${hex(size)} bytes (${hex(base)} to ${hex(base + size)}), more than a ${MAX_RAW_IMAGE_BYTES / 1048576} MiB raw image: JSON pages hold it`,
    );
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  for (const pa of pas) {
    for (let i = 0; i < FRAME_BYTES / 8; i++) {
      mem.read64(pa + 8 * i);
      dv.setUint32(pa - base + 8 * i, mem.lo, true);
      dv.setUint32(pa - base + 8 * i + 4, mem.hi, true);
    }
  }
  return { base, bytes: out };
}

/** The register values that walk an image the way the model walks its tables (hex strings, as the CLI takes them). */
export interface ImageRegisters {
  vttbr: string;
  vtcr: string;
  hcr: string;
  /** The guest's registers, when the scenario has a guest. */
  ttbr0?: string;
  ttbr1?: string;
  tcr?: string;
  mair?: string;
  sctlr?: string;
}

/** A scenario's final tables as an image and its registers. */
export interface ScenarioImage {
  mem: PhysMemory;
  registers: ImageRegisters;
}

/** The VMID the writer puts in VTTBR_EL2 (any: no TLB is modelled). */
const IMAGE_VMID = 1;

/** SCTLR_EL1 with the bits s2pt models (M, C, I, WXN) as the guest has them, the rest 0. */
function sctlrValue(cfg: GuestConfig): bigint {
  const b = (x: boolean): number => (x ? 1 : 0);
  return fieldPrep(SCTLR.M, b(cfg.sctlr.m)) | fieldPrep(SCTLR.C, b(cfg.sctlr.c)) | fieldPrep(SCTLR.I, b(cfg.sctlr.i)) | fieldPrep(SCTLR.WXN, b(cfg.sctlr.wxn));
}

/** HCR_EL2 with VM = 1, FWB as the stage-2 table has it, and the guest's DC, DCT, CD, ID, PTW. */
function hcrValue(fwb: boolean, cfg: GuestConfig | null): bigint {
  const b = (x: boolean): number => (x ? 1 : 0);
  let v = fieldPrep(HCR.VM, 1) | fieldPrep(HCR.FWB, b(fwb));
  if (cfg)
    v |=
      fieldPrep(HCR.DC, b(cfg.hcr.dc)) |
      fieldPrep(HCR.DCT, b(cfg.hcr.dct)) |
      fieldPrep(HCR.CD, b(cfg.hcr.cd)) |
      fieldPrep(HCR.ID, b(cfg.hcr.id)) |
      fieldPrep(HCR.PTW, b(cfg.hcr.ptw));
  return v;
}

/**
 * The final stage-2 table of `pgt` (every table page at its PA) and, with a
 * guest, its stage-1 table pages (the frames of its memory, at their PAs),
 * as one image, with the registers that walk it: VTCR_EL2 as
 * kvm_get_vtcr() writes it for the geometry, VTTBR_EL2 with the root
 * table's PA and VMID 1, HCR_EL2 with VM and FWB (and the guest's bits), and
 * the guest's TTBR0/1, TCR, MAIR and SCTLR.
 */
export function imageOfScenario(pgt: KvmPgtable, guest: BuiltGuest | null): ScenarioImage {
  checkInstance(pgt, "pgt", KvmPgtable, "a KvmPgtable");
  if (guest !== null) checkInstance(checkObject(guest, "guest").mem, "guest.mem", PhysMemory, "a GuestMemory");
  const mem = new PhysMemory(true);
  const st = pgt.store;
  for (let page = 0; page < st.bump; page++) {
    if (!st.isAllocated(page)) continue;
    mem.addFrames(st.pagePa(page), st.copyPage(page));
  }
  if (guest) {
    for (const pa of guest.mem.framePas()) {
      if (mem.holds(pa)) throw new InputError(`the guest's memory at ${hex(pa)} is a stage-2 table page too: the image cannot hold both`);
      const words = new Int32Array(FRAME_BYTES / 4);
      for (let i = 0; i < FRAME_BYTES / 8; i++) {
        guest.mem.read64(pa + 8 * i);
        words[2 * i] = guest.mem.lo | 0;
        words[2 * i + 1] = guest.mem.hi | 0;
      }
      mem.addFrames(pa, words);
    }
  }
  const root = BigInt(st.pagePa(pgt.pgd));
  const vttbr = fieldPrep(VTTBR.VMID, IMAGE_VMID) | root;
  const cfg = guest ? guest.config : null;
  const registers: ImageRegisters = { vttbr: hex(vttbr), vtcr: pgt.geom.vtcr.value, hcr: hex(hcrValue(pgt.fwb, cfg)) };
  if (cfg) {
    registers.ttbr0 = hex(cfg.ttbr0);
    registers.ttbr1 = hex(cfg.ttbr1);
    registers.tcr = hex(encodeTcr(cfg.tcr));
    registers.mair = hex(mairValue(cfg.mair));
    registers.sctlr = hex(sctlrValue(cfg));
  }
  return { mem, registers };
}
