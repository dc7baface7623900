// Property: a memory image the model writes from a scenario's final table
// (src/scenario/image.ts, read back from its JSON text, the registers taken
// as raw values) walks to exactly the results of walking the model's own
// table: every leaf and every fault (every entry of every table page, its
// first and last IPA), for every access and EL, for every conformance
// scenario, random scenarios and the two-stage examples (every VA the guest
// maps, its first and last byte, through both stages).
import fc from "fast-check";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseScenarioText } from "../../src/scenario/format.js";
import { replayTable } from "../../src/scenario/replay.js";
import { S2Walker } from "../../src/walker/translate.js";
import { FAULT_NONE } from "../../src/walker/fault.js";
import { builtGuest, guestOf, nestedWalker } from "../../src/stage1/guest.js";
import { concretize, rawScenarioArb } from "../../tools/fuzz/arbitraries.js";
import { imageWorld, probeIpas, sameS2Walk } from "../helpers-image.js";
import { PROPERTY_SEED, SEED_TAG, propertyRuns } from "./seed.js";

const SCENARIOS = "test/fixtures/shared/conformance/scenarios";

describe(`an image written from a scenario walks as the model's own table${SEED_TAG}`, () => {
  it("every conformance scenario: every entry's first and last IPA, every access and EL", () => {
    const files = readdirSync(SCENARIOS).filter((f) => f.endsWith(".json"));
    expect(files.length).toBeGreaterThanOrEqual(69);
    let probes = 0;
    for (const f of files) {
      const scn = parseScenarioText(readFileSync(join(SCENARIOS, f), "utf8"));
      const pgt = replayTable(scn);
      const model = new S2Walker(pgt);
      const img = imageWorld(pgt, null);
      for (const ipa of probeIpas(pgt)) sameS2Walk(model, img.s2, ipa, f);
      probes += probeIpas(pgt).length;
    }
    expect(probes).toBeGreaterThan(69 * 4);
  });

  it("random scenarios (every op kind, every geometry)", () => {
    let leaves = 0;
    fc.assert(
      fc.property(rawScenarioArb(20), (raw) => {
        const scn = concretize(raw, "image");
        const pgt = replayTable(scn);
        const model = new S2Walker(pgt);
        const img = imageWorld(pgt, null);
        for (const ipa of probeIpas(pgt, 1500)) {
          sameS2Walk(model, img.s2, ipa, "random");
          if (model.translate(ipa, 0, 1) === FAULT_NONE) leaves++;
        }
      }),
      { numRuns: propertyRuns(60), seed: PROPERTY_SEED },
    );
    expect(leaves).toBeGreaterThan(0);
  });

  it("the two-stage examples: every guest mapping's first and last byte through both stages", () => {
    let walked = 0;
    for (const f of readdirSync("examples").filter((x) => x.endsWith(".json"))) {
      const scn = parseScenarioText(readFileSync(join("examples", f), "utf8"));
      if (scn.guest === null) continue;
      const pgt = replayTable(scn);
      const guest = builtGuest(pgt) ?? guestOf(pgt, scn.guest, f);
      const model = nestedWalker(guest, new S2Walker(pgt));
      const img = imageWorld(pgt, guest);
      const nested = img.nested;
      expect(nested, f).not.toBeNull();
      if (nested === null) continue;
      const vas: bigint[] = [0n, 0xffff_ffff_ffff_f000n];
      for (const m of scn.guest.mappings) {
        vas.push(m.va, m.va + BigInt(m.size) - 1n, m.va + BigInt(m.size));
      }
      for (const va of vas) {
        for (let access = 0; access <= 2; access++) {
          for (let el = 0; el <= 1; el++) {
            const lo = Number(va & 0xffffffffn);
            const hi = Number(va >> 32n);
            const a = model.translate(lo, hi, access, el);
            const b = nested.translate(lo, hi, access, el);
            const key = (w: typeof model, r: number): unknown[] => [
              r,
              w.faultStage,
              w.faultLevel,
              w.s1ptw,
              w.faultIpa,
              w.ipa,
              r === FAULT_NONE ? w.pa : -1,
              w.leafLo,
              w.leafHi,
              w.s1Attr,
              w.s1Sh,
            ];
            expect(key(nested, b), `${f} VA 0x${va.toString(16)} access ${access} EL${el}`).toEqual(key(model, a));
            walked++;
          }
        }
      }
    }
    expect(walked).toBeGreaterThanOrEqual(3 * 6 * 5);
  });
});
