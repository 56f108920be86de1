import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

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
  ]),
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
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
