// Differential fuzzing of request validation: for generated bodies of every write, the client's
// verdict (validation on, with a fetch that records whether it was reached) must equal Prism's
// (validation off, the body sent, `sl-violations` read): the same valid/invalid answer and the
// same set of blamed fields. FUZZ_RUNS sets the total number of bodies (default 2000), FUZZ_SEED
// replays a run; both are printed.
import fc from "fast-check";
import { describe, expect, inject, it } from "vitest";
import { BadRequestError, RequestValidationError, type OperationId } from "../../src/index.js";
import { bodyArb } from "../helpers/arbitraries.js";
import { blamedField, invoke, makeClient, minimalInput, recordingFetch, responseExamples, specOperations } from "../helpers/contract.js";
import { readViolations } from "../helpers/violations.js";

const TOTAL = Number(process.env.FUZZ_RUNS ?? 2000);
const SEED = process.env.FUZZ_SEED === undefined ? (Date.now() ^ (Math.random() * 2 ** 31)) | 0 : Number(process.env.FUZZ_SEED);
// Prism answers a few hundred requests a second; a handful in flight keeps it busy without
// starving the other contract files that share it.
const CONCURRENCY = 8;
const RUNS = Math.ceil(TOTAL / CONCURRENCY);
console.log(`fuzz.test.ts: fast-check seed ${SEED}, ${RUNS * CONCURRENCY} bodies (replay with FUZZ_SEED=${SEED} FUZZ_RUNS=${TOTAL})`);

const writes = specOperations().filter((o) => o.row.supported && o.row.body === "required");
const base = inject("prismUrl");

interface Verdict {
  valid: boolean;
  /** The blamed fields, sorted, e.g. ["body.appointment_time", "body.foo"]. */
  fields: string[];
}

// Only the operation's name and the body, so that a counterexample prints short.
interface Case {
  id: OperationId;
  body: unknown;
}

const writeOf = new Map(writes.map((w) => [w.id, w]));

const sorted = (fields: Iterable<string>) => [...new Set(fields)].sort();

async function clientVerdict({ id, body }: Case): Promise<Verdict> {
  const write = writeOf.get(id)!;
  let reached = 0;
  const client = makeClient(base, {
    validate: true,
    fetch: async () => {
      reached++;
      // The operation's own 200 example: an answer the client can read, as only the request matters here.
      return new Response(JSON.stringify(responseExamples(write.op).find((e) => e.code === "200")!.value), { status: 200, headers: { "content-type": "application/json" } });
    },
  });
  const outcome = await invoke(client, write.row, { ...minimalInput(write.op), body });
  if (outcome.ok) {
    if (reached !== 1) throw new Error(`the client accepted the body but sent ${reached} requests`);
    return { valid: true, fields: [] };
  }
  if (!(outcome.error instanceof RequestValidationError)) throw outcome.error;
  if (reached !== 0) throw new Error("the client refused the body after sending it");
  return { valid: false, fields: sorted(outcome.error.issues.map((i) => i.path)) };
}

async function prismVerdict({ id, body }: Case): Promise<Verdict> {
  const write = writeOf.get(id)!;
  const recorder = recordingFetch();
  const outcome = await invoke(makeClient(base, { validate: false, fetch: recorder.fetch }), write.row, { ...minimalInput(write.op), body });
  if (recorder.exchanges.length !== 1) throw new Error(`expected one request to Prism, saw ${recorder.exchanges.length}`);
  const exchange = recorder.exchanges[0]!;
  const violations = readViolations(exchange.response);
  const unexplained = violations.filter((v) => blamedField(v) === undefined);
  if (unexplained.length > 0) throw new Error(`violations that name no request field: ${JSON.stringify(unexplained)}`);
  const valid = violations.length === 0;
  // Prism's status and the client's error must tell the same story as the header.
  const consistent = valid ? outcome.ok && exchange.status === 200 : !outcome.ok && outcome.error instanceof BadRequestError && exchange.status === 400;
  if (!consistent) throw new Error(`status ${exchange.status} and ${outcome.ok ? "success" : String(outcome.error)} disagree with sl-violations ${JSON.stringify(violations)}`);
  return { valid, fields: sorted(violations.map((v) => blamedField(v)!)) };
}

const caseArb: fc.Arbitrary<Case> = fc.oneof(...writes.map((write) => bodyArb(write.op).map((body) => ({ id: write.id, body }))));

describe("the client's request validation agrees with Prism's", () => {
  it("finds write operations to fuzz", () => {
    expect(writes.length).toBeGreaterThan(0);
  });

  it(
    `on ${RUNS * CONCURRENCY} generated bodies`,
    async () => {
      const seen = { cases: 0, valid: 0, perOperation: new Map<string, number>() };
      const started = Date.now();
      await fc.assert(
        fc.asyncProperty(fc.array(caseArb, { minLength: CONCURRENCY, maxLength: CONCURRENCY }), async (batch) => {
          const results = await Promise.all(batch.map(async (c) => ({ c, client: await clientVerdict(c), prism: await prismVerdict(c) })));
          const disagreements = results.filter((r) => r.client.valid !== r.prism.valid || r.client.fields.join() !== r.prism.fields.join());
          if (disagreements.length > 0) {
            throw new Error(
              disagreements
                .map((d) => `${d.c.id} ${fc.stringify(d.c.body)}\n  client: ${JSON.stringify(d.client)}\n  prism:  ${JSON.stringify(d.prism)}`)
                .join("\n"),
            );
          }
          for (const r of results) {
            seen.cases++;
            if (r.prism.valid) seen.valid++;
            seen.perOperation.set(r.c.id, (seen.perOperation.get(r.c.id) ?? 0) + 1);
          }
        }),
        { seed: SEED, numRuns: RUNS },
      );
      console.log(`fuzz.test.ts: ${seen.cases} bodies (${seen.valid} valid) in ${Date.now() - started} ms, no disagreement`);
      expect(seen.cases).toBe(RUNS * CONCURRENCY);
      // Both verdicts must be common, or the property compares little.
      expect(seen.valid / seen.cases).toBeGreaterThan(0.2);
      expect(seen.valid / seen.cases).toBeLessThan(0.8);
      expect([...seen.perOperation.keys()].sort()).toEqual(writes.map((w) => w.id).sort());
    },
    // The tier's time, and more for a FUZZ_RUNS far above the default.
    180_000 + TOTAL * 10,
  );
});
