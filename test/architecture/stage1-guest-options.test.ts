// The combine's controls of a guest access (guestCombineOptions): each
// HCR_EL2 / SCTLR_EL1 bit goes to the control of the same name (ASL:
// HCR_EL2.CD/DC/DCT/ID, SCTLR_EL1.C/I), FWB is the stage-2 table's, and an
// instruction fetch is the only access with ifetch.
import { describe, expect, it } from "vitest";
import { guestCombineOptions } from "../../src/stage1/guest.js";
import type { GuestConfig } from "../../src/stage1/config.js";
import { ACCESS_EXEC, ACCESS_READ, ACCESS_WRITE } from "../../src/walker/fault.js";

function cfg(hcr: Partial<GuestConfig["hcr"]>, sctlr: Partial<GuestConfig["sctlr"]>): GuestConfig {
  return {
    tcr: {
      t0sz: 25,
      t1sz: 25,
      tg0: 4096,
      tg1: 4096,
      ips: 48,
      epd0: false,
      epd1: false,
      tbi0: false,
      tbi1: false,
      hpd0: false,
      hpd1: false,
      ha: false,
      hd: false,
    },
    mair: new Uint8Array(8),
    ttbr0: 0n,
    ttbr1: 0n,
    sctlr: { m: true, c: true, i: true, wxn: false, ...sctlr },
    hcr: { dc: false, dct: false, cd: false, id: false, ptw: false, ...hcr },
  };
}

describe("guestCombineOptions", () => {
  it("all clear, a data read, FWB off", () => {
    expect(guestCombineOptions(cfg({}, {}), false, ACCESS_READ)).toEqual({
      fwb: false,
      ifetch: false,
      hcrCD: false,
      hcrDC: false,
      hcrDCT: false,
      hcrID: false,
      sctlrC: true,
      sctlrI: true,
    });
  });
  it("each bit to its own control; a write is a data access, a fetch is ifetch; FWB passed through", () => {
    expect(guestCombineOptions(cfg({ cd: true }, {}), true, ACCESS_WRITE)).toMatchObject({ fwb: true, ifetch: false, hcrCD: true, hcrDC: false, hcrID: false });
    expect(guestCombineOptions(cfg({ dc: true, dct: true }, {}), false, ACCESS_READ)).toMatchObject({ hcrCD: false, hcrDC: true, hcrDCT: true });
    expect(guestCombineOptions(cfg({ id: true }, {}), false, ACCESS_EXEC)).toMatchObject({ ifetch: true, hcrID: true, hcrCD: false });
    expect(guestCombineOptions(cfg({}, { c: false }), false, ACCESS_READ)).toMatchObject({ sctlrC: false, sctlrI: true });
    expect(guestCombineOptions(cfg({}, { i: false }), false, ACCESS_EXEC)).toMatchObject({ sctlrC: true, sctlrI: false });
  });
});
