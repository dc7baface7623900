// `npm run test:browser`: the docs page (docs/site) in headless Chromium.
// Kept apart from `npm test`, which stays fast and needs no browser.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/browser/**/*.test.ts"],
    globalSetup: ["test/browser/global-setup.ts"],
    // One browser, one page: the files share nothing, but run them one at a time.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
