// TypeScript types of the spec (paths, components, operations) from openapi-typescript.
import openapiTS, { astToString } from "openapi-typescript";

/** TypeScript source of generated/schema.ts. */
export async function typesSource(doc, header) {
  const ast = await openapiTS(structuredClone(doc), {
    silent: true,
    // Every `additionalProperties: false` request body stays closed in the types too.
    additionalProperties: false,
    // A member with a `default` stays optional: openapi-typescript would otherwise make it
    // required, which is right for an answer (the server fills it in) but wrong for a request,
    // where leaving it out is how the default is asked for (the availability query's duration).
    defaultNonNullable: false,
    // Lets users import e.g. `ResmanLeadAppointmentUpdateInput` without spelling the path.
    rootTypes: true,
    rootTypesNoSchemaPrefix: true,
  });
  return `${header}\n${astToString(ast)}`;
}
