/**
 * MAIR_EL1 (and MAIR_EL2), the Memory Attribute Indirection Register: eight
 * Attr<n> bytes, Attr<n> in bits [8n+7:8n], selected by a stage-1
 * descriptor's AttrIndx (Arm ARM D24.2, MAIR_ELx). What each byte means is
 * src/mair/mair.ts's (S1DecodeMemAttrs); this layer only places the bytes.
 */

import { hex } from "../pgtable/u64.js";
import { checkLayout, decodeFields, field, fieldNum, type DecodedRegister, type FieldDef, type Layout } from "./field.js";
import { checkBigU64, checkFunction, checkOneOf } from "../pgtable/args.js";

/** Attr0 .. Attr7. */
export const MAIR_ATTR: readonly FieldDef[] = [0, 1, 2, 3, 4, 5, 6, 7].map((i) =>
  field(`Attr${i}`, 8 * i + 7, 8 * i, `the memory attributes of a stage-1 descriptor with AttrIndx = ${i}`),
);

export function mairLayout(el: 1 | 2 = 1): Layout {
  const l: Layout = { register: `MAIR_EL${el}`, width: 64, fields: [...MAIR_ATTR].reverse() };
  checkLayout(l);
  return l;
}

/** Attr<index> of a MAIR value. */
export function mairAttr(value: bigint, index: number): number {
  return fieldNum(value, MAIR_ATTR[index]);
}

/** MAIR as a register value from eight bytes, Attr0 first. */
export function mairFromBytes(bytes: ArrayLike<number>): bigint {
  let v = 0n;
  for (let i = 0; i < 8; i++) v |= BigInt(bytes[i] & 0xff) << BigInt(MAIR_ATTR[i].lo);
  return v;
}

/**
 * Decode MAIR_EL1 field by field; `describeAttr` words one byte and says
 * whether it is reserved (src/mair's describeMairAttr, passed in by the
 * caller: this layer cannot import it).
 */
export function decodeMair(value: bigint, describeAttr: (attr: number) => { text: string; reserved: boolean }, el: 1 | 2 = 1): DecodedRegister {
  checkBigU64(value, "value");
  checkFunction(describeAttr, "describeAttr");
  checkOneOf(el, "el", [1, 2]);
  const { fields, problems } = decodeFields(mairLayout(el), value, (_f, v) => {
    const d = describeAttr(Number(v));
    return {
      meaning: `0x${Number(v).toString(16).padStart(2, "0")}: ${d.text}`,
      ...(d.reserved ? { problem: `0x${Number(v).toString(16).padStart(2, "0")} is a reserved MAIR encoding (CONSTRAINED UNPREDICTABLE)` } : {}),
    };
  });
  const bytes = MAIR_ATTR.map((f) => fieldNum(value, f).toString(16).padStart(2, "0"));
  return { register: `MAIR_EL${el}`, value: hex(value), width: 64, summary: `Attr0..Attr7 = ${bytes.join(" ")}`, fields, notes: [], problems };
}
