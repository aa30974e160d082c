/** When the ESME driver reconnects after losing (or failing to get) its bind. */
export interface ReconnectPolicy {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly multiplier: number;
  /** Share of the delay drawn at random (0..1), so binds of many nodes do not reconnect in step. */
  readonly jitter: number;
}

export const defaultReconnectPolicy: ReconnectPolicy = { initialDelayMs: 1000, maxDelayMs: 60_000, multiplier: 2, jitter: 0.5 };

/**
 * Delay before reconnect attempt `attempt` (0 for the first after a loss): exponential up to the
 * maximum, then reduced by up to `jitter` of itself. `random` returns [0, 1) and is injected.
 */
export function reconnectDelayMs(attempt: number, policy: ReconnectPolicy, random: () => number): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.multiplier ** Math.min(attempt, 64));
  return Math.round(base * (1 - policy.jitter * random()));
}
