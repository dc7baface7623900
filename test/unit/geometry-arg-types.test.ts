// A table's geometry given with a field of the wrong type (a string "4096" from a
// JSON file or a form, say) is refused with the value shown as given: quoted, so
// that "ia_bits: 40 is outside 32..52" cannot be read for a string "40". The
// value's type is the whole fault; the ranges themselves are kernel-reference 3.4
// (ARM64_MIN_PARANGE_BITS = 32, the PARange sizes of ID_AA64MMFR0_EL1).
import { describe, expect, it } from "vitest";
import { InputError } from "../../src/pgtable/u64.js";
import { KvmPgtable } from "../../src/pgtable/pgtable.js";
import { stage2Geometry } from "../../src/pgtable/geometry.js";
import type { Stage2Config } from "../../src/pgtable/geometry.js";

const BASE = { granule: 4096, iaBits: 40, paBits: 48, lpa2: false, fwb: false, tlbRange: false };

function refusal(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error("not refused");
}

describe("a geometry field of the wrong type is refused with the value as given", () => {
  it("granule, ia_bits and pa_bits given as strings", () => {
    const bad = (patch: Record<string, unknown>): Stage2Config => ({ ...BASE, ...patch }) as unknown as Stage2Config;
    expect(refusal(() => new KvmPgtable(bad({ granule: "4096" })))).toBe('granule: "4096" is not 4096, 16384 or 65536');
    expect(refusal(() => new KvmPgtable(bad({ iaBits: "40" })))).toBe(
      'ia_bits: "40" is outside 32..52 (KVM refuses an IPA size below ARM64_MIN_PARANGE_BITS = 32)',
    );
    expect(refusal(() => new KvmPgtable(bad({ paBits: "48" })))).toBe('pa_bits: "48" is not a PARange size (32, 36, 40, 42, 44, 48, 52)');
  });

  it("numbers are shown as before, -0 as -0", () => {
    expect(refusal(() => stage2Geometry({ granule: 8192 as 4096, iaBits: 40, lpa2: false }))).toBe("granule: 8192 is not 4096, 16384 or 65536");
    expect(refusal(() => stage2Geometry({ granule: 4096, iaBits: -0, lpa2: false }))).toBe(
      "ia_bits: -0 is outside 32..52 (KVM refuses an IPA size below ARM64_MIN_PARANGE_BITS = 32)",
    );
    expect(refusal(() => stage2Geometry({ granule: 4096, iaBits: 40, paBits: 47, lpa2: false }))).toBe(
      "pa_bits: 47 is not a PARange size (32, 36, 40, 42, 44, 48, 52)",
    );
  });
});
