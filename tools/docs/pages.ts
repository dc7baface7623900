/**
 * The documentation pages generated from the code: path -> renderer.
 * `npm run docs` writes them; test/docs.test.ts fails when one is out of
 * date. Add one line per generated page.
 */

import { renderDescriptorDoc, renderGeometryDoc } from "./pgtable.js";
import { renderCombineDoc } from "./combine.js";
import { renderCombineMatrixDoc } from "./combine-matrix.js";
import { renderKvmMemoryTypesDoc } from "./kvm-memory-types.js";
import { renderFaultsDoc } from "./faults.js";
import { renderTwoStageDoc } from "./two-stage.js";
import { renderRegistersDoc } from "./registers.js";
import { renderFaultDiagnosisDoc } from "./fault-diagnosis.js";

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
];
