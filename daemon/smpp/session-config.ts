import type { RouteRecord } from '../domain/provisioning.js';
import type { BindKind, SessionConfig } from './session-types.js';
import { throttleConfigFor, type ThrottleConfig } from './throttle.js';

/** Timer defaults, in milliseconds; docs/smpp-session.md explains each. */
export const sessionDefaults = {
  interfaceVersion: 0x34,
  addrTon: 0,
  addrNpi: 0,
  addressRange: '',
  systemType: '',
  connectTimeoutMs: 10_000,
  bindTimeoutMs: 10_000,
  responseTimeoutMs: 30_000,
  enquireLinkIntervalMs: 30_000,
  enquireLinkTimeoutMs: 10_000,
  drainTimeoutMs: 10_000,
  unbindTimeoutMs: 5_000,
  lateResponseMemory: 1024,
} as const;

export type SessionConfigInput = Partial<Omit<SessionConfig, 'throttle'>> &
  Pick<SessionConfig, 'bindKind' | 'systemId' | 'password' | 'windowSize'> & {
    /** Submits per second of this bind. */
    readonly tps: number;
    readonly throttle?: Partial<ThrottleConfig>;
  };

/** A complete, frozen session config: the given values over the defaults. */
export function sessionConfig(input: SessionConfigInput): SessionConfig {
  const { tps, throttle, ...rest } = input;
  if (!Number.isInteger(input.windowSize) || input.windowSize < 1) throw new RangeError(`windowSize must be a positive integer, is ${input.windowSize}`);
  const config: SessionConfig = { ...sessionDefaults, ...rest, throttle: Object.freeze(throttleConfigFor(tps, throttle)) };
  for (const [name, value] of Object.entries(config)) {
    if (name.endsWith('Ms') && !(typeof value === 'number' && value > 0 && Number.isFinite(value))) throw new RangeError(`${name} must be a positive number of milliseconds, is ${String(value)}`);
  }
  return Object.freeze(config);
}

/** The session of one bind of a route; a transmitter+receiver route runs one 'transmitter' and one 'receiver'. */
export function sessionConfigForRoute(route: RouteRecord, bindKind: BindKind, overrides: Partial<SessionConfigInput> = {}): SessionConfig {
  return sessionConfig({
    bindKind,
    systemId: route.systemId,
    password: route.password,
    systemType: route.systemType,
    windowSize: route.windowSize,
    tps: route.tps,
    ...overrides,
  });
}
