// The library's public entries attacked with odd arguments (issue 15: "the library checks its
// arguments before touching state"): each case below once answered (a garbage result, a 2^20
// configurations blow-up), threw a TypeError or a plain Error from deep inside, or ran out of
// memory. Each is now an InputError (an ArgumentError naming the argument) on one line.
import { describe, expect, it } from "vitest";
import { InputError } from "../../src/pgtable/u64.js";
import {
  DEFAULT_PARAMS,
  MAX_BENCH_RUN_CALLS,
  XorShift32,
  configLabel,
  expandConfigs,
  planPattern,
  planScenario,
  runBench,
  type BenchConfig,
  type PatternParams,
  type WorkloadSpec,
} from "../../src/workload/index.js";
import { firstDivergence, parseScenarioText, replay } from "../../src/scenario/index.js";
import { abortPathJson, decodeRegister, explainEras, formatAbortPath, formatExplain, vmaInputs, type PolicyInputs } from "../../src/kvm/index.js";
import { formatRegister } from "../../src/regs/index.js";
import { formatCombine } from "../../src/mair/index.js";

const CFG: BenchConfig = { granule: 4096, iaBits: 40, paBits: 48, lpa2: false, fwb: true, tlbRange: false, dic: false, eagerSplit: 0 };
const PARAMS: PatternParams = { ...DEFAULT_PARAMS, pattern: "fault-in", size: 0x100000 };

/** `f` throws an InputError whose one-line message matches `msg`. */
function refuses(f: () => unknown, msg: RegExp): void {
  let err: unknown = null;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err, "no refusal: it answered").not.toBeNull();
  expect(err, String(err)).toBeInstanceOf(InputError);
  const m = (err as Error).message;
  expect(m).not.toContain("\n");
  expect(m).toMatch(msg);
}

describe("s2pt/workload: runBench() checks its request", () => {
  const spec = planPattern(PARAMS, [CFG]);
  it("reps and warmup outside 0..99 (a fraction, NaN, -1) are ArgumentErrors naming them, not plain Errors", () => {
    refuses(() => runBench({ spec, maxTablePages: 1000, reps: 0.5, warmup: 0 }), /^req\.reps: 0\.5 is not an integer in 0\.\.99$/);
    refuses(() => runBench({ spec, maxTablePages: 1000, reps: NaN, warmup: 0 }), /^req\.reps: NaN/);
    refuses(() => runBench({ spec, maxTablePages: 1000, reps: 1, warmup: -1 }), /^req\.warmup: -1/);
  });
  it("a spec the planner did not make (hand-made, a copy, altered) is refused, not run as garbage", () => {
    const fake = { workloads: [{}] } as unknown as WorkloadSpec;
    refuses(
      () => runBench({ spec: fake, maxTablePages: 100, reps: 0, warmup: 0 }),
      /^req\.spec: an object is not a WorkloadSpec planPattern\(\) or planScenario\(\) made$/,
    );
    refuses(() => runBench({ spec: { ...spec }, maxTablePages: 100, reps: 0, warmup: 0 }), /^req\.spec:/);
  });
  it("a planned spec is frozen: its phases cannot be altered to ask for 2^40 calls", () => {
    expect(Object.isFrozen(spec) && Object.isFrozen(spec.workloads[0]) && Object.isFrozen(spec.workloads[0].phases[0])).toBe(true);
    expect(() => {
      (spec.workloads[0].phases[0] as { calls: number }).calls = 2 ** 40;
    }).toThrow(TypeError);
    expect(spec.workloads[0].phases[0].calls).toBe(256);
  });
  it("the whole run's calls are bounded before anything runs (MAX_BENCH_RUN_CALLS)", () => {
    // 2^24 faults per pass (64 GiB of 4K pages), 8 passes: 2^27, the limit, passes; 9 passes do not.
    const big = planPattern({ ...PARAMS, size: 2 ** 36 }, [CFG]);
    expect(MAX_BENCH_RUN_CALLS).toBe(2 ** 27);
    refuses(
      () => runBench({ spec: big, maxTablePages: 65536, reps: 7, warmup: 1 }),
      /^--reps 7: 1 configuration, each run 9 times .* 150,994,944 kernel calls in all, beyond s2pt bench's limit of 134,217,728 per run/,
    );
  });
});

