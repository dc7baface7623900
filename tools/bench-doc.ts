/**
 * docs/bench-your-workload.md: `s2pt bench` worked through by running the
 * built CLI as a process, the way a reader would. Every output below a
 * command is what that command printed when the page was generated (npm run
 * docs; test/docs.test.ts regenerates and compares). The commands run with
 * `--reps 0`, the exact counts only: the model's time changes from run to run
 * and machine to machine, so it is measured, not generated (README, "Benchmark
 * your own workload"). The figures in the prose are read from those outputs.
 */
import { repoRoot, s2pt, shellQuote } from "./fault-doc.js";

interface Row {
  label: string;
  cells: string[];
}

/** The rows of a bench text table (label, then one cell per configuration). */
function tableRows(out: string): Row[] {
  const lines = out.split("\n");
  const head = lines.findIndex((l) => l === "") + 1;
  const rows: Row[] = [];
  for (let i = head + 1; i < lines.length && lines[i] !== ""; i++) {
    const parts = lines[i].trimStart().split(/ {3,}/);
    rows.push({ label: parts[0], cells: parts.slice(1) });
  }
  return rows;
}

/** The cell of the `nth` row labelled `label`, in configuration column `col`. */
function cell(out: string, label: string, col = 0, nth = 0): string {
  const rows = tableRows(out).filter((r) => r.label === label);
  const r = rows[nth];
  if (r === undefined || r.cells[col] === undefined) throw new Error(`bench doc: no row '${label}' (#${nth}) with column ${col} in:\n${out}`);
  return r.cells[col];
}

/** A cell as a number (thousands separators and a trailing size dropped). */
function num(s: string): number {
  return Number(s.replace(/ \(.*\)$/, "").replace(/,/g, ""));
}

