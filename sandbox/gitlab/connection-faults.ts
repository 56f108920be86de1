/**
 * Answers that never arrive: the timeout and connection-reset faults of a sandbox server. Nothing here is
 * GitLab's: any sandbox built on `node:http` can use it (the PagerDuty sandbox still has its own copy).
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/** How long a timeout fault holds a request when the fault options name no `timeoutMs`. */
export const DEFAULT_HOLD_MS = 30_000;

export interface LostAnswer {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

export interface ConnectionFaults {
  /**
   * Never answers: the client sees a request that hangs. The socket is dropped after `ms`, by which time a
   * client should have given up; a client that gives up first frees the hold.
   */
  hold(req: IncomingMessage, ms: number): void;
  /**
   * Drops the connection. Without an answer, before any byte; with one, after its headers and half its
   * body (the `content-length` promises the whole body, so the client sees a body cut short).
   */
  reset(req: IncomingMessage, res: ServerResponse, answer?: LostAnswer): void;
  /** Cancels every hold, so a stopped server leaves no timer behind. */
  clear(): void;
}

export function createConnectionFaults(): ConnectionFaults {
  const holds = new Set<NodeJS.Timeout>();
  return {
    hold(req, ms) {
      const timer = setTimeout(() => {
        holds.delete(timer);
        req.socket.destroy();
      }, ms);
      holds.add(timer);
      req.socket.once("close", () => {
        clearTimeout(timer);
        holds.delete(timer);
      });
    },
    reset(req, res, answer) {
      if (!answer) {
        req.socket.destroy();
        return;
      }
      const body = typeof answer.body === "string" ? Buffer.from(answer.body) : answer.body;
      res.writeHead(answer.status, { ...answer.headers, "content-length": body.byteLength });
      res.write(body.subarray(0, Math.floor(body.byteLength / 2)), () => req.socket.destroy());
    },
    clear() {
      for (const timer of holds) clearTimeout(timer);
      holds.clear();
    },
  };
}
