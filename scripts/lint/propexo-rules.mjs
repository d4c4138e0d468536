// House lint rules that need the whole document: which PMSs the spec knows is read from the spec
// itself (its tags that carry `x-propexo-pms`, the PMS's display name), so a new PMS is checked by
// the same rules as today's as soon as its tag is added, and never skipped. Loaded by redocly.yaml.

const METHODS = ["get", "put", "post", "delete", "patch"];

/** The PMSs the document declares: tag name (the vendor slug) → display name. */
function pmsOf(root) {
  const out = new Map();
  for (const tag of root.tags ?? []) if (typeof tag?.["x-propexo-pms"] === "string") out.set(tag.name, tag["x-propexo-pms"]);
  return out;
}

/** Every operation with where it is, for reporting. */
function* operations(root) {
  for (const [path, item] of Object.entries(root.paths ?? {})) {
    for (const method of METHODS) if (item?.[method]) yield { path, method, op: item[method] };
  }
}

const segments = (path) => path.split("/").filter(Boolean);

/**
 * Every per-PMS operation names its PMS in `x-propexo-vendor`: an operation whose path has a
 * segment that is a declared PMS, or that carries a PMS's tag, must name that PMS; and a named
 * vendor must be a declared PMS that appears in the path and in the operation's tags.
 */
function PerPmsOperationNamesVendor() {
  return {
    Root: {
      enter(root, ctx) {
        const pms = pmsOf(root);
        for (const { path, method, op } of operations(root)) {
          const at = ctx.location.child(["paths", path, method]);
          const vendor = op["x-propexo-vendor"];
          const inPath = segments(path).filter((s) => pms.has(s));
          const inTags = (op.tags ?? []).filter((t) => pms.has(t));
          if (vendor === undefined) {
            const named = [...new Set([...inPath, ...inTags])];
            if (named.length) ctx.report({ message: `${method.toUpperCase()} ${path} belongs to the PMS ${named.join(", ")} but has no x-propexo-vendor.`, location: at });
            continue;
          }
          const where = at.child("x-propexo-vendor");
          if (!pms.has(vendor)) {
            ctx.report({ message: `x-propexo-vendor "${vendor}" is not a PMS of this spec: add a tag named "${vendor}" with x-propexo-pms set to the PMS's name.`, location: where });
            continue;
          }
          if (!inPath.includes(vendor)) ctx.report({ message: `x-propexo-vendor "${vendor}" does not appear as a segment of the path ${path}.`, location: where });
          if (!inTags.includes(vendor)) ctx.report({ message: `An operation of the PMS "${vendor}" must carry its tag "${vendor}".`, location: at.child("tags") });
          const other = inPath.find((s) => s !== vendor);
          if (other) ctx.report({ message: `The path names the PMS "${other}" but x-propexo-vendor is "${vendor}".`, location: where });
        }
      },
    },
  };
}

/** The summary of a per-PMS operation names the PMS as its tag's `x-propexo-pms` spells it. */
function PerPmsSummaryNamesVendor() {
  return {
    Root: {
      enter(root, ctx) {
        const pms = pmsOf(root);
        for (const { path, method, op } of operations(root)) {
          const name = pms.get(op["x-propexo-vendor"]);
          if (name !== undefined && !String(op.summary ?? "").includes(name)) {
            ctx.report({ message: `The summary of ${method.toUpperCase()} ${path} must name the PMS ("${name}").`, location: ctx.location.child(["paths", path, method, "summary"]) });
          }
        }
      },
    },
  };
}

/** Whether `zone` names a time zone the runtime's Intl knows (IANA names such as `UTC`). */
function knownZone(zone) {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Every PMS says how it reads an appointment's date and time, in `x-propexo-time-zone` on its tag:
 * an IANA time zone it reads every time in, or `property` for the property's own zone. The
 * generator turns these into the table behind `appointmentSlotFor`, so a new PMS cannot be added
 * without one.
 */
function PmsTimeZone() {
  return {
    Root: {
      enter(root, ctx) {
        (root.tags ?? []).forEach((tag, i) => {
          if (typeof tag?.["x-propexo-pms"] !== "string") return;
          const zone = tag["x-propexo-time-zone"];
          const at = ctx.location.child(["tags", i]);
          if (zone === undefined) {
            ctx.report({ message: `The PMS tag "${tag.name}" needs x-propexo-time-zone: the IANA time zone the PMS reads appointment times in, or "property".`, location: at });
          } else if (zone !== "property" && (typeof zone !== "string" || !knownZone(zone))) {
            ctx.report({ message: `x-propexo-time-zone of "${tag.name}" must be "property" or an IANA time zone such as "UTC" or "America/Denver", not ${JSON.stringify(zone)}.`, location: at.child("x-propexo-time-zone") });
          }
        });
      },
    },
  };
}

export default function propexoRules() {
  return {
    id: "propexo",
    rules: {
      oas3: {
        "per-pms-operation-names-vendor": PerPmsOperationNamesVendor,
        "per-pms-summary-names-vendor": PerPmsSummaryNamesVendor,
        "pms-time-zone": PmsTimeZone,
      },
    },
  };
}
