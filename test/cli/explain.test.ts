// s2pt explain: the chain per era, its JSON shape, and bad input.
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import { GUEST_ATTR_NAMES, parseGuestAttr } from "../../src/kvm/guest.js";
import { LINUX_MAIR_ATTRS } from "../../src/mair/mair.js";

// Exit 0 when every era shown maps the fault, 1 when the kernel refuses it in one (README: exit codes).
const json = (args: string[], code = 0): Array<Record<string, unknown>> => {
  const r = runCli(["explain", ...args, "--json"]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(code);
  return JSON.parse(r.stdout) as Array<Record<string, unknown>>;
};

describe("s2pt explain --json", () => {
  it("lists one object per era, in era order, with the documented keys", () => {
    const all = json(["--vma", "pfnmap", "--pgprot", "noncached", "--allow-any-uncached", "--guest", "wc"]);
    expect(all.map((x) => x.era)).toEqual(["pre", "v1", "v6.9", "mainline"]);
    for (const x of all) {
      for (const k of ["era", "prot", "descriptor", "s2_memattr", "combined", "hazards"]) expect(x).toHaveProperty(k);
      expect(Array.isArray(x.hazards)).toBe(true);
    }
    // The GPU BAR mapped write-combining by the guest (kernel-reference.md 6.1; combine per arch-attributes.md 3.5).
    expect(all.map((x) => x.prot)).toEqual(["R|W|DEVICE", "R|W|DEVICE", "R|W|NORMAL_NC", "R|W|NORMAL_NC"]);
    expect(all.map((x) => x.descriptor)).toEqual(["0x400000800007c7", "0x400000800007d7", "0x400000800007d7", "0x400000800007d7"]);
    expect(all.map((x) => (x.s2_memattr as { value: string }).value)).toEqual(["0x1", "0x5", "0x5", "0x5"]);
    expect(all.map((x) => [(x.combined as { attr: number }).attr, (x.combined as { sh: number }).sh])).toEqual([
      [0x04, 2],
      [0x44, 2],
      [0x44, 2],
      [0x44, 2],
    ]);
    expect((all[0].hazards as string[]).map((h) => h.split(":")[0])).toEqual(["wc-lost"]);
    expect(all.slice(1).every((x) => (x.hazards as string[]).length === 0)).toBe(true);
  });
  it("one era", () => {
    const one = json(["--vma", "anon", "--era", "mainline"]);
    expect(one.length).toBe(1);
    expect(one[0]).toMatchObject({ era: "mainline", prot: "R|W", descriptor: "0x400000800007db", error: null });
    expect(one[0]).not.toHaveProperty("combined");
  });
  it("an error: prot null and `error` with the errno and the kernel function", () => {
    const [x] = json(["--vma", "pfnmap", "--pgprot", "cacheable", "--no-fwb", "--era", "mainline"], 1);
    expect(x.prot).toBeNull();
    expect(x.descriptor).toBeNull();
    expect(x.error).toMatchObject({ errno: -22, name: "EINVAL", where: "kvm_arch_prepare_memory_region()" });
    expect((x.hazards as string[])[0]).toMatch(/^cacheable-pfnmap-refused: /);
  });
  it("--guest with an error era gives combined: null", () => {
    const [x] = json(["--vma", "mixedmap", "--pgprot", "cacheable", "--era", "mainline", "--guest", "normal"], 1);
    expect(x.error).toMatchObject({ errno: -14, name: "EFAULT", where: "user_mem_abort()" });
    expect(x.combined).toBeNull();
  });
  it("--level and --pa place the example leaf (a 2 MiB block without FWB: 0x...7fd)", () => {
    const [x] = json(["--vma", "anon", "--era", "pre", "--level", "2", "--pa", "0x40000000", "--no-fwb"]);
    expect(x.descriptor).toBe("0x400000400007fd");
  });
  it("--guest takes the MAIR byte in any small-number form, and a name: all the same answer", () => {
    const byName = json(["--vma", "pfnmap", "--guest", "wc"]);
    for (const form of ["0x44", "0X44", "68", "0b1000100", "MAIR_ATTR_NORMAL_NC", "normal-nc"])
      expect(json(["--vma", "pfnmap", "--guest", form])).toEqual(byName);
  });
  it("exit 1 when one era shown refuses, 0 when none does", () => {
    expect(runCli(["explain", "--vma", "pfnmap", "--pgprot", "cacheable", "--no-fwb"]).code).toBe(1);
    expect(runCli(["explain", "--vma", "pfnmap", "--pgprot", "cacheable", "--no-fwb", "--era", "pre"]).code).toBe(0);
  });
  it("--guest-sh reaches the combine (guest Normal WB NSH, stage 2 ISH: the result is ISH)", () => {
    const [x] = json(["--vma", "anon", "--era", "mainline", "--no-fwb", "--guest", "normal", "--guest-sh", "nsh"]);
    // S2CombineS1Shareability: ISH if either stage is ISH (arch-attributes.md 3.1).
    expect(x.combined).toMatchObject({ attr: 0xff, sh: 3 });
  });
});

describe("s2pt explain text", () => {
  it("--era all prints a compact table and the hazards below", () => {
    const r = runCli(["explain", "--vma", "pfnmap", "--guest", "wc"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    const head = lines.findIndex((l) => l.startsWith("era "));
    expect(lines[head]).toMatch(/^era\s+prot\s+descriptor\s+S2 MemAttr\s+guest -> effective\s+hazards$/);
    expect(lines[head + 1]).toMatch(/^pre\s+R\|W\|DEVICE\s+0x400000800007c7 .* wc-lost$/);
    expect(lines[head + 2]).toMatch(/^v1\s+R\|W\|DEVICE \(written NC\)\s+0x400000800007d7/);
    expect(lines[head + 3]).toMatch(/^v6\.9\s+R\|W\|DEVICE\s+0x400000800007c7 .* wc-lost$/);
    expect(r.stdout).toMatch(/- wc-lost: the guest maps it Normal-NC/);
  });
  it("one era prints the policy steps with their kernel functions", () => {
    const r = runCli(["explain", "--vma", "pfnmap", "--pgprot", "wc", "--access", "exec", "--era", "mainline"]);
    // -ENOEXEC: the kernel refuses the fault, so exit 1 with the explanation on stdout.
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/policy\s+kvm_arch_prepare_memory_region\(\): VM_PFNMAP memslot accepted \(not cacheable\)/);
    expect(r.stdout).toMatch(/\n\s+kvm_vma_is_cacheable\(\): vm_page_prot is MT_NORMAL_NC: not cacheable/);
    expect(r.stdout).toMatch(/error\s+-ENOEXEC \(-8\) from user_mem_abort\(\)/);
    expect(r.stdout).toMatch(/kvm_inject_sea_iabt/);
  });
});

describe("s2pt explain bad input: one line, exit 2, nothing on stdout", () => {
  const bad: Array<[string, string[], RegExp]> = [
    ["unknown --vma", ["--vma", "heap"], /--vma: 'heap' is not one of anon, file, pfnmap, mixedmap/],
    ["--pgprot with anon", ["--vma", "anon", "--pgprot", "wc"], /--pgprot: an anon VMA is always mapped cacheable/],
    ["--pgprot with file", ["--vma", "file", "--pgprot", "device"], /--pgprot: a file VMA is always mapped cacheable/],
    ["unknown --pgprot", ["--vma", "pfnmap", "--pgprot", "uncached"], /--pgprot: 'uncached' is not one of/],
    ["--guest 0x100", ["--vma", "anon", "--guest", "0x100"], /--guest: 0x100 is not a MAIR Attr byte/],
    ["--guest name", ["--vma", "anon", "--guest", "writeback"], /--guest: 'writeback' is neither/],
    ["--guest decimal above a byte", ["--vma", "anon", "--guest", "256"], /--guest: 256 is not a MAIR Attr byte \(0x00\.\.0xff\)/],
    ["--guest with a leading 0", ["--vma", "anon", "--guest", "068"], /--guest: '068' is not a number .*a leading 0 would make it octal/],
    ["unknown era", ["--vma", "anon", "--era", "v6.8"], /--era: 'v6.8' is not one of pre, v1, v6.9, mainline, all/],
    ["anon with --pfn io", ["--vma", "anon", "--pfn", "io"], /--pfn io: an anonymous VMA is backed by RAM pages only/],
    ["unknown --pfn", ["--vma", "pfnmap", "--pfn", "mmio"], /--pfn: 'mmio' is not one of ram, io/],
    ["--allow-any-uncached with anon", ["--vma", "anon", "--allow-any-uncached"], /VM_ALLOW_ANY_UNCACHED is set by drivers/],
    ["--access", ["--vma", "anon", "--access", "fetch"], /--access: 'fetch' is not r \(read\), w \(write\) or x \(execute\)$/m],
    ["--guest-sh 1", ["--vma", "anon", "--guest", "wc", "--guest-sh", "1"], /--guest-sh: SH 0b01 is reserved/],
    ["--guest-sh without --guest", ["--vma", "anon", "--guest-sh", "2"], /--guest-sh: needs --guest/],
    ["--level 0", ["--vma", "anon", "--level", "0"], /--level: KVM maps leaves at levels 1\.\.3/],
    ["unaligned --pa", ["--vma", "anon", "--pa", "0x80000800"], /--pa: 0x80000800 is not aligned/],
    ["missing --vma", [], /vma/],
  ];
  it.each(bad)("%s", (_name, args, re) => {
    const r = runCli(["explain", ...args]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trimEnd().split("\n").length).toBe(1);
    expect(r.stderr).toMatch(re);
  });
});

describe("guest MAIR names", () => {
  it("every named byte is a MAIR_ATTR_* value Linux uses (src/mair LINUX_MAIR_ATTRS)", () => {
    const linux = new Set(LINUX_MAIR_ATTRS.map(([v]) => v));
    for (const g of GUEST_ATTR_NAMES) expect(linux.has(g.attr)).toBe(true);
  });
  it("names, aliases and macros parse to the sysreg.h bytes", () => {
    expect(parseGuestAttr("wc")).toBe(0x44);
    expect(parseGuestAttr("normal-nc")).toBe(0x44);
    expect(parseGuestAttr("device-ngnre")).toBe(0x04);
    expect(parseGuestAttr("device-ngnrne")).toBe(0x00);
    expect(parseGuestAttr("MAIR_ATTR_NORMAL")).toBe(0xff);
    expect(parseGuestAttr("normal-tagged")).toBe(0xf0);
    expect(parseGuestAttr("normal-wt")).toBe(0xbb);
    expect(parseGuestAttr("device-gre")).toBe(0x0c);
    expect(parseGuestAttr("0x0")).toBe(0);
  });
});