describe("s2pt/workload: the planner's arguments", () => {
  it("mmu-notifier ranges beyond 2^20 (once a RangeError: Array buffer allocation failed) and 0 ranges or a 0-byte range are refused", () => {
    refuses(
      () => planPattern({ ...PARAMS, pattern: "mmu-notifier", ranges: 2 ** 32, rangeSize: 4096 }, [CFG]),
      /^params\.ranges: 4294967296 is not an integer in 1\.\.1048576$/,
    );
    refuses(() => planPattern({ ...PARAMS, pattern: "mmu-notifier", ranges: 0, rangeSize: 4096 }, [CFG]), /^params\.ranges: 0 /);
    refuses(() => planPattern({ ...PARAMS, pattern: "mmu-notifier", ranges: 1, rangeSize: 0 }, [CFG]), /^params\.rangeSize: 0 /);
  });
  it("configs: a hole of a sparse array is refused by index (once a TypeError), more than 8 configurations are refused", () => {
    const sparse: BenchConfig[] = new Array<BenchConfig>(3);
    sparse[0] = CFG;
    refuses(() => planPattern(PARAMS, sparse), /^configs\[1\]: undefined is not an object$/);
    refuses(() => planPattern(PARAMS, Array<BenchConfig>(9).fill(CFG)), /^configs: holds 9 configurations; at most 8 run side by side/);
    refuses(() => planPattern(PARAMS, new Array<BenchConfig>(2 ** 24)), /^configs: holds 16777216 configurations/);
  });
  it("dims: a switch named twice and more than three switches are refused (20 x 'fwb' once made 1,048,576 configurations)", () => {
    refuses(() => expandConfigs(CFG, Array(20).fill("fwb") as ["fwb"], 0), /^dims: holds 20 switches; compare at most 3 at once$/);
    refuses(() => expandConfigs(CFG, ["fwb", "fwb"], 0), /^dims\[1\]: "fwb" is named twice$/);
    refuses(() => configLabel(CFG, ["fwb", "fwb"]), /^dims\[1\]: "fwb" is named twice$/);
  });
  it("XorShift32.below(n) takes an integer in 1..2^32 (0 gave 0, NaN gave NaN)", () => {
    const r = new XorShift32(1);
    refuses(() => r.below(0), /^n: 0 is not an integer in 1\.\.4294967296$/);
    refuses(() => r.below(NaN), /^n: NaN /);
    refuses(() => r.below(2 ** 40), /^n: 1099511627776 /);
    expect(r.below(1)).toBe(0);
  });
  it("planScenario refuses a scenario with no kernel op", () => {
    const scn = parseScenarioText(
      JSON.stringify({ name: "x", config: { granule: 4096, ia_bits: 40, pa_bits: 48, lpa2: false, fwb: true, tlb_range: false }, ops: [] }),
    );
    refuses(() => planScenario(scn, [CFG]), /^ops: no kernel op \(map, unmap, \.\.\.\) to benchmark$/);
  });
});

