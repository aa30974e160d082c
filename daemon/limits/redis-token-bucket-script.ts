/**
 * The start both bucket scripts share (this one and the web login guard's): Redis's clock as `now`,
 * ARGV[1] rate per second and ARGV[2] capacity, and the bucket KEYS[1] (a hash: tokens, updated_ms)
 * refilled up to now as `tokens` / `updated` (an absent key is a full bucket).
 */
export const bucketRefillLua = `local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000 + math.floor(tonumber(now_parts[2]) / 1000)
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local stored = redis.call('HMGET', KEYS[1], 'tokens', 'updated_ms')
local tokens = tonumber(stored[1])
local updated = tonumber(stored[2])
if tokens == nil or updated == nil then
  tokens = capacity
  updated = now
end
if now > updated then
  tokens = math.min(capacity, tokens + (now - updated) * rate / 1000)
  updated = now
end
`;

/**
 * The token bucket of token-bucket.ts as one Redis Lua script, so that a take is atomic across every
 * node and timed by Redis's clock (TIME), not the nodes'. Same rules: refill at the rate up to the
 * capacity; a request larger than the capacity passes on a full bucket and leaves debt.
 *
 * KEYS[1]  the bucket (a hash: tokens, updated_ms)
 * ARGV     rate per second, capacity, segments to take
 * Returns  {1, 0} when taken, {0, retry-after ms} when refused.
 */
export const takeScript = `
${bucketRefillLua}local amount = tonumber(ARGV[3])
local needed = math.min(amount, capacity)
if tokens + 1e-9 >= needed then
  local left = tokens - amount
  redis.call('HSET', KEYS[1], 'tokens', tostring(left), 'updated_ms', tostring(updated))
  -- Once refilled the bucket is full, which is what an absent key means: let idle buckets expire.
  redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - left) * 1000 / rate) + 1000)
  return {1, 0}
end
-- A refusal changes nothing: the refill is a function of the stored state and the time.
return {0, math.ceil((needed - tokens) * 1000 / rate)}
`;
