import { v7 as uuidv7 } from 'uuid';

declare const brand: unique symbol;
/** A string or number that carries which kind of id it is, so ids of different kinds cannot be mixed up. */
export type Brand<T, B extends string> = T & { readonly [brand]: B };

/** Our message id: a UUIDv7 (36 ASCII characters, time-ordered), unique across nodes without coordination. */
export type MessageId = Brand<string, 'MessageId'>;
/** A client's account id, chosen by the operator (e.g. `acme-bank`). */
export type ClientId = Brand<string, 'ClientId'>;
/** An operator route id, chosen by the operator (e.g. `mts-1`). */
export type RouteId = Brand<string, 'RouteId'>;
/** One SMPP session of a route: `route/<routeId>/bind/<n>`. */
export type BindId = Brand<string, 'BindId'>;

export function newMessageId(): MessageId {
  return uuidv7() as MessageId;
}

export function bindIdOf(routeId: RouteId, index: number): BindId {
  return `route/${routeId}/bind/${index}` as BindId;
}

const slugPattern = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** Client and route ids are short lower-case slugs: safe in URLs, logs, metric labels and etcd keys. */
export function isSlug(value: string): boolean {
  return slugPattern.test(value);
}
