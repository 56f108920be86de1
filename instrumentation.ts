/**
 * Runs once when a server instance starts, before it serves anything. Only the Node.js runtime does work
 * (lib/server/start.ts); the import is dynamic so none of it reaches the Edge runtime's bundle.
 */
export async function register(): Promise<void> {
  // The one place besides lib/env.ts that reads the environment: Next sets NEXT_RUNTIME per bundle.
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { startServer } = await import("@/lib/server/start");
    await startServer();
  }
}
