import type { NextConfig } from "next";
import { PHASE_DEVELOPMENT_SERVER } from "next/constants";
import { compressionOf } from "./lib/server/compression";
import { buildHeaderRules } from "./lib/server/security-headers";

export default function nextConfig(phase: string): NextConfig {
  return {
    reactStrictMode: true,
    poweredByHeader: false,
    // AUDIT_COMPRESSION=off behind a proxy that compresses (lib/server/compression.ts).
    compress: compressionOf(process.env.AUDIT_COMPRESSION),
    async headers() {
      return buildHeaderRules({ development: phase === PHASE_DEVELOPMENT_SERVER });
    },
  };
}
