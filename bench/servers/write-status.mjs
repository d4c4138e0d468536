// A fake write-status endpoint, in process: GET /v1/admin/write-status/{id} answers PENDING until
// the job's settle time, then SUCCESS. Counts the polls each job receives.
import { createServer } from "node:http";

export async function startWriteStatusServer() {
  const jobs = new Map(); // id -> { settleAt, polls }
  const server = createServer((req, res) => {
    const id = decodeURIComponent(req.url.split("/").pop());
    const job = jobs.get(id);
    if (!job) return res.writeHead(404).end();
    job.polls++;
    const settled = performance.now() >= job.settleAt;
    res.writeHead(200, { "content-type": "application/json" }).end(
      JSON.stringify({ write_status: settled ? "SUCCESS" : "PENDING", errors: [], created_record_id: settled ? "rec-1" : null }),
    );
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    /** Registers a job that settles `afterMs` from now. */
    add(id, afterMs) {
      const job = { settleAt: performance.now() + afterMs, polls: 0 };
      jobs.set(id, job);
      return job;
    },
    stop: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }),
  };
}
