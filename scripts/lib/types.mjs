// TypeScript types of the spec (paths, components, operations) from openapi-typescript.
import openapiTS, { astToString } from "openapi-typescript";

const COMPONENT = /^#\/components\/schemas\/(.+)$/;

/**
 * Copies each shared schema's description onto the properties that refer to it without one of
 * their own (OpenAPI 3.1 allows a description beside a $ref), so that a field such as
 * `appointment_time: AppointmentTime` shows what it means in an editor's hover, not only its type.
 */
function describeRefs(doc) {
  const schemas = doc.components?.schemas ?? {};
  const visit = (node) => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== "object") return;
    if (node.properties && typeof node.properties === "object") {
      for (const prop of Object.values(node.properties)) {
        const m = prop && typeof prop.$ref === "string" ? COMPONENT.exec(prop.$ref) : null;
        const target = m ? schemas[m[1].replace(/~1/g, "/").replace(/~0/g, "~")] : undefined;
        if (target && prop.description === undefined && typeof target.description === "string") prop.description = target.description;
      }
    }
    Object.values(node).forEach(visit);
  };
  visit(doc);
  return doc;
}

/**
 * openapi-typescript writes a description as a \`@description\` tag, which editors show as a
 * tag line rather than as the member's documentation. Moves each tag's text into the block's
 * documentation (after the summary, before the other tags), so that a hover over a field reads
 * like the spec.
 */
export function descriptionsAsDocs(source) {
  return source.replace(/^([ \t]*)\/\*\*([\s\S]*?)\*\//gm, (block, indent, inner) => {
    if (!inner.includes("@description")) return block;
    const lines = inner.split("\n").map((l) => l.replace(/^\s*\* ?/, "")).map((l) => l.trimEnd());
    if (lines[0].trim() === "") lines.shift();
    if (lines.length && lines.at(-1).trim() === "") lines.pop();
    const lead = [];
    const tags = [];
    let description = [];
    let current = null;
    for (const line of lines) {
      if (/^@\w/.test(line.trim())) {
        current = line.trim().startsWith("@description") ? description : [];
        if (current !== description) tags.push(current);
        current.push(line.trim().replace(/^@description\s?/, ""));
      } else (current ?? lead).push(line);
    }
    const text = [...lead, ...(lead.length && description.length ? [""] : []), ...description, ...tags.flat()];
    if (text.length === 1) return `${indent}/** ${text[0]} */`;
    return `${indent}/**\n${text.map((l) => `${indent} *${l ? ` ${l}` : ""}`).join("\n")}\n${indent} */`;
  });
}

/** TypeScript source of generated/schema.ts. */
export async function typesSource(doc, header) {
  const ast = await openapiTS(describeRefs(structuredClone(doc)), {
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
  return `${header}\n${descriptionsAsDocs(astToString(ast))}`;
}
