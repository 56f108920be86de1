import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@": fileURLToPath(new URL("./", import.meta.url)) } },
  test: {
    include: [
      "lib/**/*.test.ts",
      "app/**/*.test.{ts,tsx}",
      "components/**/*.test.tsx",
      "proxy.test.ts",
      "cli/**/*.test.ts",
      "sandbox/**/*.test.ts",
      "scripts/**/*.test.ts",
    ],
    testTimeout: 20_000,
  },
});
