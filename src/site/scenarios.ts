/**
 * The scenarios the walk panel offers, by their path in the repository.
 * `npm run site` (tools/build-site.ts) reads each file and bundles its text
 * into the page as it is; the page replays it with the same src/ code as
 * `s2pt walk`, and its "copy the CLI command" names the same path. The unit
 * and browser tests read the same files.
 */

export interface BundledScenario {
  /** Short name, used in the URL. */
  id: string;
  /** Path from the repository root (what `npx s2pt walk <path>` takes). */
  path: string;
  /** What it shows, for the picker. */
  title: string;
}

export const BUNDLED_SCENARIOS: readonly BundledScenario[] = [
  { id: "guest-framebuffer-nc", path: "examples/guest-framebuffer-nc.json", title: "guest framebuffer: write-combining over KVM's Normal-NC (two stages)" },
  { id: "guest-device-fwb", path: "examples/guest-device-fwb.json", title: "guest Device over KVM's Normal with FWB (two stages)" },
  { id: "guest-s1ptw-fault", path: "examples/guest-s1ptw-fault.json", title: "a guest table unmapped at stage 2: S1PTW fault (two stages)" },
  { id: "guest-4x4", path: "docs/site/scenarios/guest-4x4.json", title: "four levels by four: the 24-read nested walk (two stages)" },
  {
    id: "map-page-inside-block",
    path: "test/fixtures/shared/conformance/scenarios/map-page-inside-block.json",
    title: "a 4K page mapped inside a 2M block: the rest of the block faults (stage 2)",
  },
  { id: "map-block-2m-rwx", path: "test/fixtures/shared/conformance/scenarios/map-block-2m-rwx.json", title: "a 2M block, executable (stage 2)" },
  {
    id: "map-page-4k-rw",
    path: "test/fixtures/shared/conformance/scenarios/map-page-4k-rw.json",
    title: "a 4K R|W page: fetch it for a Permission fault (stage 2)",
  },
  {
    id: "map-16k-page-and-32m-block",
    path: "test/fixtures/shared/conformance/scenarios/map-16k-page-and-32m-block.json",
    title: "16K granule: a page and a 32M block (stage 2)",
  },
  {
    id: "map-64k-page-and-512m-block",
    path: "test/fixtures/shared/conformance/scenarios/map-64k-page-and-512m-block.json",
    title: "64K granule: a page and a 512M block (stage 2)",
  },
  {
    id: "geom-4k-ia52-lpa2",
    path: "test/fixtures/shared/conformance/scenarios/geom-4k-ia52-lpa2.json",
    title: "52-bit IPA with FEAT_LPA2: 16 concatenated root tables (stage 2)",
  },
  {
    id: "set-owner-annotate",
    path: "test/fixtures/shared/conformance/scenarios/set-owner-annotate.json",
    title: "pages owned by the hypervisor: a Translation fault (stage 2)",
  },
];

/** The id of a pasted scenario (its text travels in the URL). */
export const PASTED = "paste";

export function bundledScenario(id: string): BundledScenario | undefined {
  return BUNDLED_SCENARIOS.find((s) => s.id === id);
}
