// A local stand-in for Propexo's API, generated from the bundled spec: every route answers with
// its first named 200 example (a not-supported operation with its 405), and a missing bearer
// token gets the 401 example. A `drift` function can change any answer, to play an API that no
// longer matches the spec.
import { sendJson, startServer, type SeenRequest } from "./http-server.js";
import { jsonContent, named, specOperations } from "./contract.js";
import type { OperationId } from "../../src/index.js";

export interface Reply {
  status: number;
  contentType: string;
  /** Sent as JSON unless it is a string, which is sent as it is. */
  body: unknown;
}

export type Drift = (operationId: OperationId, reply: Reply) => Reply;

const firstExample = (op: any, status: string) => {
  const found = named(jsonContent(op.responses[status])?.examples)[0];
  if (!found) throw new Error(`${op.operationId} has no ${status} example`);
  return found[1];
};

const routes = specOperations().map((o) => ({
  ...o,
  // The route's literal parts, with each {param} standing for one non-empty segment.
  pattern: new RegExp(`^${o.row.path.split(/\{[^}]+\}/).map((part) => part.replace(/[.*+?^$()|[\]\\]/g, "\\$&")).join("[^/]+")}$`),
}));

export async function startFakeApi(drift: Drift = (_, reply) => reply): Promise<{ url: string; requests: SeenRequest[]; close: () => Promise<void> }> {
  return startServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const route = routes.find((r) => r.row.method === req.method && r.pattern.test(url.pathname));
    if (!route) return sendJson(res, 404, { error: { code: "not_found", message: `no route ${req.method} ${url.pathname}` } });
    if (!/^Bearer \S+$/.test(req.headers.authorization ?? "")) return sendJson(res, 401, firstExample(route.op, "401"));
    const status = route.row.supported ? "200" : "405";
    const reply = drift(route.id, { status: Number(status), contentType: "application/json", body: structuredClone(firstExample(route.op, status)) });
    const text = typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body);
    res.writeHead(reply.status, { "content-type": reply.contentType, "content-length": Buffer.byteLength(text) });
    res.end(text);
  });
}
