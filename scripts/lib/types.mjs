// TypeScript types of the spec (paths, components, operations) from openapi-typescript.
import openapiTS, { astToString } from "openapi-typescript";

/** TypeScript source of generated/schema.ts. */
export async function typesSource(doc, header) {
  const ast = await openapiTS(structuredClone(doc), {
    silent: true,
    // Every `additionalProperties: false` request body stays closed in the types too.
    additionalProperties: false,
    // Lets users import e.g. `ResmanLeadAppointmentUpdateInput` without spelling the path.
    rootTypes: true,
    rootTypesNoSchemaPrefix: true,
  });
  return `${header}\n${astToString(ast)}`;
}
