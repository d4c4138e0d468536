// The placement rule (scripts/lib/operations.mjs): where an operation without x-propexo-*
// extensions or an operationId lands in the client, clause by clause, and how extensions and an
// operationId override it.
import { describe, expect, it } from "vitest";
import { operationTable } from "../../scripts/lib/operations.mjs";

const ok = { "200": { description: "ok", content: { "application/json": { schema: { type: "object" } } } } };
const op = (extra: Record<string, unknown> = {}) => ({ tags: ["billing-and-payments"], responses: ok, ...extra });
const param = (name: string) => ({ name, in: "path", required: true, schema: { type: "string" } });

function placements(paths: Record<string, any>): Record<string, string> {
  const table = operationTable({ openapi: "3.1.0", info: { title: "t", version: "1" }, paths });
  return Object.fromEntries(Object.values<any>(table).map((r) => [`${r.method} ${r.path}`, `${r.placement.join(".")} ${r.operationId}`]));
}

describe("the placement rule", () => {
  it("names the resource after the first tag and nests each literal segment below it, without the version", () => {
    expect(placements({ "/v1/resident-charges/": { get: op(), post: op() } })).toEqual({
      "GET /v1/resident-charges/": "billingAndPayments.residentCharges.list listBillingAndPaymentsResidentCharges",
      "POST /v1/resident-charges/": "billingAndPayments.residentCharges.create createBillingAndPaymentsResidentCharges",
    });
  });

  it("does not repeat a first segment that names the resource, and falls back to it without a tag", () => {
    expect(placements({ "/v1/leads/{id}": { get: op({ tags: ["leads"], parameters: [param("id")] }) }, "/v2/units": { get: { responses: ok } } })).toEqual({
      "GET /v1/leads/{id}": "leads.retrieve retrieveLeads",
      "GET /v2/units": "units.list listUnits",
    });
  });

  it("maps methods to verbs: retrieve or list, update, patch beside a PUT, delete", () => {
    const p = [param("id")];
    expect(placements({ "/v1/fees/{id}": { get: op({ parameters: p }), put: op({ parameters: p }), patch: op({ parameters: p }), delete: op({ parameters: p }) } })).toEqual({
      "GET /v1/fees/{id}": "billingAndPayments.fees.retrieve retrieveBillingAndPaymentsFees",
      "PUT /v1/fees/{id}": "billingAndPayments.fees.update updateBillingAndPaymentsFees",
      "PATCH /v1/fees/{id}": "billingAndPayments.fees.patch patchBillingAndPaymentsFees",
      "DELETE /v1/fees/{id}": "billingAndPayments.fees.delete deleteBillingAndPaymentsFees",
    });
  });

  it("reads a lone POST to a literal under an item, or beside a collection that takes a POST, as an action", () => {
    expect(
      placements({
        "/v1/fees": { post: op() },
        "/v1/fees/cancel": { post: op() },
        "/v1/fees/{id}/back-sync": { post: op({ parameters: [param("id")] }) },
        "/v1/reports/summary": { post: op() },
      }),
    ).toEqual({
      "POST /v1/fees": "billingAndPayments.fees.create createBillingAndPaymentsFees",
      "POST /v1/fees/cancel": "billingAndPayments.fees.cancel cancelBillingAndPaymentsFees",
      "POST /v1/fees/{id}/back-sync": "billingAndPayments.fees.backSync backSyncBillingAndPaymentsFees",
      // No POST on /v1/reports: a collection of its own.
      "POST /v1/reports/summary": "billingAndPayments.reports.summary.create createBillingAndPaymentsReportsSummary",
    });
  });

  it("lets an operationId and each x-propexo-* extension override their part", () => {
    expect(
      placements({
        "/v1/fees/{id}": {
          get: op({ operationId: "readFee", parameters: [param("id")] }),
          put: op({ parameters: [param("id")], "x-propexo-resource": "money", "x-propexo-vendor": "acme", "x-propexo-subject": "fees" }),
        },
      }),
    ).toEqual({
      "GET /v1/fees/{id}": "billingAndPayments.fees.retrieve readFee",
      "PUT /v1/fees/{id}": "money.acme.fees.update updateBillingAndPaymentsFees",
    });
  });

  it("keeps path parameters in path order and refuses two operations at one spot", () => {
    const table = operationTable({ paths: { "/v1/a/{x}/b/{y}": { get: op({ parameters: [param("y"), param("x")] }) } } });
    expect(Object.values<any>(table)[0].pathParams).toEqual(["x", "y"]);
    expect(() =>
      operationTable({ paths: { "/v1/a": { get: op({ "x-propexo-verb": "go" }) }, "/v1/b": { get: op({ "x-propexo-verb": "go" }) } } }),
    ).toThrow(/would both be client\.billingAndPayments\.go/);
  });
});
