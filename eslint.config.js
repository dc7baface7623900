// ESLint (flat config): typescript-eslint's type-aware rules (strictTypeChecked)
// over src, test, bench and tools, each file checked by the program of the
// tsconfig that covers it. `npm run lint`; .ci/run runs it after the type check.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "dist/**",
      "node_modules/**",
      "artifacts/**",
      "docs/**",
      "test/fixtures/**",
      "examples/**",
      "eslint.config.js",
      "stryker.config.mjs",
      "stryker.vitest.config.ts",
      "reports/**",
      ".stryker-tmp/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // The three programs `npm run typecheck` checks: src, bench and tools; the browser code; the tests.
        project: ["./tsconfig.json", "./tsconfig.site.json", "./tsconfig.test.json"],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // Messages name numbers and flags all the time (`${level}`, `${fwb}`): those read as themselves.
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true, allowBoolean: true }],
      // Every public entry checks the runtime values of its typed arguments (src/pgtable/args.ts, issue 15):
      // a JavaScript caller can pass anything, so `typeof x !== "number"` on an `x: number` is the point, and
      // this rule would call each such check unnecessary.
      "@typescript-eslint/no-unnecessary-condition": "off",
      // `(e) => handle(e)` as a callback is the idiom; a void expression in a statement position is still refused.
      "@typescript-eslint/no-confusing-void-expression": ["error", { ignoreArrowShorthand: true }],
      // Typed getters name the type the caller declared (`a.value<bigint>("pa")`, `byId<HTMLInputElement>(id)`,
      // `readJson<T>(path)`): the rule would have every caller cast instead.
      "@typescript-eslint/no-unnecessary-type-parameters": "off",
    },
  },
  {
    // Tests poke at JSON the CLI printed (JSON.parse gives `any`) and assert presence with `!`:
    // the expect() around them is the check.
    files: ["test/**/*.ts"],
    rules: {
      "@typescript-eslint/no-non-null-assertion": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      // The argument-check tests hand the library objects of the wrong class on purpose.
      "@typescript-eslint/no-unsafe-class-instance-assignment": "off",
    },
  },
);
