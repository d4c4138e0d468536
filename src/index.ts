// The public surface of propexo-appointments. Everything a user may import is named here.
export { Propexo, environments, type ClientOptions, type Writes } from "./client.js";
export { ApiPromise } from "./core/api-promise.js";
export {
  PropexoError,
  ApiError,
  BadRequestError,
  AuthenticationError,
  PermissionDeniedError,
  NotFoundError,
  UnsupportedOperationError,
  RateLimitError,
  InternalServerError,
  RedirectError,
  InvalidResponseError,
  ResponseTooLargeError,
  ConnectionError,
  TimeoutError,
  AbortError,
  RequestValidationError,
  WebhookValidationError,
  WriteFailedError,
  type RequestSummary,
  type ValidationIssue,
  type WriteJobState,
} from "./core/errors.js";
export type { LogLevel, Logger } from "./core/logger.js";
export type { Page, PageMeta, Pager } from "./core/pagination.js";
export type { Pacer, PacerFactory, RateLimitOptions } from "./core/rate-limit.js";
export type { FetchOptions, RequestOptions, WithResponse } from "./core/request.js";
export type { WaitOptions, WriteStatusBody } from "./core/write-jobs.js";
export type { Args, Body, Method, Query, ResourceTree, Response200, Result, WriteJob } from "./core/types.js";
export { appointmentSlot, type AppointmentSlot } from "./core/time.js";
export { appointmentSlotFor, type PmsVendor, type PropertyZoneArg } from "./core/pms-time.js";
export { appointmentSlotAt, instantAt, nextWeekday, type LocalDateTime, type WeekdayOptions, type WeekdayTime } from "./core/local-time.js";
export { parseWebhook, type WebhookEvent, type WebhookPayload, type WebhookTrigger } from "./webhooks.js";
export { operations, pmsTimeZones, type OperationId } from "../generated/operations.js";
export type { paths, components, operations as OperationTypes, webhooks as WebhookTypes } from "../generated/schema.js";
// The resource interfaces and each operation's named parameter and result types.
export type * from "../generated/client.js";
