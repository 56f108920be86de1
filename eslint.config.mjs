import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

/** What reaches outside the process (database, environment, the adapters, the runner, the server). */
const OUTSIDE_WORLD = [
  "./lib/db",
  "./lib/env.ts",
  "./lib/gitlab",
  "./lib/http",
  "./lib/pagerduty",
  "./lib/runner",
  "./lib/server",
  "./lib/slack",
];

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  globalIgnores([
    ".next/**",
    "node_modules/**",
    "next-env.d.ts",
    "coverage/**",
    "playwright-report/**",
    "test-results/**",
    "dist/**",
  ]),
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      // `import { z }` takes zod's whole namespace object, every locale included: 440 KiB in the CLI's
      // bundle, compiled at each start, against 90 KiB for the namespace import zod documents.
      "no-restricted-syntax": [
        "error",
        {
          selector: "ImportDeclaration[source.value='zod'] > ImportSpecifier[imported.name='z']",
          message: 'Import zod as `import * as z from "zod"`: the named `z` keeps all of zod in a bundle.',
        },
      ],
    },
  },
  {
    // The walls of the house (README "Layout"): what each layer may not import. The checker's own block
    // above also keeps it off IO, the clock and the environment.
    files: ["**/*.{ts,tsx}"],
    ignores: ["**/*.test.{ts,tsx}", "lib/testing/**", "e2e/**", "scripts/**"],
    rules: {
      "import/no-restricted-paths": [
        "error",
        {
          zones: [
            {
              target: "./lib/audit",
              from: [
                "./app",
                "./cli",
                "./components",
                "./sandbox",
                "./lib/api",
                "./lib/auth",
                "./lib/client",
                "./lib/db",
                "./lib/env.ts",
                "./lib/gitlab",
                "./lib/http",
                "./lib/pagerduty",
                "./lib/report",
                "./lib/runner",
                "./lib/server",
                "./lib/service",
                "./lib/workflow",
              ],
              message:
                "The checker takes its inputs (roster, snapshot, config, now) and imports nothing else.",
            },
            {
              target: "./lib/workflow",
              from: ["./app", "./components", ...OUTSIDE_WORLD, "./lib/service"],
              message: "lib/workflow is pure: states, rules and timers, the clock passed in.",
            },
            {
              target: "./components",
              from: OUTSIDE_WORLD,
              message: "Components render what they are given: no database, adapter or environment.",
            },
            {
              target: "./lib",
              from: ["./app", "./components", "./sandbox"],
              message: "lib/ serves the app, never the other way round; test harnesses live in lib/testing.",
            },
          ],
        },
      ],
    },
  },
  {
    // Playwright fixtures receive a callback named `use`; it is not React's `use` hook.
    files: ["e2e/**/*.ts"],
    rules: { "react-hooks/rules-of-hooks": "off" },
  },
  {
    // The checker is pure: input in, report out. It must not reach for IO, the clock or the environment.
    files: ["lib/audit/**/*.ts"],
    ignores: ["lib/audit/**/*.test.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            "node:*",
            "fs",
            "path",
            "http",
            "https",
            "next",
            "next/*",
            "react",
            "@/lib/pagerduty/*",
            "@/lib/db/*",
            "@/lib/roster/load*",
            "@/lib/config/load*",
          ],
        },
      ],
      "no-restricted-syntax": [
        "error",
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: "The checker takes its inputs as arguments.",
        },
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: "`now` is passed in.",
        },
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: "`now` is passed in." },
      ],
    },
  },
]);
