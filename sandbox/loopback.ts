/**
 * What every sandbox server does the same way on `node:http`: listen on loopback (a free port by default),
 * know its URL, and stop without waiting for held or keep-alive connections.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface Listening {
  /** `http://127.0.0.1:<port>` (an IPv6 host in brackets). */
  url: string;
  /** Closes the server, dropping every connection, held ones included; resolves once it is closed. */
  close(): Promise<void>;
}

/** Starts `server` on `host` (default 127.0.0.1) and `port` (default 0: a free one). */
export async function listenOnLoopback(
  server: Server,
  options: { host?: string; port?: number } = {},
): Promise<Listening> {
  const sockets = new Set<Socket>();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${urlHost}:${address.port}`,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Held (timeout-fault) and keep-alive connections would otherwise keep `close` waiting.
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

/** Collects a request's body: `onEnd` gets it, or null when it was larger than `maxBytes` (a 413). */
export function readRequestBody(
  req: IncomingMessage,
  maxBytes: number,
  onEnd: (body: Buffer | null) => void,
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on("data", (chunk: Buffer) => {
    size += chunk.byteLength;
    if (size <= maxBytes) chunks.push(chunk);
  });
  req.on("end", () => onEnd(size > maxBytes ? null : Buffer.concat(chunks)));
}

/** Sends an answer whose `Date` is the sandbox's clock (`date`), as a real service stamps its own. */
export function writeReply(
  res: ServerResponse,
  reply: { status: number; headers: Record<string, string>; body: string | Buffer },
  date: Date,
): void {
  res.writeHead(reply.status, {
    date: date.toUTCString(),
    ...reply.headers,
    "content-length": Buffer.byteLength(reply.body),
  });
  res.end(reply.body);
}
