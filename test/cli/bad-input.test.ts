// Bad input, across the commands and scenario files: every case gets a
// non-zero exit, exactly one line on stderr that names the input and says
// why, no stack trace, and nothing on stdout. The scenario files are written
// to a temporary directory here; each is a valid scenario but for one defect.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import { COMMANDS } from "../../src/cli/commands/index.js";
import type { OptionSpec, ValueKind } from "../../src/cli/spec.js";
import { repoRoot } from "../helpers.js";

const dir = mkdtempSync(join(tmpdir(), "s2pt-bad-"));
const CONFIG = { granule: 4096, ia_bits: 40, pa_bits: 48, lpa2: false, fwb: true, tlb_range: false };
const MAP = { op: "map", ipa: "0x40000000", size: "0x1000", pa: "0x80000000", prot: "R", flags: "" };

/** Write a scenario file (text, or a document: config and ops default to a valid one-op scenario). */
function file(name: string, body: string | Buffer | Record<string, unknown>): string {
  const path = join(dir, name);
  const doc = typeof body === "string" || Buffer.isBuffer(body) ? body : JSON.stringify({ name, config: CONFIG, ops: [MAP], ...body });
  writeFileSync(path, doc);
  return path;
}
const withConfig = (c: Record<string, unknown>): Record<string, unknown> => ({ config: { ...CONFIG, ...c } });
const withOp = (op: Record<string, unknown>): Record<string, unknown> => ({ ops: [op] });
const withMap = (fields: Record<string, unknown>): Record<string, unknown> => withOp({ ...MAP, ...fields });
const empty = mkdtempSync(join(tmpdir(), "s2pt-empty-"));

const scnPathEarly = (f: string): string => join(repoRoot, "test", "fixtures", "shared", "conformance", "scenarios", f);

