// The shared pacer's one atomic step, run in Redis (EVALSHA, EVAL on NOSCRIPT). It keeps the
// whole state of src/core/rate-limit.ts's RateLimiter under one key, packed with cmsgpack (float64
// numbers, so times survive exactly), and each operation is the local pacer's own step written in
// Lua: `take` is RateLimiter.take(), `finish` is observe() then settle() of one ticket, `observe` is
// observe() without one. test/redis/agreement.test.ts feeds both the same inputs and compares every
// answer. What the local pacer has no need of comes on top, and only there: the clock is Redis's
// TIME, so processes with skewed clocks agree; a call in flight longer than the window plus a
// bound is presumed dead (its process died) and dropped, so it cannot hold budget or memory; the
// key expires on its own; processes seen in the last three windows are counted, for the share each
// takes should Redis become unreachable; and `merge` adds the calls a process sent while it could
// not reach Redis.
//
// Lua numbers are IEEE doubles like JavaScript's, and every product below is written as in the
// TypeScript (W * (1/30), not W / 30) so that both round alike. Numbers go back as %.17g strings:
// Redis would truncate a Lua number reply to an integer.
//
// KEYS[1]: the budget's key.
// ARGV: op, now ("" = Redis TIME), windowMs, in-flight bound ms, process id, configured limit,
//       then per op:
//   take:    deadline ("" = none: refuse when Redis's clock has passed it, as the caller gave up),
//            ahead ms ("" = 0), then one id per call waiting: as many RateLimiter.take() at this
//            instant, until one waits; a call whose turn comes within `ahead` is admitted at that
//            turn (the take() the local pacer would answer then), so its process need not ask again
//   finish:  id, limit, remaining, status, retryAfterMs, sentAt, elapsedMs  ("" = absent)
//   observe: limit, remaining, status, retryAfterMs
//   merge:   reserve, count, then count × (id, age ms, settled 0/1)
// Replies: take → { "1", now, ..., admitted, then each admitted call's delay ms (0: now) } when
//          the first n ids may go, { "0", wait ms, ... } when none may, { "-1", now } late; the others
//          { "1", now, ... }; where "..." is the processes seen lately, the limit in force and the
//          calls in the log.
import { retryPolicy } from "../core/retry.js";