function int(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** 1st, 2nd, 3rd, 4th, 11th, 254,465th. */
function ordinal(n: number): string {
  const t = n % 100;
  const suffix = t >= 11 && t <= 13 ? "th" : (["th", "st", "nd", "rd"][n % 10] ?? "th");
  return `${int(n)}${suffix}`;
}

export function renderBenchDoc(): string {
  const root = repoRoot();
  const run = (args: string[], code = 0): string => s2pt(root, ["bench", ...args], code);
  const block = (args: string[], out: string, code = 0): string[] => [
    "```console",
    `$ npx s2pt ${["bench", ...args].map(shellQuote).join(" ")}`,
    out,
    ...(code !== 0 ? ["$ echo $?", String(code)] : []),
    "```",
    "",
  ];

  // 1. 64 GiB faulted in by 2 MiB blocks and by 4K pages.
  const thpArgs = ["thp", "--size", "64g", "--reps", "0"];
  const thp = run(thpArgs);
  const pageArgs = ["fault-in", "--size", "64g", "--reps", "0"];
  const page = run(pageArgs);
  const f4 = num(cell(page, "calls: kvm_pgtable_stage2_map"));
  const f2 = num(cell(thp, "calls: kvm_pgtable_stage2_map"));
  const t4 = num(cell(page, "allocated"));
  const t2 = num(cell(thp, "allocated"));
  const s4 = num(cell(page, "descriptor stores"));
  const s2 = num(cell(thp, "descriptor stores"));

  // 2. The same VM torn down, with and without FEAT_TLBIRANGE.
  const tdArgs = ["teardown", "--size", "64g", "--compare", "tlb-range", "--reps", "0"];
  const td = run(tdArgs);
  const tdOff = num(cell(td, "TLBI, all kinds", 0));
  const tdOn = num(cell(td, "TLBI, all kinds", 1));
  const tdTables = num(cell(td, "table entries (TTL unknown)", 1));
  const tdRange = num(cell(td, "TLBI range (__kvm_tlb_flush_vmid_range)", 1));
  const td2Args = ["teardown", "--size", "64g", "--page-size", "2m", "--compare", "fwb,tlb-range", "--reps", "0"];
  const td2 = run(td2Args);
  const td2Cells = [0, 1, 2, 3].map((c) => num(cell(td2, "TLBI, all kinds", c)));

  // 3. Dirty logging, with and without eager page splitting, all pages and a tenth of them dirtied.
  const dlArgs = ["dirty-log", "--size", "4g", "--eager-split", "2m", "--compare", "eager-split", "--reps", "0"];
  const dl = run(dlArgs);
  const dl10Args = ["dirty-log", "--size", "4g", "--eager-split", "2m", "--compare", "eager-split", "--dirty", "10", "--reps", "0"];
  const dl10 = run(dl10Args);
  // The per-unit rows; "descriptor stores" is also the name of the total's row, the first one.
  const per = (out: string, label: string, col: number): string => cell(out, label, col, label === "descriptor stores" ? 1 : 0);

  // 4. A 64 GiB VFIO BAR: write-combining (Normal-NC) and cacheable, with and without FWB.
  const ncArgs = ["vfio-bar", "--size", "64g", "--compare", "fwb", "--reps", "0"];
  const nc = run(ncArgs);
  const cArgs = ["vfio-bar", "--size", "64g", "--bar", "cacheable", "--dic", "--compare", "fwb", "--reps", "0"];
  const cb = run(cArgs, 1);
  const ramArgs = ["fault-in", "--size", "64g", "--page-size", "1g", "--no-fwb", "--reps", "0"];
  const ram = run(ramArgs);

  // Bounds.
  const enomemArgs = ["fault-in", "--size", "2g", "--max-table-pages", "500", "--reps", "0"];
  const enomem = run(enomemArgs, 1);
  const stopped = enomem.split("\n").find((l) => l.includes(": stopped: ")) ?? "";

  return [
    "# Benchmark your own workload: `s2pt bench`",
    "",
    "Generated by `npm run docs`, which runs each command below with the built CLI and copies its output; do not edit.",
    "",
    "`s2pt bench` runs a workload (a pattern of guest memory activity, or the ops of a [FORMAT.md](../test/fixtures/shared/conformance/FORMAT.md) scenario) on the",
    "model of Linux 6.18.25's stage-2 `pgtable.c`, driven the way KVM's `mmu.c` drives it, and reports two things per configuration:",
    "",
    "- **the kernel's work, exactly**: every TLB invalidation `pgtable.c` (and `mmu.c` right after it) issues, by kind and TTL level;",
    "  the cache maintenance it asks for, in bytes, and what the host's callbacks then really clean; stage-2 table pages allocated,",
    "  freed and at their peak; descriptor stores and break-before-make sequences; memory-cache pages. One untimed counting pass",
    "  gives them; they are the same on every machine and every run;",
    "- **the model's speed**: CPU time per page (or block, dirtied page, range, op) over `--reps` timed runs, median, lowest and",
    "  highest, with calls per second. That figure is the model's, on your machine, not the kernel's.",
    "",
    "`npm run bench` is the project's own benchmark (six fixed workloads against a C baseline, [benchmarks.md](benchmarks.md));",
    "`s2pt bench` is for your workload. The commands below run with `--reps 0` (the counts only), so that this page is the same every",
    "time it is generated; leave it out to time the model as well (five timed runs by default). Add `--json` or `--csv` for scripts,",
    "and `--plot chart.svg` for a bar chart of the configurations side by side.",
    "",
    "## 1. What does a VM with 64 GiB in 2 MiB THP pages cost to fault in, compared with 4K pages?",
    "",
    "Every first touch of guest RAM is a stage-2 fault; `user_mem_abort()` maps the host's page, or the whole transparent huge page",
    "behind it (`transparent_hugepage_adjust()`), with one `kvm_pgtable_stage2_map()`. By 2 MiB blocks:",
    "",
    ...block(thpArgs, thp),
    "By 4K pages:",
    "",
    ...block(pageArgs, page),
    `By 4K pages the VM takes ${int(f4 / f2)} times the faults (${int(f4)} against ${int(f2)}), allocates ${int(t4)} table pages`,
    `(${int((t4 * 4096) / 2 ** 20)} MiB) against ${int(t2)}, and makes ${int(s4)} descriptor stores against ${int(s2)}: every leaf is written`,
    "twice, the `LOCKED` marker of `stage2_try_break_pte()` then the descriptor, and so is every table entry. The cache maintenance",
    "`pgtable.c` asks for is the same 64 GiB either way (each byte of guest RAM is cleaned to PoC once, when it is first mapped);",
    "only the number of calls differs. With FEAT_S2FWB (the default here) the host's `clean_dcache_guest_page()` returns at once",
    '("FWB implies IDC"), so no byte is cleaned; with `--no-fwb` all 64 GiB are. No TLB invalidation at all: a fault fills an',
    "empty entry, and breaking an invalid entry needs none.",
    "",
    "## 2. How many TLB invalidations does FEAT_TLBIRANGE save when this VM is torn down?",
    "",
    "Deleting the memslot (`kvm_arch_flush_shadow_memslot()`) or the host unmapping the guest's memory (an MMU notifier,",
    "`kvm_unmap_gfn_range()`) unmaps the range with `kvm_stage2_unmap_range()`, which `stage2_apply_range()` cuts at every 1 GiB",
    "(`kvm_granule_size(KVM_PGTABLE_MIN_BLOCK_LEVEL)`). With FEAT_S2FWB and FEAT_TLBIRANGE, `pgtable.c` defers the leaf TLBIs of each",
    "`kvm_pgtable_stage2_unmap()` to range TLBIs over the range as passed (NOTES.md, item 7):",
    "",
    ...block(tdArgs, td),
    `FEAT_TLBIRANGE takes the teardown of the 64 GiB of 4K pages from ${int(tdOff)} TLB invalidations to ${int(tdOn)}: ${int(tdRange)} range TLBIs`,
    `(one per 1 GiB call) and the ${int(tdTables)} TLBIs of the table entries, which are never deferred. It saves ${int(tdOff - tdOn)}. Without FWB`,
    "there is no deferral: `stage2_unmap_defer_tlb_flush()` asks for FWB too, the deferral being pointless when the walker must",
    "clean every leaf to PoC anyway. The same VM backed by 2 MiB THPs needs fewer TLBIs to begin with:",
    "",
    ...block(td2Args, td2),
    `With 2 MiB blocks: ${int(td2Cells[0])} TLBIs without FWB, whatever FEAT_TLBIRANGE; ${int(td2Cells[2])} with FWB alone, ${int(td2Cells[3])} with FWB and`,
    "FEAT_TLBIRANGE. (A VMM that exits without deleting its memslots takes another path: `kvm_arch_flush_shadow_all()` frees the",
    "tables with `kvm_pgtable_stage2_destroy()`, which issues no TLBI at all; the VMID is invalidated when it is reused. `s2pt bench`",
    "does not model that path.)",
    "",
    "## 3. What does dirty logging with eager page splitting cost per dirtied page?",
    "",
    "Enabling dirty logging on a memslot (without `KVM_DIRTY_LOG_INITIALLY_SET`) write-protects it (`kvm_mmu_wp_memory_region()`:",
    "`kvm_pgtable_stage2_wrprotect()` per 1 GiB, then one `kvm_flush_remote_tlbs_memslot()`) and, with",
    "`KVM_CAP_ARM_EAGER_SPLIT_CHUNK_SIZE`, splits every block down to pages right away (`kvm_mmu_split_huge_pages()`, one",
    "`kvm_pgtable_stage2_split()` per chunk, the split cache topped up to `kvm_mmu_split_nr_page_tables(chunk)` before each).",
    "Then each page the guest writes takes one write fault. Logging forces `PAGE_SIZE`: on a split page it is a permission fault,",
    "`relax_perms()` with its local TLBI; where a block is still there, the first write breaks the block inside a",
    "`kvm_pgtable_stage2_map()` of the page and the later ones map their pages into the new table. 4 GiB of THP-backed memory,",
    "every page written once:",
    "",
    ...block(dlArgs, dl),
    `Per dirtied page, eager splitting costs ${per(dl, "per dirtied page: TLBIs", 1)} TLBIs (against ${per(dl, "per dirtied page: TLBIs", 0)}) and ${per(dl, "descriptor stores", 1)} descriptor stores`,
    `(against ${per(dl, "descriptor stores", 0)}): one local TLBI per write fault, where without it the faults map pages and`,
    `invalidate only the ${int(num(cell(dl, "TTL level 2", 0)))} blocks they break. Its faults ask for no dcache clean (${per(dl, "dcache bytes asked", 1)} bytes per page against ${per(dl, "dcache bytes asked", 0)}; with`,
    "FWB, the default here, the host skips those anyway): the split rebuilds the pages with `KVM_PGTABLE_WALK_SKIP_CMO`, and a",
    "write on a split page only relaxes its permissions. The table pages are the same. What it buys is the fault path: no block",
    "to break and no memory-cache page to take in a vCPU's fault (the per-phase counts of `--json` show where each page goes).",
    "When only a tenth of the pages are written, the split of the whole memslot is paid for all the same:",
    "",
    ...block(dl10Args, dl10),
    `With 10% dirtied, eager splitting costs ${per(dl10, "descriptor stores", 1)} descriptor stores per dirtied page against ${per(dl10, "descriptor stores", 0)} without.`,
    "",
    "## 4. How much cache maintenance does a VFIO BAR of 64 GiB need without FWB, and why does cacheable PFNMAP require FWB?",
    "",
    "A vfio-pci BAR is mmapped `VM_PFNMAP` with `pgprot_noncached()` and `VM_ALLOW_ANY_UNCACHED`, so since v6.9 `user_mem_abort()`",
    "maps it Normal-NC (the guest's stage 1 then picks Device or write-combining; [kvm-memory-types.md](kvm-memory-types.md)), by",
    "the largest block the alignment of the BAR allows (`get_vma_page_shift()`): 1 GiB here. Normal-NC and Device mappings never",
    "get cache maintenance, with or without FWB:",
    "",
    ...block(ncArgs, nc),
    `None: ${cell(nc, "bytes", 0)} bytes without FWB, ${cell(nc, "bytes", 1)} with it. A cacheable PFNMAP (device memory the host maps cacheable, such as a coherent GPU's) is`,
    "another matter. Every map of cacheable memory asks for a dcache clean of the whole block, and without FWB the host performs it",
    "through the kernel's own mapping of the page; a BAR's pfns have none. So mainline KVM refuses the memslot",
    "(`kvm_arch_prepare_memory_region()` returns -EINVAL) unless `kvm_supports_cacheable_pfnmap()`: FEAT_S2FWB, with which",
    "`clean_dcache_guest_page()` does nothing, and CTR_EL0.DIC, with which the icache invalidation needs no address either:",
    "",
    ...block(cArgs, cb, 1),
    `With FWB and DIC, \`pgtable.c\` still asks for ${cell(cb, "bytes", 1, 0)} of dcache clean and as much icache invalidation (the`,
    "leaves are executable: `user_mem_abort()` grants X up front with DIC), and the host does none of it by address. For comparison,",
    "the same 64 GiB of RAM mapped by 1 GiB blocks without FWB, where the clean is real:",
    "",
    ...block(ramArgs, ram),
    `${cell(ram, "bytes the host cleans (none with FWB)")} cleaned to the point of coherency, 1 GiB per fault.`,
    "",
    "## The patterns",
    "",
    "| pattern | what runs (arch/arm64/kvm/mmu.c @7a9479eb into pgtable.c 6.18.25) | per |",
    "| --- | --- | --- |",
    "| `fault-in` | `--size` of guest RAM at `--ipa`, one write fault per `--page-size` (PAGE, PMD or PUD size): `user_mem_abort()` -> `kvm_pgtable_stage2_map(ipa, size, pa, prot, HANDLE_FAULT\\|SHARED)`; `--order seq` or `random` | page or block |",
    "| `thp` | `fault-in` by PMD-size blocks (2 MiB with 4K pages; 32 MiB, 512 MiB with 16K, 64K) | block |",
    "| `hugetlb-1g` | `fault-in` by 1 GiB blocks (4K granule only: the others have no level-1 block) | block |",
    "| `teardown` | `fault-in` (set-up, untimed), then `kvm_stage2_unmap_range()` of the memslot: `kvm_pgtable_stage2_unmap()` per 1 GiB | page or block unmapped |",
    "| `dirty-log` | `fault-in` (set-up; default 2 MiB blocks), then `kvm_mmu_wp_memory_region()` and `kvm_flush_remote_tlbs_memslot()`, with `--eager-split` `kvm_mmu_split_huge_pages()`, then one write fault on each of `--dirty` percent of the pages (random ones, `--seed`) | dirtied page |",
    "| `mmu-notifier` | `fault-in` (set-up), then `--ranges` MMU-notifier invalidations of `--range-size` at random page-aligned offsets: `kvm_unmap_gfn_range()` | range |",
    "| `vfio-bar` | a `VM_PFNMAP` BAR of `--size` faulted in by its largest aligned block, with `--bar nc` (Normal-NC), `device` or `cacheable` as `user_mem_abort()` maps it (src/kvm's mainline policy) | block |",
    "| `<scenario.json>` | the kernel ops of any FORMAT.md scenario (`-`: standard input), in order, on a fresh table; its config unless `--fwb`, `--tlb-range`, `--lpa2` or `--compare` say otherwise | op |",
    "",
    "The faults map what `user_mem_abort()` maps for a data write to a writable memslot: `R|W`, plus `X` with `--dic`",
    "(CTR_EL0.DIC), plus the memory type of `src/kvm`'s policy for the VMA (mainline). The set-up of `teardown`, `dirty-log` and",
    "`mmu-notifier` is run before each run and is neither timed nor counted.",
    "",
    "Configuration: `--granule`, `--ia-bits` (default 40, KVM's default VM), `--pa-bits`, `--lpa2`, `--fwb`/`--no-fwb` (default on),",
    "`--tlb-range`, `--dic`, and `--compare` with up to three of `fwb`, `tlb-range`, `lpa2`, `dic`, `eager-split` to run every",
    "combination side by side (off, then on). Sizes are written `4k`, `2m`, `64g`, `1t` (binary units) or as a `0x` byte count.",
    "",
    "## What is counted",
    "",
    "| row | counts |",
    "| --- | --- |",
    "| calls | the `pgtable.c` entry points called (a fault is one map; an unmap of 64 GiB is 64 calls) |",
    "| TLBI by IPA | `__kvm_tlb_flush_vmid_ipa()`, by the TTL level hint it is given; `TLBI_TTL_UNKNOWN` when a table entry is cleared |",
    "| TLBI by IPA, local | `__kvm_tlb_flush_vmid_ipa_nsh()`, which `relax_perms()` issues |",
    "| TLBI range | `__kvm_tlb_flush_vmid_range()` calls, each at most `MAX_TLBI_RANGE_PAGES` (2,097,152) pages, and the pages they cover |",
    "| TLBI whole VMID | `__kvm_tlb_flush_vmid()` (a table broken without FEAT_TLBIRANGE; `mmu.c`'s flush after a write-protect) |",
    "| of which issued by mmu.c | `kvm_flush_remote_tlbs_memslot()` after `kvm_mmu_wp_memory_region()`: `kvm_tlb_flush_vmid_range()` over the memslot |",
    "| dcache | `dcache_clean_inval_poc` calls and bytes as `pgtable.c` asks for them (a new cacheable leaf; an unmapped cacheable leaf without FWB), and the bytes the host's `clean_dcache_guest_page()` cleans: none with FWB |",
    "| icache | `icache_inval_pou` calls and bytes (a new executable leaf; `relax_perms()` adding X), and the bytes invalidated by address: none with CTR_EL0.DIC |",
    "| table pages | in use at the start of the timed part (root pages included), allocated, freed, the most in use at once, at the end |",
    "| descriptor stores | every store to a descriptor, the `LOCKED` marker of break-before-make included |",
    "| break-before-make | valid entries (leaves or tables) replaced through the `LOCKED` marker: a block broken, split or replaced |",
    "| memory-cache pages | table pages taken from memory caches (`zalloc_page()`), and the most one call took (what the cache must hold) |",
    "| per page (block, ...) | TLBIs, descriptor stores, dcache bytes and table pages divided by the workload's units |",
    "",
    "The counts come from one counting pass: the workload on a fresh table with a store hook and every maintenance event read",
    "from the table's `MaintenanceLog` after each call (counted, never kept: 64 GiB of 4K pages holds a few records at a time).",
    "`test/unit/workload-counts.test.ts` checks them against counts worked out by hand for every pattern, against the same calls",
    "replayed as a scenario, and, for every conformance scenario, against the events the kernel's own `pgtable.c` produced.",
    "",
    "## Time",
    "",
    "After the counting pass, `--warmup` untimed and `--reps` timed runs, each on a fresh table through the public `KvmPgtable`",
    "API with no store hook (a hook turns the fast paths off), the set-up untimed, a full GC before the timed part. The figure is",
    "the process's CPU time (`process.cpuUsage()`; V8's helper threads included) over the timed part per unit, median, lowest and",
    "highest, with CPU / wall time beside it (below 100%: the run waited for a CPU). After each timed run the maintenance its log",
    "holds per kind and the table pages in use must equal the counting pass's, or `s2pt bench` stops with an internal error. On a",
    "terminal a progress bar is drawn on stderr (never into a pipe or a file).",
    "",
    "## Bounds and errors",
    "",
    "A pass makes at most 33,554,432 calls (128 GiB of 4K pages); the stage-2 tables get at most `--max-table-pages` table pages",
    "(256 MiB of them by default and at most). Past that budget `zalloc_page()` fails as when the host is out of memory: the map",
    "returns -ENOMEM, and the run stops there, says where, keeps the counts up to it, and exits 1:",
    "",
    ...block(enomemArgs, enomem, 1),
    `The ${ordinal(num(cell(enomem, "calls: kvm_pgtable_stage2_map")))} fault needed one table page more than the 500 (2 root pages, one level-2 and`,
    `${int(num(cell(enomem, "at the end")) - 3)} level-3 tables, which map the ${int(num(cell(enomem, "calls: kvm_pgtable_stage2_map")) - 1)} pages before it).${stopped.includes("-ENOMEM") ? "" : " (not reached)"}`,
    "",
    "Bad input is refused in one line naming it, with exit 2: an unknown pattern, a size beyond the IPA or PA space or not a",
    "whole number of mappings, a mapping size the geometry cannot hold (`hugetlb-1g` on a 16K granule), an eager-split chunk",
    "`KVM_CAP_ARM_EAGER_SPLIT_CHUNK_SIZE` would refuse, an option of another pattern, `--plot` naming a directory or a device. A",
    "configuration the kernel refuses (a cacheable BAR without FWB and DIC) is an answer: its column says refused, with the reason,",
    "and the exit status is 1.",
    "",
    "## Not modelled",
    "",
    "- dirty logging with `KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE` and `KVM_DIRTY_LOG_INITIALLY_SET` (write-protect and split per",
    "  `KVM_CLEAR_DIRTY_LOG` call, 64 pages at a time), read faults during logging (mapped read-only), several passes;",
    "- the VM's destruction through `kvm_pgtable_stage2_destroy()`; nested virtualization, MTE, pKVM;",
    "- the guest's own TLB and cache maintenance, and the cost of the TLBIs and CMOs themselves on hardware: `s2pt bench` counts",
    "  them; how long they take is the CPU's business.",
    "",
  ].join("\n");
}