// [what, argv, what stderr must say (the input named, and why)]
const CASES: Array<[string, string[], RegExp]> = [
  // decode / encode / geometry: values given directly
  ["malformed hex descriptor", ["decode", "0x12g4"], /descriptor: '0x12g4' is not a 0x-prefixed hex number/],
  ["hex with no digits", ["decode", "0x"], /descriptor: '0x' is not a 0x-prefixed hex number/],
  ["negative hex descriptor", ["decode", "-0x1"], /'-0x1' is negative/],
  ["negative decimal descriptor", ["decode", "-5"], /descriptor: '-5' is negative/],
  ["descriptor over 64 bits", ["decode", "0x1ffffffffffffffff"], /descriptor: '0x1ffffffffffffffff' does not fit in 64 bits/],
  ["descriptor missing", ["decode"], /decode: missing its argument/],
  ["level not a number", ["decode", "0x1", "--level", "two"], /--level: 'two' is not a number \(decimal, 0x-prefixed hex or 0b-prefixed binary\)/],
  ["level out of range", ["decode", "0x1", "--level", "4"], /--level: 4 is out of range \(-1\.\.3\)/],
  ["level -1 without 4K LPA2", ["decode", "0x1", "--level", "-1"], /--level: level -1 exists only with a 4K granule and FEAT_LPA2/],
  ["level 0 with a 64K granule", ["decode", "0x1", "--granule", "64k", "--level", "0"], /--level: a 64K granule has no level 0/],
  ["PA size that is no PARange", ["decode", "0x1", "--pa-bits", "50"], /--pa-bits: 50 is not a PARange size/],
  ["option without its value", ["decode", "0x1", "--granule"], /--granule: needs a value/],
  ["granule that does not exist", ["decode", "0x1", "--granule", "8k"], /--granule: '8k' is not a granule/],
  ["LPA2 with a 64K granule", ["decode", "0x1", "--granule", "64k", "--lpa2"], /--lpa2: FEAT_LPA2 descriptors exist for 4K and 16K granules only/],
  ["unknown option", ["decode", "0x1", "--frob"], /decode: unknown option '--frob' \(s2pt decode --help lists the options\)/],
  ["negative PA", ["encode", "--pa", "-0x1000", "--level", "3", "--prot", "R"], /--pa: '-0x1000' is negative/],
  ["PA over 64 bits", ["encode", "--pa", "0x10000000000000000", "--level", "3", "--prot", "R"], /--pa: '0x10000000000000000' does not fit in 64 bits/],
  ["PA beyond the PA range", ["encode", "--pa", "0x1000000000000", "--level", "3", "--prot", "R"], /--pa: 0x1000000000000 is beyond the 48-bit PA range/],
  [
    "PA not aligned to the block",
    ["encode", "--pa", "0x80001000", "--level", "2", "--prot", "R"],
    /--pa: 0x80001000 is not aligned to the level-2 leaf size 0x200000/,
  ],
  ["PA given twice", ["encode", "--pa", "0x1000", "--pa", "0x2000", "--level", "3", "--prot", "R"], /--pa: given more than once/],
  ["leaf level with no blocks", ["encode", "--pa", "0x0", "--level", "0", "--prot", "R"], /--level: KVM maps leaves at levels 1\.\.3 with a 4K granule/],
  ["unknown prot name", ["encode", "--pa", "0x1000", "--level", "3", "--prot", "R|RW"], /--prot: unknown prot name 'RW'/],
  ["empty prot name between bars", ["encode", "--pa", "0x1000", "--level", "3", "--prot", "R||W"], /--prot: unknown prot name ''/],
  ["prot missing", ["encode", "--pa", "0x1000", "--level", "3"], /--prot: required/],
  ["prot the kernel refuses (exit 1)", ["encode", "--pa", "0x1000", "--level", "3", "--prot", "DEVICE|X"], /prot: stage2_set_prot_attr\(\) returns -EINVAL/],
  ["IPA size 0 bits", ["geometry", "--ia-bits", "0"], /--ia-bits: 0 is out of range \(32\.\.52\)/],
  ["IPA size below 32 bits", ["geometry", "--ia-bits", "31"], /--ia-bits: 31 is out of range \(32\.\.52\)/],
  ["IPA size not a number", ["geometry", "--ia-bits", "4x"], /--ia-bits: '4x' is not a number \(decimal, 0x-prefixed hex or 0b-prefixed binary\)/],
  [
    "52-bit IPA on 4K without LPA2",
    ["geometry", "--ia-bits", "52"],
    /--ia-bits: 52 exceeds KVM's IPA limit of 48 bits: IPAs above 48 bits with a 4K or 16K granule need FEAT_LPA2/,
  ],
  ["IPA larger than the PA range", ["geometry", "--ia-bits", "44", "--pa-bits", "40"], /--ia-bits: 44 exceeds KVM's IPA limit of 40 bits/],
  [
    "unknown command",
    ["frobnicate"],
    /unknown command 'frobnicate' \(commands: decode, encode, geometry, replay, dump, combine, explain, walk, check, reg, fault, bench, at, image\)/,
  ],
  // files
  ["missing file", ["replay", join(dir, "nope.json")], /nope\.json: no such file/],
  ["a directory given to dump", ["dump", dir], /s2pt-bad-[^:]*: is a directory/],
  ["a directory without scenarios", ["replay", empty], /holds no \.json scenario/],
  ["empty file", ["replay", file("empty.json", "")], /empty\.json: empty file: expected a scenario JSON object/],
  ["whitespace-only file", ["dump", file("blank.json", " \n\t\n")], /blank\.json: empty file/],
  ["truncated JSON", ["replay", file("truncated.json", '{"config": {"granule": 4096, "ia_bi')], /truncated\.json: not valid JSON/],
  ["trailing garbage after the JSON", ["replay", file("trailing.json", JSON.stringify({ config: CONFIG, ops: [] }) + " }")], /trailing\.json: not valid JSON/],
  ["binary file", ["replay", file("binary.json", Buffer.from([0x7b, 0x00, 0x01, 0xfe]))], /binary\.json: is a binary file, not JSON text/],
  ["not UTF-8", ["check", file("latin1.json", Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x7d]))], /latin1\.json: is not UTF-8 text/],
  ["byte-order mark", ["replay", file("bom.json", "\ufeff" + JSON.stringify({ config: CONFIG, ops: [] }))], /bom\.json: starts with a byte-order mark/],
  // scenario documents: wrong types, unknown names, __proto__
  [
    "duplicate top-level key",
    ["replay", file("dup-ops.json", `{"config": ${JSON.stringify(CONFIG)}, "ops": [], "ops": []}`)],
    /dup-ops\.json: top level: duplicate field 'ops' \(JSON keeps only the last one\)/,
  ],
  [
    "duplicate key in an op",
    ["replay", file("dup-ipa.json", `{"config": ${JSON.stringify(CONFIG)}, "ops": [{"op": "get_leaf", "ipa": "0x0", "ipa": "0x1000"}]}`)],
    /dup-ipa\.json: ops\[0\]: duplicate field 'ipa'/,
  ],
  ["top level an array", ["replay", file("array.json", "[]")], /array\.json: top level: expected an object, got an array/],
  [
    "__proto__ at the top level",
    ["replay", file("proto-top.json", `{"__proto__": {"ops": []}, "config": ${JSON.stringify(CONFIG)}, "ops": []}`)],
    /proto-top\.json: top level: unknown field '__proto__'/,
  ],
  [
    "__proto__ in config",
    ["replay", file("proto-config.json", `{"config": {"__proto__": {"memcache": 0}, ${JSON.stringify(CONFIG).slice(1)}, "ops": []}`)],
    /proto-config\.json: config: unknown field '__proto__'/,
  ],
  [
    "__proto__ in an op",
    ["dump", file("proto-op.json", `{"config": ${JSON.stringify(CONFIG)}, "ops": [{"op": "get_leaf", "ipa": "0x0", "__proto__": {"x": 1}}]}`)],
    /proto-op\.json: ops\[0\]: unknown field '__proto__'/,
  ],
  [
    "op named after an Object method",
    ["replay", file("constructor.json", withOp({ op: "constructor", ipa: "0x0" }))],
    /constructor\.json: ops\[0\]\.op: unknown operation 'constructor'/,
  ],
  ["unknown top-level field", ["replay", file("extra.json", { extra: 1 })], /extra\.json: top level: unknown field 'extra'/],
  ["unknown config field", ["replay", file("config-extra.json", withConfig({ pgd_pages: 2 }))], /config-extra\.json: config: unknown field 'pgd_pages'/],
  ["unknown op", ["replay", file("unknown-op.json", withOp({ op: "remap", ipa: "0x0" }))], /unknown-op\.json: ops\[0\]\.op: unknown operation 'remap'/],
  [
    "field of another op",
    ["replay", file("other-field.json", withOp({ op: "get_leaf", ipa: "0x0", size: "0x1000" }))],
    /other-field\.json: ops\[0\]: unknown field 'size' \(allowed: op, ipa\)/,
  ],
  ["missing field", ["replay", file("missing.json", withOp({ op: "unmap", ipa: "0x0" }))], /missing\.json: ops\[0\]: missing field 'size'/],
  ["ops not an array", ["replay", file("ops-object.json", { ops: { op: "map" } })], /ops-object\.json: ops: expected an array, got an object/],
  ["an op that is null", ["replay", file("op-null.json", { ops: [null] })], /op-null\.json: ops\[0\]: expected an object, got null/],
  [
    "granule as a string",
    ["replay", file("granule-string.json", withConfig({ granule: "4096" }))],
    /granule-string\.json: config\.granule: expected 4096, 16384 or 65536, got a string/,
  ],
  [
    "granule that does not exist",
    ["replay", file("granule-8k.json", withConfig({ granule: 8192 }))],
    /granule-8k\.json: config\.granule: expected 4096, 16384 or 65536, got 8192/,
  ],
  [
    "ia_bits not an integer",
    ["replay", file("ia-float.json", withConfig({ ia_bits: 40.5 }))],
    /ia-float\.json: config\.ia_bits: expected an integer, got a number 40\.5/,
  ],
  [
    "lpa2 as a string",
    ["replay", file("lpa2-string.json", withConfig({ lpa2: "yes" }))],
    /lpa2-string\.json: config\.lpa2: expected true or false, got a string/,
  ],
  [
    "unsupported geometry: LPA2 with 64K",
    ["replay", file("lpa2-64k.json", withConfig({ granule: 65536, lpa2: true }))],
    /lpa2-64k\.json: config\.lpa2: FEAT_LPA2 descriptors exist for 4K and 16K granules only/,
  ],
  [
    "unsupported geometry: 52-bit PA on 16K without LPA2",
    ["replay", file("pa52.json", withConfig({ granule: 16384, ia_bits: 48, pa_bits: 52 }))],
    /pa52\.json: config\.pa_bits: 52-bit PAs with a 4K or 16K granule need FEAT_LPA2/,
  ],
  ["negative memcache", ["replay", file("memcache.json", withConfig({ memcache: -1 }))], /memcache\.json: config\.memcache: -1 is outside 0\.\.1073741824/],
  [
    "host cap below the root pages",
    ["replay", file("cap.json", withConfig({ max_table_pages: 1 }))],
    /cap\.json: config\.max_table_pages: 1 cannot hold the 2 root pages/,
  ],
  // addresses and sizes in scenarios
  [
    "address as a JSON number",
    ["replay", file("ipa-number.json", withMap({ ipa: 1073741824 }))],
    /ipa-number\.json: ops\[0\]\.ipa: expected a 0x-prefixed hex string, got a number/,
  ],
  [
    "decimal address string",
    ["replay", file("ipa-decimal.json", withMap({ ipa: "1073741824" }))],
    /ipa-decimal\.json: ops\[0\]\.ipa: '1073741824' is not a 0x-prefixed hex number/,
  ],
  ["negative hex address", ["replay", file("ipa-negative.json", withMap({ ipa: "-0x1000" }))], /ipa-negative\.json: ops\[0\]\.ipa: '-0x1000' is negative$/m],
  [
    "address over 64 bits",
    ["replay", file("ipa-65.json", withMap({ ipa: "0x10000000000000000" }))],
    /ipa-65\.json: ops\[0\]\.ipa: '0x10000000000000000' does not fit in 64 bits/,
  ],
  [
    "PA beyond the 52-bit space",
    ["replay", file("pa-53.json", withMap({ pa: "0x10000000000000" }))],
    /pa-53\.json: ops\[0\]\.pa: '0x10000000000000' is beyond the 52-bit address space/,
  ],
  [
    "range that wraps past 2^64",
    ["replay", file("wrap.json", withMap({ ipa: "0xfffffffffffff000", size: "0x2000" }))],
    /wrap\.json: ops\[0\]: ipa 0xfffffffffffff000 \+ size 0x2000 wraps past 2\^64/,
  ],
  ["unknown prot name in a scenario", ["replay", file("prot.json", withMap({ prot: "R|NC" }))], /prot\.json: ops\[0\]\.prot: unknown prot name 'NC'/],
  [
    "prot as an array",
    ["replay", file("prot-array.json", withMap({ prot: ["R"] }))],
    /prot-array\.json: ops\[0\]\.prot: expected a string of prot names joined by '\|', got an array/,
  ],
  ["unknown walk flag", ["replay", file("flag.json", withMap({ flags: "TABLE_PRE" }))], /flag\.json: ops\[0\]\.flags: unknown walk flag name 'TABLE_PRE'/],
  [
    "owner not an integer",
    ["replay", file("owner.json", withOp({ op: "set_owner", ipa: "0x0", size: "0x1000", owner: 0.5 }))],
    /owner\.json: ops\[0\]\.owner: expected an integer, got a number 0\.5/,
  ],
  [
    "mkold as a string",
    ["replay", file("mkold.json", withOp({ op: "test_clear_young", ipa: "0x0", size: "0x1000", mkold: "true" }))],
    /mkold\.json: ops\[0\]\.mkold: expected true or false, got a string/,
  ],
  // bench: workloads, sizes, geometry, options that do not apply
  [
    "bench: unknown pattern",
    ["bench", "fualt-in"],
    /workload: 'fualt-in' is not a pattern \(fault-in, thp, hugetlb-1g, teardown, dirty-log, mmu-notifier, vfio-bar\) nor a scenario file/,
  ],
  [
    "bench: size beyond the IPA space",
    ["bench", "fault-in", "--size", "2t"],
    /--size: 2 TiB from IPA 0x40000000 ends at 0x20040000000, beyond the 40-bit IPA space \(1 TiB; --ia-bits, --ipa\)/,
  ],
  [
    "bench: BAR beyond the IPA space",
    ["bench", "vfio-bar", "--size", "1t"],
    /--size: 1 TiB from IPA 0x8000000000 ends at 0x18000000000, beyond the 40-bit IPA space/,
  ],
  ["bench: size not a size", ["bench", "fault-in", "--size", "64gb"], /--size: '64gb' is not a size \(4k, 2m, 1g, \.\.\. or a 0x-prefixed byte count\)/],
  ["bench: size as a bare decimal", ["bench", "fault-in", "--size", "4096"], /--size: '4096' is not a size/],
  ["bench: size zero", ["bench", "fault-in", "--size", "0x0"], /--size: 0x0 is not a size \(1 byte \.\. 4 PiB\)/],
  [
    "bench: 1 GiB blocks on a 16K granule",
    ["bench", "hugetlb-1g", "--granule", "16k"],
    /hugetlb-1g: a 16K granule has no 1 GiB block \(KVM_PGTABLE_MIN_BLOCK_LEVEL is 2: its largest block is 32 MiB/,
  ],
  [
    "bench: a mapping size KVM does not use",
    ["bench", "fault-in", "--page-size", "8k"],
    /--page-size: 8 KiB is not a size KVM maps with a 4K granule \(1 GiB, 2 MiB, 4 KiB: PUD_SIZE, PMD_SIZE, PAGE_SIZE\)/,
  ],
  [
    "bench: size not a whole number of mappings",
    ["bench", "thp", "--size", "3m"],
    /--size: 3 MiB is not a whole number of 2 MiB mappings \(thp maps PMD_SIZE blocks\)/,
  ],
  ["bench: IPA not aligned to the mapping", ["bench", "hugetlb-1g", "--ipa", "0x40200000"], /--ipa: 0x40200000 is not aligned to the 1 GiB mapping size/],
  [
    "bench: more calls than a pass may make",
    ["bench", "fault-in", "--size", "256g"],
    /--size: 256 GiB of 4K pages is 67108864 calls; s2pt bench runs at most 33554432 per pass/,
  ],
  [
    "bench: an eager-split chunk KVM refuses",
    ["bench", "dirty-log", "--eager-split", "64k"],
    /--eager-split: 64 KiB is not a chunk size KVM_CAP_ARM_EAGER_SPLIT_CHUNK_SIZE accepts with a 4K granule/,
  ],
  ["bench: an option of another pattern", ["bench", "fault-in", "--dirty", "50"], /--dirty: does not apply to fault-in \(it applies to dirty-log\)/],
  [
    "bench: a pattern option given to a scenario",
    ["bench", scnPathEarly("map-page-4k-rw.json"), "--size", "1g"],
    /--size: applies to a pattern, not to a scenario/,
  ],
  ["bench: --json and --csv", ["bench", "thp", "--json", "--csv"], /--csv: give --json or --csv, not both/],
  ["bench: a switch also compared", ["bench", "teardown", "--fwb", "--compare", "fwb,tlb-range"], /--fwb: also named in --compare/],
  [
    "bench: an unknown switch to compare",
    ["bench", "teardown", "--compare", "fwb,tlbirange"],
    /--compare: 'tlbirange' is not a switch to compare \(fwb, tlb-range, lpa2, dic, eager-split/,
  ],
  [
    "bench: eager-split compared without a chunk",
    ["bench", "dirty-log", "--compare", "eager-split"],
    /--compare: eager-split needs --eager-split <chunk size>/,
  ],
  [
    "bench: a table budget below the root pages",
    ["bench", "thp", "--max-table-pages", "1"],
    /--max-table-pages: 1 cannot hold the 2 root pages of this geometry/,
  ],
  [
    "bench: a table budget above s2pt's limit",
    ["bench", "thp", "--granule", "64k", "--max-table-pages", "5000"],
    /--max-table-pages: 5000 is above s2pt's limit of 4096 table pages/,
  ],
  ["bench: a missing scenario file", ["bench", join(dir, "nope.json")], /nope\.json: no such file/],
  ["bench: the plot into a directory", ["bench", "thp", "--plot", dir], /--plot: .*s2pt-bad-[^:]*: is a directory, not a file to write/],
  ["bench: the plot in a missing directory", ["bench", "thp", "--plot", join(dir, "no-dir", "x.svg")], /--plot: .*x\.svg: no such directory/],
  [
    "bench: the plot onto a device",
    ["bench", "thp", "--plot", "/dev/null"],
    /--plot: \/dev\/null: is a character device, not a regular file: s2pt writes only regular files/,
  ],
  // resource limits
  [
    "map of 2^52 bytes as 4K pages",
    [
      "replay",
      file("huge.json", { config: { ...CONFIG, ia_bits: 52, pa_bits: 52, lpa2: true }, ops: [{ ...MAP, ipa: "0x0", size: "0xfffffffffffff", pa: "0x1000" }] }),
    ],
    /huge\.json: ops\[0\] \(map\): asks for 1099511627776 leaf descriptors \(8 TiB of tables\).*s2pt refuses an operation that may write more than 1048576/,
  ],
];

describe("bad input: one line on stderr naming it, non-zero exit, nothing on stdout", () => {
  it("covers at least 40 inputs", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
  });
  it.each(CASES)("%s", (_, argv, msg) => {
    const r = runCli(argv);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^s2pt: [^\n]+\n$/);
    expect(r.stderr).toMatch(msg);
    expect(r.stderr).not.toMatch(/\bat .*\.(js|ts):\d+/);
  });
});

