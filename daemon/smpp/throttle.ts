/**
 * Per-bind submit rate: a token bucket whose rate adapts to the SMSC's flow control (AIMD).
 * ESME_RTHROTTLED / ESME_RMSGQFUL halve the rate (not below the floor) and pause sending briefly;
 * afterwards the rate grows back linearly to the configured maximum. Pure: time is an argument and
 * the state is a plain record that these functions update in place.
 */
export interface ThrottleConfig {
  /** Configured submits per second of the bind (the route's per-bind TPS). */
  readonly maxTps: number;
  /** Lowest rate the halving can reach. */
  readonly floorTps: number;
  /** Nothing is sent for this long after a throttling response. */
  readonly pauseMs: number;
  /** Additive recovery, in submits per second gained per second. */
  readonly recoveryTpsPerSecond: number;
  /** Burst: the bucket holds at most this many seconds of tokens (at least one token). */
  readonly burstSeconds: number;
}

export interface ThrottleState {
  readonly config: ThrottleConfig;
  rateTps: number;
  tokens: number;
  lastRefillAt: number;
  pausedUntil: number;
}

/** Defaults for a bind of `maxTps`: floor 10 % (at least 1/s), pause 1 s, recovery 5 % of max per second, 100 ms burst. */
export function throttleConfigFor(maxTps: number, overrides: Partial<ThrottleConfig> = {}): ThrottleConfig {
  if (!(maxTps > 0)) throw new RangeError(`maxTps must be positive, is ${maxTps}`);
  const config: ThrottleConfig = {
    maxTps,
    floorTps: Math.min(maxTps, Math.max(1, maxTps * 0.1)),
    pauseMs: 1000,
    recoveryTpsPerSecond: maxTps * 0.05,
    burstSeconds: 0.1,
    ...overrides,
  };
  if (!(config.floorTps > 0 && config.floorTps <= config.maxTps)) throw new RangeError('floorTps must be in (0, maxTps]');
  return config;
}

export function createThrottle(config: ThrottleConfig, now: number): ThrottleState {
  return { config, rateTps: config.maxTps, tokens: capacity(config.maxTps, config), lastRefillAt: now, pausedUntil: now };
}

function capacity(rateTps: number, config: ThrottleConfig): number {
  return Math.max(1, rateTps * config.burstSeconds);
}

/** Adds the tokens and the additive recovery earned since the last refill. */
function refill(state: ThrottleState, now: number): void {
  // After a throttling response lastRefillAt is the end of the pause: nothing is earned during it.
  if (now <= state.lastRefillAt) return;
  const seconds = (now - state.lastRefillAt) / 1000;
  const { config } = state;
  state.tokens = Math.min(capacity(state.rateTps, config), state.tokens + seconds * state.rateTps);
  state.rateTps = Math.min(config.maxTps, state.rateTps + seconds * config.recoveryTpsPerSecond);
  state.lastRefillAt = now;
}

/** Takes one token when one is available now. */
export function tryTakeToken(state: ThrottleState, now: number): boolean {
  if (now < state.pausedUntil) return false;
  refill(state, now);
  if (state.tokens < 1) return false;
  state.tokens -= 1;
  return true;
}

/** When the next token will be available (now when one is). */
export function nextTokenAt(state: ThrottleState, now: number): number {
  if (now < state.pausedUntil) return state.pausedUntil;
  refill(state, now);
  if (state.tokens >= 1) return now;
  return now + Math.ceil(((1 - state.tokens) / state.rateTps) * 1000);
}

/**
 * A throttling response: halve the rate, empty the bucket (but one token) and pause. Responses to the rest of the
 * same burst arrive during the pause and do not halve again, so one overload costs one halving.
 * Returns whether the rate was cut.
 */
export function onThrottled(state: ThrottleState, now: number): boolean {
  if (now < state.pausedUntil) return false;
  refill(state, now);
  state.rateTps = Math.max(state.config.floorTps, state.rateTps / 2);
  // One token, usable when the pause ends: sending resumes then, at the lower rate.
  state.tokens = 1;
  state.pausedUntil = now + state.config.pauseMs;
  state.lastRefillAt = state.pausedUntil;
  return true;
}
