// Receiving Propexo's webhooks. Propexo posts a payload to the customer's URL when something
// happens (a write job failing, for one); parseWebhook checks a received payload against the
// spec's `webhooks` section with the same validator the client checks requests with, and types it
// as the union of every webhook's payload, told apart by its `trigger` member. Nothing here names a
// webhook: the types come from generated/schema.ts and the schemas from generated/validation.ts.
import type { webhooks as WebhookSpec } from "../generated/schema.js";
import { webhooks } from "../generated/validation.js";
import { WebhookValidationError, type ValidationIssue } from "./core/errors.js";
import { schemaIssues } from "./core/validate.js";

/**
 * The payload of any webhook the spec describes, a union told apart by `trigger`; `never` for a
 * spec without webhooks.
 *
 * @example
 * const event: WebhookEvent = parseWebhook(body);
 * if (event.trigger === "WRITE_OPERATION_FAILURE") console.log(event.data.root_job_id);
 */
export type WebhookEvent = {
  // `extends infer H` makes the check distribute, so a spec with no webhooks (whose entries are
  // `never`) gives `never` rather than `unknown`.
  [K in keyof WebhookSpec]: WebhookSpec[K] extends infer H
    ? H extends { post: { requestBody?: { content: { "application/json": infer P } } } }
      ? P
      : never
    : never;
}[keyof WebhookSpec];

/** The `trigger` of every webhook the spec describes, e.g. "WRITE_OPERATION_FAILURE". */
export type WebhookTrigger = WebhookEvent extends { trigger: infer T } ? T : never;

/**
 * The payload of the webhook whose trigger is `T`.
 *
 * @example
 * function onFailure(event: WebhookPayload<"WRITE_OPERATION_FAILURE">) { retryLater(event.data.root_job_id); }
 */
export type WebhookPayload<T extends WebhookTrigger> = Extract<WebhookEvent, { trigger: T }>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Checks a webhook payload Propexo posted and returns it typed. `body` is the request body as
 * received: text, bytes, or already parsed JSON. Throws `WebhookValidationError`, naming each
 * member, rule and value, when the body is not JSON, its `trigger` names no webhook of the spec,
 * or it breaks that webhook's payload schema. Members the schema does not name are kept.
 *
 * @example
 * app.post("/propexo/webhooks", express.text({ type: "application/json" }), (req, res) => {
 *   const event = parseWebhook(req.body);
 *   if (event.trigger === "WRITE_OPERATION_FAILURE") alertOps(event.data.root_job_id, event.data.errors);
 *   res.sendStatus(204);
 * });
 */
export function parseWebhook(body: string | ArrayBuffer | Uint8Array | object): WebhookEvent {
  let payload: unknown = body;
  if (typeof body === "string" || body instanceof ArrayBuffer || body instanceof Uint8Array) {
    const text = typeof body === "string" ? body : new TextDecoder().decode(body);
    try {
      payload = JSON.parse(text);
    } catch {
      throw new WebhookValidationError([{ path: "", rule: "json", message: "must be JSON", value: text }]);
    }
  }
  if (!isObject(payload)) throw new WebhookValidationError([{ path: "", rule: "type", message: "must be object", value: payload }]);
  const trigger = payload.trigger;
  const name = Object.keys(webhooks).find((key) => webhooks[key]!.trigger === trigger);
  if (name === undefined) {
    const known = Object.values(webhooks).map((w) => w.trigger);
    const issue: ValidationIssue =
      trigger === undefined
        ? { path: "trigger", rule: "required", message: "is required", value: undefined }
        : { path: "trigger", rule: "enum", message: `must be one of: ${known.join(", ")}`, value: trigger };
    throw new WebhookValidationError([issue]);
  }
  const issues = schemaIssues(webhooks[name]!.payload, payload);
  if (issues.length) throw new WebhookValidationError(issues, name);
  return payload as WebhookEvent;
}