describe("bad input through the built CLI process", () => {
  const bin = join(repoRoot, "dist", "src", "cli", "main.js");
  it.each([
    ["negative hex", ["decode", "-0x10"]],
    ["truncated JSON", ["replay", join(dir, "truncated.json")]],
    ["2^52 bytes of 4K pages", ["replay", join(dir, "huge.json")]],
    ["bench: unknown pattern", ["bench", "fualt-in"]],
    ["bench: 1 GiB blocks on 64K pages", ["bench", "hugetlb-1g", "--granule", "64k"]],
    ["bench: beyond the IPA space", ["bench", "thp", "--size", "2t", "--reps", "0"]],
  ])("%s: exit 2, one line", (_, argv) => {
    const r = spawnSync(process.execPath, [bin, ...argv], { encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^s2pt: [^\n]+\n$/);
  });
});

// ---------------------------------------------------------------------------------------------
// Every option of every command, generated from the command declarations (src/cli/spec.ts):
// an empty value, a missing value, a value given twice, a malformed and an out-of-range one for
// each kind of value, and every `=value` form of every boolean. A new option or command cannot
// escape this matrix: a command needs a base invocation below, a kind needs its samples.
// ---------------------------------------------------------------------------------------------

const scnPath = (f: string): string => join(repoRoot, "test", "fixtures", "shared", "conformance", "scenarios", f);

/** A valid invocation of each command; the matrix adds or replaces one option at a time. */
const BASE: Record<string, string[]> = {
  decode: ["decode", "0x400000800007db", "--level", "3"],
  encode: ["encode", "--pa", "0x80000000", "--level", "3", "--prot", "R|W"],
  geometry: ["geometry", "--ia-bits", "40"],
  replay: ["replay", scnPath("map-page-4k-rw.json")],
  dump: ["dump", scnPath("map-page-4k-rw.json")],
  combine: ["combine", "--s1", "0xff", "--s2", "0x1"],
  explain: ["explain", "--vma", "anon", "--era", "mainline"],
  walk: ["walk", scnPath("map-page-4k-rw.json"), "--ipa", "0x40000000"],
  check: ["check", scnPath("map-page-4k-rw.json")],
  reg: ["reg", "esr", "0x93c08007"],
  fault: ["fault", "--esr", "0x92000047", "--ipa", "0x40000000"],
  bench: ["bench", "fault-in", "--size", "2m", "--reps", "0"],
  at: ["at", "S12E1R", join(repoRoot, "examples", "at-raw-descriptors.json"), "--va", "0x1000"],
  image: ["image", scnPath("map-page-4k-rw.json")],
};

/** Malformed and out-of-range samples of each kind of value (null: the kind has no range). */
const SAMPLES: Record<ValueKind["kind"], { malformed: string[]; outOfRange: string[] | null }> = {
  u64: { malformed: ["0xzz", "40001000", "0x1_000", "1e3", "0x", "-0x1"], outOfRange: ["0x10000000000000000"] },
  int: { malformed: ["1x", "0xg", "1.5", "one"], outOfRange: [] /* from the declared range, below */ },
  parange: { malformed: ["4x", "forty"], outOfRange: ["31", "33", "45", "50", "53", "0"] },
  mair: { malformed: ["writeback", "0xg"], outOfRange: ["0x100", "256"] },
  memattr: { malformed: ["MT_S2_BOGUS", "0xg"], outOfRange: ["0x10", "16"] },
  sh: { malformed: ["ish2"], outOfRange: ["4", "1"] },
  access: { malformed: ["fetch", "rw"], outOfRange: null },
  granule: { malformed: ["8k", "4kb"], outOfRange: ["8192"] },
  prot: { malformed: ["R|Q", "R||W"], outOfRange: null },
  word: { malformed: ["nonsense"], outOfRange: null },
  path: { malformed: [join(dir, "no-such-file.json")], outOfRange: null },
  output: { malformed: [dir, join(dir, "no-such-dir", "out.svg"), "/dev/null"], outOfRange: null },
};

/** `argv` without `--name value` (or `--name=value`). */
function without(argv: readonly string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === `--${name}`) {
      i++;
      continue;
    }
    if (argv[i].startsWith(`--${name}=`)) continue;
    out.push(argv[i]);
  }
  return out;
}

