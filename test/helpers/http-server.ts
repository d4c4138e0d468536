// A real HTTP server on 127.0.0.1 and a free port, for transport tests. Each test starts its own
// and closes it; `close()` also drops open keep-alive connections so nothing outlives the test.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  body: string;
  at: number;
}

export type Handle = (req: IncomingMessage, res: ServerResponse, body: string, index: number) => unknown;

export async function startServer(handle: Handle): Promise<{ url: string; requests: SeenRequest[]; server: Server; close: () => Promise<void> }> {
  const requests: SeenRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const index = requests.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers, body, at: Date.now() }) - 1;
      Promise.resolve(handle(req, res, body, index)).catch((err) => {
        res.destroy(err as Error);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Sends a JSON body. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}