describe("the formatters and the scenario entries refuse objects they did not make", () => {
  const notOurs: ReadonlyArray<[string, unknown]> = [
    ["{}", {}],
    ["a frozen {}", Object.freeze({})],
    ["a Date", new Date(0)],
  ];
  const P = vmaInputsPolicy();
  const O = { granule: 4096, lpa2: false, pa: 0x80000000, level: 3, guest: null } as const;
  it.each(notOurs)("%s: formatRegister, abortPathJson, formatAbortPath, formatCombine, formatExplain (once TypeErrors from inside)", (_w, v) => {
    refuses(() => formatRegister(v as never), /^d: .* is not a DecodedRegister/);
    refuses(() => abortPathJson(v as never, null), /^p(\.era)?: /);
    refuses(() => formatAbortPath(v as never, null), /^p(\.era)?: /);
    refuses(() => formatCombine(v as never), /^r: .* is not a CombineResult/);
    refuses(() => formatExplain([v] as never, P, O), /^xs\[0\]: .* is not an EraExplanation/);
  });
  it("formatExplain(null, ...) and explainEras([], bad, bad) check every argument (once a TypeError, and [] for bad inputs)", () => {
    refuses(() => formatExplain(null as never, P, O), /^xs: null is not a non-empty array/);
    refuses(() => explainEras([], {} as never, O), /^p\.vma: /);
    refuses(() => explainEras(["mainline"], P, {} as never), /^o\.granule: /);
    const sparse = new Array<"mainline">(2);
    refuses(() => explainEras(sparse, P, O), /^eras\[0\]: undefined /);
    expect(explainEras(["mainline"], P, O)).toHaveLength(1);
  });
  it("replay() and friends: an op whose kind is not the op table's own ('toString', '__proto__', unknown, a hole) is an ArgumentError, not a TypeError", () => {
    const scn = parseScenarioText(
      JSON.stringify({ name: "x", config: { granule: 4096, ia_bits: 40, pa_bits: 48, lpa2: false, fwb: true, tlb_range: false }, ops: [] }),
    );
    for (const op of [{ op: "toString" }, { op: "__proto__" }, { op: "frobnicate" }]) {
      refuses(() => replay({ ...scn, ops: [op] } as never), /^scn\.ops\[0\]: an object is not an op of the op table .*: unknown op "/);
    }
    refuses(() => replay({ ...scn, ops: new Array<never>(3) }), /^scn\.ops\[0\]: undefined is not an op of the op table/);
  });
  it("firstDivergence(expected, got, scn) checks got and scn (once a TypeError reading 'length')", () => {
    refuses(() => firstDivergence({}, {} as never, {} as never), /^got: an object is not a ReplayResult/);
    const scn = parseScenarioText(
      JSON.stringify({ name: "x", config: { granule: 4096, ia_bits: 40, pa_bits: 48, lpa2: false, fwb: true, tlb_range: false }, ops: [] }),
    );
    const { result } = replay(scn);
    refuses(() => firstDivergence({}, result, {} as never), /^scn: /);
    expect(firstDivergence(JSON.parse(JSON.stringify(result)), result, scn)).toBeNull();
  });
});

function vmaInputsPolicy(): PolicyInputs {
  return { ...vmaInputs("anon", undefined, false, undefined), fwb: true, dic: false, access: "write" };
}

describe("option objects hold only their own fields: a misspelt one is refused, not ignored for the default", () => {
  it("decodeRegister(name, value, { XS: true }) (the default xs false was used)", () => {
    refuses(() => decodeRegister("mair", 0x40n, { XS: true } as never), /^o\.XS: is not a field of o \(its fields: xs\)$/);
    refuses(() => decodeRegister("mair", 0x40n, { xs: "yes" } as never), /^o\.xs: "yes" is not a boolean/);
    expect(decodeRegister("mair", 0x40n, { xs: true }).decoded.register).toBe("MAIR_EL1");
  });
  it("runBench({ ..., rep: 3 }) and hooks { progres }", () => {
    const spec = planPattern(PARAMS, [CFG]);
    refuses(() => runBench({ spec, maxTablePages: 100, reps: 0, warmup: 0, rep: 3 } as never), /^req\.rep: is not a field of req/);
    refuses(
      () => runBench({ spec, maxTablePages: 100, reps: 0, warmup: 0 }, { progres: () => undefined } as never),
      /^hooks\.progres: is not a field of hooks/,
    );
  });
});

describe("s2pt/kvm registerByName: a long or hostile name", () => {
  it("a 3 MB name is refused at once, shown cut to 80 characters (it took 7 s and echoed all of it)", () => {
    const t0 = Date.now();
    refuses(
      () => decodeRegister("esr".repeat(1e6), 1n),
      /^register: 'esresr.*\.\.\. \(3000000 characters\)' is not a register s2pt decodes \(s2pt reg --list names them\)$/,
    );
    expect(Date.now() - t0).toBeLessThan(2000);
  });
  it("control characters in the name are escaped, not printed", () => {
    refuses(() => decodeRegister("esr\nok fake\x1b[31m", 1n), /^register: 'esr\\nok fake\\x1b\[31m' is not a register/);
  });
});
