// The error class each status with a class of its own maps to, as the README's Errors section
// lists them; the unit tests check it on errorFromResponse and through a client call.
import { AuthenticationError, BadRequestError, InternalServerError, NotFoundError, PermissionDeniedError, RateLimitError, UnsupportedOperationError } from "../../src/index.js";

/** [status, class] for every status that has a class of its own (5xx: the first and the last). */
export const STATUS_CLASSES = [
  [400, BadRequestError],
  [401, AuthenticationError],
  [403, PermissionDeniedError],
  [404, NotFoundError],
  [405, UnsupportedOperationError],
  [429, RateLimitError],
  [500, InternalServerError],
  [599, InternalServerError],
] as const;
