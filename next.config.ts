import type { NextConfig } from "next";
import { PHASE_DEVELOPMENT_SERVER } from "next/constants";
import { buildHeaderRules } from "./lib/server/security-headers";

export default function nextConfig(phase: string): NextConfig {
  return {
    reactStrictMode: true,
    poweredByHeader: false,
    async headers() {
      return buildHeaderRules({ development: phase === PHASE_DEVELOPMENT_SERVER });
    },
  };
}
