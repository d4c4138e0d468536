// Logging with levels and with the token scrubbed from every line.

/** How much the client logs: nothing, errors, warnings (the default), requests, or everything. */
export type LogLevel = "off" | "error" | "warn" | "info" | "debug";

/** Anything with console's four methods; `console` itself works. */
export interface Logger {
  error(message: string, ...rest: unknown[]): void;
  warn(message: string, ...rest: unknown[]): void;
  info(message: string, ...rest: unknown[]): void;
  debug(message: string, ...rest: unknown[]): void;
}

const RANK: Record<LogLevel, number> = { off: 0, error: 1, warn: 2, info: 3, debug: 4 };

/** A logger that drops lines below `level` and passes each line through `scrub`. */
export function levelled(logger: Logger, level: LogLevel, scrub: (text: string) => string): Logger {
  const at = (name: Exclude<LogLevel, "off">) => (message: string) => {
    if (RANK[level] >= RANK[name]) logger[name](scrub(`[propexo] ${message}`));
  };
  return { error: at("error"), warn: at("warn"), info: at("info"), debug: at("debug") };
}
