// A keep-alive HTTP server for the per-call and memory benchmarks, run in its own process so
// that its CPU time is not charged to the client being measured. It reads the request body and
// answers every request with the 200 body of the ResMan lead-appointment update (a valid write
// response per the spec). Prints {"port":n} once listening.
import { createServer } from "node:http";

const BODY = JSON.stringify({
  meta: { job_id: "a1b2c3d4-e5f6-7890-ab12-cd34ef567890" },
  result: {
    event_id: "e1234567-89ab-4cde-f012-3456789abcde",
    appointment_date: "2024-01-15",
    appointment_time: "09:30:00",
    unit_id: null,
    notes: null,
  },
});
const HEADERS = {
  "content-type": "application/json",
  "content-length": Buffer.byteLength(BODY),
  // The client adopts the limit the server reports; one this high keeps its pacer (when on) from waiting.
  "x-ratelimit-limit": "1000000000",
  "x-ratelimit-remaining": "1000000000",
};

const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => res.writeHead(200, HEADERS).end(BODY));
});
// Long idle timeouts so clients keep reusing their sockets between interleaved rounds.
server.keepAliveTimeout = 120_000;
server.headersTimeout = 125_000;
server.listen(0, "127.0.0.1", () => console.log(JSON.stringify({ port: server.address().port })));
process.on("disconnect", () => process.exit(0));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
