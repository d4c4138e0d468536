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
export type { RateLimitOptions } from "./core/rate-limit.js";
export type { RequestOptions, WithResponse } from "./core/request.js";
export type { WaitOptions, WriteStatusBody } from "./core/write-jobs.js";
export type { Args, Body, Method, Query, ResourceTree, Response200, Result, WriteJob } from "./core/types.js";
export { appointmentSlot, type AppointmentSlot } from "./core/time.js";
export { parseWebhook, type WebhookEvent, type WebhookPayload, type WebhookTrigger } from "./webhooks.js";
export { operations, type OperationId } from "../generated/operations.js";
export type { paths, components, operations as OperationTypes, webhooks as WebhookTypes } from "../generated/schema.js";