function samplesOf(v: ValueKind): { malformed: string[]; outOfRange: string[] } {
  const s = SAMPLES[v.kind];
  if (v.kind === "int") return { malformed: s.malformed, outOfRange: [String(v.max + 1), String(v.min - 1), `0x${(v.max + 1).toString(16)}`] };
  return { malformed: s.malformed, outOfRange: s.outOfRange ?? [] };
}

function refused(argv: string[]): { stderr: string } {
  const r = runCli(argv);
  expect([r.code, r.stdout], argv.join(" ")).toEqual([2, ""]);
  expect(r.stderr, argv.join(" ")).toMatch(/^s2pt: [^\n]+\n$/);
  expect(r.stderr).not.toMatch(/\bat .*\.(js|ts):\d+/);
  return r;
}

describe("the option matrix: every option of every command", () => {
  it("every command has a base invocation that runs", () => {
    expect(COMMANDS.map((c) => c.name).sort()).toEqual(Object.keys(BASE).sort());
    for (const c of COMMANDS) expect(runCli(BASE[c.name]).code, c.name).toBe(0);
  });
  const cases: Array<[string, string, OptionSpec]> = COMMANDS.flatMap((c) =>
    Object.entries(c.options).map(([n, s]) => [c.name, n, s] as [string, string, OptionSpec]),
  );
  it("covers every option (70 or more)", () => expect(cases.length).toBeGreaterThanOrEqual(70));

  it.each(cases.filter(([, , s]) => s.type === "boolean"))("%s --%s: only --x, --no-x, --x=true|false", (cmd, name) => {
    const base = without(BASE[cmd], name);
    for (const bad of ["1", "0", "on", "off", "yes", "no", "maybe", "TRUE", ""]) {
      expect(refused([...base, `--${name}=${bad}`]).stderr).toContain(
        `s2pt: --${name}: '${bad}' is not true or false (write --${name}, --no-${name} or --${name}=true|false)`,
      );
    }
    expect(refused([...base, `--no-${name}=true`]).stderr).toMatch(new RegExp(`^s2pt: --no-${name}: takes no value`));
    expect(refused([...base, `--${name}`, `--no-${name}`]).stderr).toBe(`s2pt: --${name}: given more than once\n`);
    for (const good of [`--${name}`, `--no-${name}`, `--${name}=true`, `--${name}=false`]) {
      const r = runCli([...base, good]);
      // Accepted as a boolean: whatever the command then says, it is not about the form of the flag.
      expect(r.stderr, good).not.toMatch(/true or false|takes no value|unknown option/);
    }
    // --x=true and --x mean the same; --x=false and --no-x too.
    expect(runCli([...base, `--${name}=true`])).toEqual(runCli([...base, `--${name}`]));
    expect(runCli([...base, `--${name}=false`])).toEqual(runCli([...base, `--no-${name}`]));
  });

  it.each(cases.filter(([, , s]) => s.type === "string"))("%s --%s: empty, missing, repeated, malformed, out of range", (cmd, name, spec) => {
    const base = without(BASE[cmd], name);
    const kind = spec.value ?? { kind: "path" as const };
    expect(refused([...base, `--${name}=`]).stderr).toBe(`s2pt: --${name}: needs a value (got an empty one)\n`);
    expect(refused([...base, `--${name}`, ""]).stderr).toBe(`s2pt: --${name}: needs a value (got an empty one)\n`);
    expect(refused([...base, `--${name}`, "  "]).stderr).toBe(`s2pt: --${name}: needs a value (got an empty one)\n`);
    expect(refused([...base, `--${name}`]).stderr).toBe(`s2pt: --${name}: needs a value\n`);
    expect(refused([...base, `--${name}`, "--json"]).stderr).toBe(`s2pt: --${name}: needs a value\n`);
    expect(refused([...base, `--${name}=a`, `--${name}=b`]).stderr).toBe(`s2pt: --${name}: given more than once\n`);
    const { malformed, outOfRange } = samplesOf(kind);
    for (const v of [...malformed, ...outOfRange]) {
      const { stderr } = refused([...base, `--${name}`, v]);
      if (kind.kind === "path") expect(stderr).toContain(`${v}: no such file`);
      else expect(stderr, `--${name} ${v}`).toMatch(new RegExp(`^s2pt: --${name}: `));
      // The same through the = form.
      expect(refused([...base, `--${name}=${v}`]).stderr).toBe(stderr);
    }
    if (kind.kind !== "path") {
      // A 100 KB value is cut in the message, not echoed whole.
      const { stderr } = refused([...base, `--${name}`, "9".repeat(100_000)]);
      expect(stderr.length).toBeLessThan(400);
    }
  });

  // BASE gives a command's operands first, in their declared order, then its options.
  const operandCases = COMMANDS.flatMap((c) => (c.operands ?? []).map((op, i) => [c.name, op.name, i, c] as const));
  it("covers every operand (7 or more)", () => expect(operandCases.length).toBeGreaterThanOrEqual(7));
  it.each(operandCases)("%s <%s>: missing, extra, malformed", (cmd, _name, i, c) => {
    const specs = c.operands!;
    const op = specs[i];
    const given = BASE[cmd].slice(1, 1 + specs.length);
    const options = BASE[cmd].slice(1 + specs.length);
    if (!op.optional) {
      // This operand and every required one after it left out.
      const missing = specs.slice(i).filter((o) => !o.optional);
      const names = missing.map((o) => `<${o.name}>`).join(" ");
      expect(refused([cmd, ...given.slice(0, i), ...options]).stderr).toBe(
        `s2pt: ${cmd}: missing its argument${missing.length > 1 ? "s" : ""} ${names} (see s2pt ${cmd} --help)\n`,
      );
    }
    expect(refused([...BASE[cmd], "extra"]).stderr).toMatch(new RegExp(`^s2pt: ${cmd}: unexpected argument 'extra'`));
    const { malformed, outOfRange } = samplesOf(op.value);
    for (const v of [...malformed, ...outOfRange]) {
      const argv = [cmd, ...given];
      argv[1 + i] = v;
      const { stderr } = refused([...argv, ...options]);
      expect(stderr).toMatch(op.value.kind === "path" ? /no such file/ : new RegExp(`^s2pt: ${op.name}: `));
    }
  });
  it("optional operands come after the required ones", () => {
    for (const c of COMMANDS) {
      const ops = c.operands ?? [];
      const firstOptional = ops.findIndex((o) => o.optional);
      if (firstOptional >= 0)
        expect(
          ops.slice(firstOptional).every((o) => o.optional),
          c.name,
        ).toBe(true);
    }
  });
  it("a command with two operands: both named when missing, the extra one after them, a noOperands flag takes none", () => {
    expect(refused(["reg"]).stderr).toBe("s2pt: reg: missing its arguments <register> <value> (see s2pt reg --help)\n");
    expect(refused(["reg", "esr"]).stderr).toBe("s2pt: reg: missing its argument <value> (see s2pt reg --help)\n");
    expect(refused(["reg", "esr", "0x1", "0x2"]).stderr).toBe("s2pt: reg: unexpected argument '0x2' (reg takes <register> <value>; see s2pt reg --help)\n");
    expect(refused(["reg", "--list", "esr"]).stderr).toBe("s2pt: --list: takes no argument ('esr' given: s2pt reg --list, or s2pt reg <register> <value>)\n");
    expect(refused(["reg", "--list", "esr", "0x1"]).stderr).toBe(refused(["reg", "esr", "0x1", "--list"]).stderr);
    expect(runCli(["reg", "--list"]).code).toBe(0);
    expect(runCli(["reg", "--list=false", "esr", "0x1"])).toEqual(runCli(["reg", "esr", "0x1"]));
    // Operands in their order wherever the options are; after -- too.
    expect(runCli(["reg", "--json", "esr", "--xs", "0x93c08007"])).toEqual(runCli(["reg", "esr", "0x93c08007", "--json", "--xs"]));
    expect(runCli(["reg", "--json", "--", "esr", "0x93c08007"])).toEqual(runCli(["reg", "esr", "0x93c08007", "--json"]));
  });
  it("a word that belongs to another command is refused before the operands are counted", () => {
    const hint = "s2pt: descriptor: 'esr' is a register name: s2pt reg ESR_EL2 <value> decodes registers\n";
    expect(refused(["decode", "esr", "0x93c08007"]).stderr).toBe(hint);
    expect(refused(["decode", "esr"]).stderr).toBe(hint);
    expect(refused(["decode", "--level", "3", "ESR_EL2", "0x1", "0x2"]).stderr).toBe(hint.replace("'esr'", "'ESR_EL2'"));
    // Only where the descriptor goes: an extra word is an extra word.
    expect(refused(["decode", "0x1", "esr"]).stderr).toBe("s2pt: decode: unexpected argument 'esr' (decode takes one <descriptor>; see s2pt decode --help)\n");
  });

  it("a command without an operand refuses one, and says how a boolean takes a value", () => {
    expect(refused(["geometry", "40"]).stderr).toMatch(/^s2pt: geometry: unexpected argument '40' \(geometry takes options only/);
    expect(refused(["geometry", "--lpa2", "false"]).stderr).toMatch(/a boolean option takes its value as --name=true\|false/);
  });
  it("unknown options: named as given, with a suggestion, never yargs' camelCase alias", () => {
    expect(refused(["geometry", "--ipa-bits", "40"]).stderr).toBe(
      "s2pt: geometry: unknown option '--ipa-bits' (did you mean --ia-bits or --pa-bits?) (s2pt geometry --help lists the options)\n",
    );
    expect(refused(["geometry", "--iaBits", "40"]).stderr).toMatch(/^s2pt: geometry: unknown option '--iaBits'/);
    expect(refused(["decode", "0x1", "-x"]).stderr).toMatch(/^s2pt: decode: unknown option '-x'/);
    expect(refused(["decode", "0x1", "--no-level"]).stderr).toMatch(/--level takes a value; only a boolean option has a --no- form/);
    expect(refused(["--json", "decode", "0x1"]).stderr).toMatch(/^s2pt: '--json': options come after the command/);
    expect(refused([]).stderr).toBe("s2pt: name a command (s2pt --help lists them)\n");
  });
});

describe("-- ends the options (POSIX)", () => {
  it("s2pt -- decode 0x1 and decode -- 0x1 decode 0x1", () => {
    const want = runCli(["decode", "0x1"]);
    expect(want.code).toBe(0);
    expect(runCli(["--", "decode", "0x1"])).toEqual(want);
    expect(runCli(["decode", "--", "0x1"])).toEqual(want);
    expect(runCli(["decode", "--level", "3", "--", "0x400000800007db"])).toEqual(runCli(["decode", "0x400000800007db", "--level", "3"]));
  });
  it("after --, a word that looks like an option is an operand", () => {
    expect(refused(["decode", "--", "--level"]).stderr).toBe("s2pt: descriptor: '--level' is not a 0x-prefixed hex number\n");
    expect(refused(["decode", "--", "-5"]).stderr).toBe("s2pt: descriptor: '-5' is negative\n");
    expect(refused(["--", "replay", "/nonexistent.json"]).stderr).toBe("s2pt: /nonexistent.json: no such file\n");
    expect(refused(["--", "--help"]).stderr).toMatch(/^s2pt: unknown command '--help'/);
  });
});