export const PACER_SCRIPT = `
local key = KEYS[1]
local op = ARGV[1]
local now = tonumber(ARGV[2])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
end
local W = tonumber(ARGV[3])
local inFlight = tonumber(ARGV[4])
local pid = ARGV[5]
local SLOWDOWN_SHARE = 0.8
local SLOWDOWN_OF_WINDOW = 1 / 30
-- The longest pause after a 429 (retryPolicy.maxRetryAfterMs): a longer Retry-After fails its
-- own call at once, and later calls wait only this long.
local MAX_RETRY_AFTER = ${retryPolicy.maxRetryAfterMs}
local function fmt(x) return string.format('%.17g', x) end

local blob = redis.call('GET', key)
local s
if blob then
  s = cmsgpack.unpack(blob)
else
  s = { limit = 1, unslowed = 1, foreign = 0, foreignUntil = 0, pausedUntil = 0, sent = {}, fleet = {} }
end

local function setLimit(limit)
  if limit and limit > 0 then
    s.limit = math.max(1, math.floor(limit))
    s.unslowed = math.max(1, math.floor(limit * SLOWDOWN_SHARE))
  end
end
if not blob then setLimit(tonumber(ARGV[6]) or 150) end

local sent = s.sent
-- A call in flight longer than the window and the bound is presumed dead with its process.
do
  local kept = {}
  for _, t in ipairs(sent) do
    if t[3] == 1 or t[2] > now - W - inFlight then kept[#kept + 1] = t end
  end
  sent = kept
  s.sent = kept
end

-- Processes seen in the last three windows: one that waits a whole window between two steps
-- still counts, so the shares taken while Redis is unreachable never add up to more than the limit.
local function count(pidSeen)
  if pidSeen then s.fleet[pid] = now end
  local n = 0
  for p, seen in pairs(s.fleet) do
    if seen <= now - 3 * W then s.fleet[p] = nil else n = n + 1 end
  end
  return n
end

local function save()
  local ttl = math.max(3 * W + inFlight, s.pausedUntil - now + W, s.foreignUntil - now + W)
  redis.call('SET', key, cmsgpack.pack(s), 'PX', string.format('%.0f', math.ceil(ttl)))
end

-- RateLimiter.observe()
local function observe(limit, remaining, status, retryAfterMs, at)
  setLimit(limit)
  local slowed = false
  if remaining then
    if status ~= 429 then slowed = s.limit - remaining > s.unslowed end
    local foreign = s.limit - remaining - #sent
    if foreign > s.foreign then
      s.foreign = foreign
      s.foreignUntil = at + W
    end
    if remaining <= 0 then
      local first = at
      for _, t in ipairs(sent) do first = math.min(first, t[2]) end
      s.pausedUntil = math.max(s.pausedUntil, first + W)
    end
  end
  if status == 429 then s.pausedUntil = math.max(s.pausedUntil, at + math.min(retryAfterMs or W / 4, MAX_RETRY_AFTER)) end
  return slowed
end

-- RateLimiter.settle()
local function settle(id, sentAt, slowed, at)
  for _, t in ipairs(sent) do
    if t[1] == id then
      t[2] = math.max(t[2], at - (slowed and W * SLOWDOWN_OF_WINDOW or 0))
      t[3] = 1
      return
    end
  end
  -- Dropped as dead (or never seen): its answer still counts from now on.
  local t = { id, math.max(sentAt or -math.huge, at - (slowed and W * SLOWDOWN_OF_WINDOW or 0)), 1 }
  if t[2] > now - W then sent[#sent + 1] = t end
end

if op == 'take' then
  local deadline = tonumber(ARGV[7])
  if deadline and now > deadline then return { '-1', fmt(now) } end
  local ahead = tonumber(ARGV[8]) or 0
  local admitted, wait, delays = 0, 0, {}
  for i = 9, #ARGV do
    -- RateLimiter.take()
    while #sent > 0 and sent[1][3] == 1 and sent[1][2] <= now - W do table.remove(sent, 1) end
    if now >= s.foreignUntil then s.foreign = 0 end
    local times
    local function opens(free)
      if #sent < free then return now end
      if free <= 0 then return s.foreignUntil end
      if not times then
        times = {}
        for j, t in ipairs(sent) do times[j] = t[2] end
        table.sort(times)
      end
      return times[#times - free + 1] + W
    end
    local unslowed = opens(s.unslowed - s.foreign)
    local belowLimit = opens(s.limit - s.foreign)
    local slot = unslowed
    if unslowed - belowLimit > W * SLOWDOWN_OF_WINDOW then slot = belowLimit end
    wait = math.max(slot, s.pausedUntil) - now
    if wait > ahead then break end
    local at = now + math.max(wait, 0)
    sent[#sent + 1] = { ARGV[i], at, 0 }
    admitted = admitted + 1
    delays[admitted] = fmt(math.max(wait, 0))
  end
  local fleet = count(true)
  save()
  if admitted == 0 then return { '0', fmt(wait), tostring(fleet), fmt(s.limit), tostring(#sent) } end
  local reply = { '1', fmt(now), tostring(fleet), fmt(s.limit), tostring(#sent), tostring(admitted) }
  for _, d in ipairs(delays) do reply[#reply + 1] = d end
  return reply
end

if op == 'finish' then
  -- observe() and settle() of one answer, at the time it came: Redis's clock now, or, when the
  -- caller measured it, no later than the send time plus the time the caller saw pass since.
  local at = now
  local sentAt, elapsed = tonumber(ARGV[12]), tonumber(ARGV[13])
  if sentAt and elapsed then at = math.min(now, sentAt + elapsed) end
  local slowed = observe(tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10]), tonumber(ARGV[11]), at)
  settle(ARGV[7], sentAt, slowed, at)
elseif op == 'observe' then
  observe(tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10]), now)
elseif op == 'merge' then
  -- A process back from pacing alone adds what it sent, and holds room for what the others may
  -- still be sending alone (their shares), for a window: they add theirs as they come back.
  local reserve = tonumber(ARGV[7])
  if reserve > 0 and reserve >= s.foreign then
    s.foreign = reserve
    s.foreignUntil = now + W
  end
  local n = tonumber(ARGV[8])
  for i = 0, n - 1 do
    local id, at, settled = ARGV[9 + 3 * i], now - tonumber(ARGV[10 + 3 * i]), tonumber(ARGV[11 + 3 * i])
    local known = false
    for _, t in ipairs(sent) do if t[1] == id then known = true end end
    if not known and (settled == 0 or at > now - W) then sent[#sent + 1] = { id, at, settled } end
  end
elseif op ~= 'probe' then
  return redis.error_reply('unknown op ' .. tostring(op))
end
local fleet = count(op == 'merge')
save()
return { '1', fmt(now), tostring(fleet), fmt(s.limit), tostring(#sent) }
`;

/** Numbers go to the script as text; "" stands for absent. */
export const arg = (n: number | undefined) => (n === undefined ? "" : String(n));

/** The script answers numbers as %.17g text, infinity as "inf". */
export const num = (text: unknown) => (text === "inf" ? Infinity : Number(text));

/**
 * A response's rate-limit facts as the script takes them (limit, remaining, status, retryAfterMs),
 * read exactly as RateLimiter.observe reads the headers.
 */
export function facts(headers: Headers, status: number, retryAfterMs: number | undefined): string[] {
  const limit = parseInt(headers.get("x-ratelimit-limit")!);
  const remaining = parseInt(headers.get("x-ratelimit-remaining")!);
  return [limit > 0 ? String(limit) : "", Number.isFinite(remaining) ? String(remaining) : "", String(status), arg(retryAfterMs)];
}

/** What every step passes before its own arguments. */
export interface StepContext {
  windowMs: number;
  inFlightMs: number;
  /** Names the process in the fleet count. */
  pid: string;
  requestsPerMinute: number;
}

/** The ARGV of one step; `now` is undefined in use (Redis's clock) and set only by tests. */
export function stepArguments(op: string, now: number | undefined, c: StepContext, args: string[]): string[] {
  return [op, arg(now), String(c.windowMs), String(c.inFlightMs), c.pid, String(c.requestsPerMinute), ...args];
}
