import type { RouteId } from '../domain/ids.js';
import type { PrefixRecord, RouteRecord } from '../domain/provisioning.js';

/**
 * MT routing (pure): a number-portability override beats every prefix, then the longest matching
 * prefix wins. Disabled routes are skipped, so a shorter prefix (or the empty catch-all prefix) on an
 * enabled route takes over.
 */
export interface MtRouteTable {
  readonly routes: ReadonlyMap<RouteId, RouteRecord>;
  readonly prefixes: ReadonlyMap<string, RouteId>;
  readonly longestPrefix: number;
}

export function buildMtRouteTable(routes: readonly RouteRecord[], prefixes: readonly PrefixRecord[]): MtRouteTable {
  const prefixMap = new Map<string, RouteId>();
  let longestPrefix = 0;
  for (const { prefix, routeId } of prefixes) {
    prefixMap.set(prefix, routeId);
    longestPrefix = Math.max(longestPrefix, prefix.length);
  }
  return { routes: new Map(routes.map((route) => [route.id, route])), prefixes: prefixMap, longestPrefix };
}

function enabled(table: MtRouteTable, routeId: RouteId | undefined): RouteRecord | null {
  if (routeId === undefined) return null;
  const route = table.routes.get(routeId);
  return route !== undefined && !route.disabled ? route : null;
}

/** The route for an E.164 number; `override` is the number's portability entry, if it has one. */
export function routeMt(table: MtRouteTable, msisdn: string, override?: RouteId): RouteRecord | null {
  const overridden = enabled(table, override);
  if (overridden !== null) return overridden;
  for (let length = Math.min(msisdn.length, table.longestPrefix); length >= 0; length--) {
    const route = enabled(table, table.prefixes.get(msisdn.slice(0, length)));
    if (route !== null) return route;
  }
  return null;
}
