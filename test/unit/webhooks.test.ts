// parseWebhook: every payload example of the spec's webhooks parses, as text, bytes or an object;
// each payload broken on one required member or enum is refused with an error naming that member,
// the rule and the value; a payload with an unknown trigger, a non-object or non-JSON is refused;
// and the result narrows by `trigger`. The cases are read from the bundled spec's `webhooks`.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseWebhook, PropexoError, WebhookValidationError, type WebhookEvent } from "../../src/index.js";

const doc = JSON.parse(readFileSync(new URL("../../generated/openapi.json", import.meta.url), "utf8"));

function deref(node: any): any {
  while (node && typeof node.$ref === "string") {
    node = node.$ref
      .slice(2)
      .split("/")
      .map((p: string) => p.replace(/~1/g, "/").replace(/~0/g, "~"))
      .reduce((acc: any, key: string) => acc?.[key], doc);
  }
  return node;
}

interface Webhook {
  name: string;
  schema: any;
  examples: [string, any][];
}
const webhooks: Webhook[] = Object.entries<any>(doc.webhooks ?? {}).map(([name, item]) => {
  const media = deref(item.post.requestBody).content["application/json"];
  return { name, schema: deref(media.schema), examples: Object.entries<any>(media.examples ?? {}).map(([k, v]) => [k, deref(v).value]) };
});

/** One broken copy of `value` per required member and per enum of `schema`, with the member's path. */
function breakages(schema: any, value: any, path: string[] = []): { path: string; rule: string; value: unknown; payload: (root: any) => any }[] {
  schema = deref(schema);
  const out: ReturnType<typeof breakages> = [];
  const at = (root: any, p: string[]) => p.reduce((acc, k) => acc[k], root);
  const dotted = (p: string[]) => p.join(".");
  if (schema?.enum) {
    out.push({ path: dotted(path), rule: "enum", value: "NOT_A_MEMBER", payload: (root) => (path.length ? (at(root, path.slice(0, -1))[path.at(-1)!] = "NOT_A_MEMBER", root) : "NOT_A_MEMBER") });
  }
  for (const name of (schema?.required ?? []) as string[]) {
    out.push({ path: dotted([...path, name]), rule: "required", value: undefined, payload: (root) => (delete at(root, path)[name], root) });
  }
  for (const [name, sub] of Object.entries<any>(schema?.properties ?? {})) {
    if (value?.[name] !== undefined) out.push(...breakages(sub, value[name], [...path, name]));
  }
  return out;
}

describe("parseWebhook", () => {
  it("the spec describes at least one webhook, each with a payload example", () => {
    expect(webhooks.length).toBeGreaterThan(0);
    for (const w of webhooks) expect(w.examples.length, w.name).toBeGreaterThan(0);
  });

  for (const w of webhooks) {
    describe(w.name, () => {
      it.each(w.examples)("parses its example %s as text, bytes and an object, and returns it as received", (_name, value) => {
        const text = JSON.stringify(value);
        for (const body of [text, new TextEncoder().encode(text), new TextEncoder().encode(text).buffer, structuredClone(value)]) {
          const event: WebhookEvent = parseWebhook(body);
          expect(event).toStrictEqual(value);
          expect(event.trigger).toBe(value.trigger);
        }
      });

      it("keeps members the schema does not name (a newer payload is not refused)", () => {
        const value = { ...structuredClone(w.examples[0]![1]), delivered_at: "2024-07-20T13:15:00Z" };
        expect(parseWebhook(value)).toStrictEqual(value);
      });

      const cases = breakages(w.schema, w.examples[0]![1]).filter((c) => c.path !== "trigger");
      it("has broken payloads to refuse", () => expect(cases.length).toBeGreaterThan(0));
      it.each(cases.map((c) => [`${c.path} ${c.rule}`, c] as const))("refuses a payload with %s, naming the member, rule and value", (_label, c) => {
        const payload = c.payload(structuredClone(w.examples[0]![1]));
        const error = catchError(() => parseWebhook(JSON.stringify(payload)));
        expect(error).toBeInstanceOf(WebhookValidationError);
        expect(error).toBeInstanceOf(PropexoError);
        expect(error.webhook).toBe(w.name);
        expect(error.issues).toEqual([expect.objectContaining({ path: c.path, rule: c.rule, value: c.value })]);
        expect(error.message).toContain(`${c.path}: `);
        expect(error.message).toContain(`(${c.rule}; received`);
      });
    });
  }

  it("refuses a trigger no webhook of the spec has, and a payload without one", () => {
    const base = structuredClone(webhooks[0]!.examples[0]![1]);
    const unknown = catchError(() => parseWebhook({ ...base, trigger: "SOMETHING_ELSE" }));
    // Every trigger of the spec's webhooks, listed.
    const triggers = webhooks.map((w) => w.examples[0]![1].trigger as string);
    expect(unknown.issues).toEqual([{ path: "trigger", rule: "enum", message: `must be one of: ${triggers.join(", ")}`, value: "SOMETHING_ELSE" }]);
    expect(unknown.webhook).toBeUndefined();
    const { trigger: _t, ...without } = base;
    expect(catchError(() => parseWebhook(without)).issues).toEqual([{ path: "trigger", rule: "required", message: "is required", value: undefined }]);
  });

  it("refuses a body that is not JSON, and JSON that is not an object", () => {
    expect(catchError(() => parseWebhook("{trigger:")).issues).toEqual([{ path: "", rule: "json", message: "must be JSON", value: "{trigger:" }]);
    for (const value of ["[]", "null", "42", '"text"']) {
      expect(catchError(() => parseWebhook(value)).issues, value).toEqual([{ path: "", rule: "type", message: "must be object", value: JSON.parse(value) }]);
    }
    expect(catchError(() => parseWebhook([] as never)).issues[0]).toMatchObject({ rule: "type" });
  });

  it("narrows by trigger, so a failed write can be acted on without polling", () => {
    const failure = webhooks.find((w) => w.name === "WRITE_OPERATION_FAILURE");
    expect(failure, "the spec describes WRITE_OPERATION_FAILURE").toBeDefined();
    const event = parseWebhook(JSON.stringify(failure!.examples[0]![1]));
    if (event.trigger !== "WRITE_OPERATION_FAILURE") throw new Error("not narrowed");
    expect(["FAILURE", "PARTIAL_SUCCESS"]).toContain(event.data.write_status);
    expect(typeof event.data.root_job_id).toBe("string");
    expect(Array.isArray(event.data.errors)).toBe(true);
  });
});

function catchError(fn: () => unknown): WebhookValidationError {
  try {
    fn();
  } catch (error) {
    if (error instanceof WebhookValidationError) return error;
    throw error;
  }
  throw new Error("expected a WebhookValidationError");
}
