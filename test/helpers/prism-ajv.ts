// Ajv 2020 set up the way Prism 5.14 sets it up for a request body (prism-http's
// validator/validators/utils.js): all errors, union types, no strict mode, no coercion, the
// ajv-formats formats, and Prism's own date-time. The tests use it as the oracle that the
// client's validator must agree with. (Prism's ajv-formats is 2.1.1 and ours 3.0.1; the formats
// the client implements other than date-time, i.e. date, email and uri, are the same in both.)
import { date_time } from "@stoplight/prism-http/dist/validator/validators/dateTime.js";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

/** A fresh Ajv 2020 instance with Prism's options and formats. */
export function prismAjv(): Ajv2020 {
  const ajv = new Ajv2020({
    allErrors: true,
    allowUnionTypes: true,
    allowMatchingProperties: true,
    strict: false,
    coerceTypes: false,
    logger: false,
  });
  addFormats(ajv);
  ajv.addFormat("date-time", { validate: date_time });
  return ajv;
}
