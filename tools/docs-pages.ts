/**
 * The documentation pages generated from the code: path -> renderer.
 * `npm run docs` writes them; test/docs.test.ts fails when one is out of
 * date. Add one line per generated page.
 */

import { renderDescriptorDoc, renderGeometryDoc } from "../src/pgtable/docs.js";
import { renderCombineDoc } from "../src/mair/docs.js";
import { renderCombineMatrixDoc } from "../src/mair/matrix-doc.js";
import { renderKvmMemoryTypesDoc } from "../src/kvm/docs.js";
import { renderFaultsDoc } from "../src/walker/docs.js";
import { renderTwoStageDoc } from "../src/stage1/docs.js";
import { renderRegistersDoc } from "../src/kvm/registers-doc.js";
import { renderFaultDiagnosisDoc } from "./fault-doc.js";
import { renderBenchDoc } from "./bench-doc.js";

export interface GeneratedPage {
  /** Path relative to the repository root, e.g. "docs/combine.md". */
  path: string;
  render: () => string;
}

export const GENERATED_PAGES: GeneratedPage[] = [
  { path: "docs/reference/descriptor.md", render: renderDescriptorDoc },
  { path: "docs/reference/geometry.md", render: renderGeometryDoc },
  { path: "docs/combine.md", render: renderCombineDoc },
  { path: "docs/reference/combine-matrix.md", render: renderCombineMatrixDoc },
  { path: "docs/kvm-memory-types.md", render: renderKvmMemoryTypesDoc },
  { path: "docs/reference/faults.md", render: renderFaultsDoc },
  { path: "docs/two-stage.md", render: renderTwoStageDoc },
  { path: "docs/reference/registers.md", render: renderRegistersDoc },
  { path: "docs/fault-diagnosis.md", render: renderFaultDiagnosisDoc },
  { path: "docs/bench-your-workload.md", render: renderBenchDoc },
];
