// A fake Propexo for the rate-limit benchmark, in process: `limit` requests per fixed window of
// `windowMs`, the window clock starting at the first request (so the best schedule can be
// computed exactly). Above 80% of the limit in a window every response is held `slowdownMs`;
// past 100% the answer is 429 until the window ends. Every request counts, 429s included, and
// the x-ratelimit-* headers report what is left. Answers the Rent Manager lead cancel body.
// `arrivals` records each request (time, the x-worker header, the body's event_id, the status),
// for benchmarks that check duplicates and windows themselves.
import { createServer } from "node:http";

export async function startRateLimitedServer({ limit, windowMs, slowdownMs }) {
  let t0;
  const counts = new Map(); // window index -> requests seen
  const stats = { ok: 0, tooMany: 0, slowed: 0, maxInWindow: 0, lastAnswer: 0 };
  const arrivals = [];
  const server = createServer((req, res) => {
    const now = performance.now();
    t0 ??= now;
    const w = Math.floor((now - t0) / windowMs);
    const n = (counts.get(w) ?? 0) + 1;
    counts.set(w, n);
    stats.maxInWindow = Math.max(stats.maxInWindow, n);
    const headers = {
      "content-type": "application/json",
      "x-ratelimit-limit": String(limit),
      "x-ratelimit-remaining": String(Math.max(0, limit - n)),
    };
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      let event;
      try {
        event = JSON.parse(body || "{}").event_id;
      } catch {}
      arrivals.push({ at: now, worker: req.headers["x-worker"], event, status: n > limit ? 429 : 200 });
      if (n > limit) {
        stats.tooMany++;
        res.writeHead(429, headers).end(JSON.stringify({ error: { code: "rate_limited", message: "too many requests" } }));
        return;
      }
      const answer = () => {
        stats.ok++;
        stats.lastAnswer = performance.now();
        const result = JSON.parse(body || "{}");
        res.writeHead(200, headers).end(JSON.stringify({ meta: { job_id: `job-${stats.ok}` }, result }));
      };
      if (n > 0.8 * limit) {
        stats.slowed++;
        setTimeout(answer, slowdownMs);
      } else answer();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    stats,
    arrivals,
    /** When the first request arrived (windows count from it). */
    start: () => t0,
    stop: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }),
  };
}
