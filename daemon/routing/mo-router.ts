/**
 * MO routing: which client gets an inbound SMS, from its short code and first word (docs/mo.md).
 * Built once per provisioning snapshot; route() is then a few map lookups.
 */
import type { ClientId } from '../domain/ids.js';
import type { ClientRecord, KeywordRegistration } from '../domain/provisioning.js';
import { normalizeKeyword, wordsOf } from './keyword.js';

/** A keyword registration; `prefix` makes it match any first word that starts with the keyword. */
export type MoKeywordRegistration = KeywordRegistration & { readonly prefix?: boolean };

/** The part of a client record MO routing reads (ClientRecord fits). */
export interface MoRoutingClient {
  readonly id: ClientRecord['id'];
  readonly shortCodes: readonly string[];
  readonly keywords: readonly MoKeywordRegistration[];
}

export interface MoRouterOptions {
  /** Client that receives every MO nobody else matches; null reports such MO as unrouted. */
  readonly defaultClientId: ClientId | null;
}

export type UnmatchedReason = 'unknown-short-code' | 'no-keyword-match';

export type MoRoute =
  | {
      readonly kind: 'client';
      readonly clientId: ClientId;
      readonly via: 'short-code' | 'keyword';
      /** The first word upper-cased, or the registered keyword when a prefix registration matched. */
      readonly keyword: string;
      readonly args: string;
    }
  | { readonly kind: 'default'; readonly clientId: ClientId; readonly reason: UnmatchedReason; readonly keyword: string; readonly args: string }
  | { readonly kind: 'unrouted'; readonly reason: UnmatchedReason; readonly keyword: string; readonly args: string };

export interface MoRouter {
  route(shortCode: string, text: string): MoRoute;
}

interface PrefixRule {
  readonly keyword: string;
  readonly clientId: ClientId;
}

interface SharedCode {
  readonly exact: Map<string, ClientId>;
  /** Longest keyword first, so the most specific prefix wins. */
  readonly prefixes: PrefixRule[];
}

/**
 * Builds the router. Conflicting registrations resolve to the first in `clients` order; call
 * validateMoRouting to reject them at provisioning time instead.
 */
export function buildMoRouter(clients: readonly MoRoutingClient[], options: MoRouterOptions): MoRouter {
  const exclusive = new Map<string, ClientId>();
  for (const client of clients) {
    for (const code of client.shortCodes) if (!exclusive.has(code)) exclusive.set(code, client.id);
  }
  const shared = new Map<string, SharedCode>();
  for (const client of clients) {
    for (const registration of client.keywords) {
      const keyword = normalizeKeyword(registration.keyword);
      if (keyword === '' || exclusive.has(registration.shortCode)) continue;
      let code = shared.get(registration.shortCode);
      if (code === undefined) {
        code = { exact: new Map(), prefixes: [] };
        shared.set(registration.shortCode, code);
      }
      if (registration.prefix === true) {
        if (!code.prefixes.some((rule) => rule.keyword === keyword)) code.prefixes.push({ keyword, clientId: client.id });
      } else if (!code.exact.has(keyword)) {
        code.exact.set(keyword, client.id);
      }
    }
  }
  for (const code of shared.values()) code.prefixes.sort((a, b) => b.keyword.length - a.keyword.length);

  function unmatched(reason: UnmatchedReason, keyword: string, args: string): MoRoute {
    return options.defaultClientId === null
      ? { kind: 'unrouted', reason, keyword, args }
      : { kind: 'default', clientId: options.defaultClientId, reason, keyword, args };
  }

  return {
    route(shortCode: string, text: string): MoRoute {
      const [first = '', ...rest] = wordsOf(text);
      const keyword = normalizeKeyword(first);
      const args = rest.join(' ');
      const owner = exclusive.get(shortCode);
      if (owner !== undefined) return { kind: 'client', clientId: owner, via: 'short-code', keyword, args };
      const code = shared.get(shortCode);
      if (code === undefined) return unmatched('unknown-short-code', keyword, args);
      const exact = code.exact.get(keyword);
      if (exact !== undefined) return { kind: 'client', clientId: exact, via: 'keyword', keyword, args };
      for (const rule of code.prefixes) {
        const remainder = remainderAfterPrefix(first, rule.keyword);
        if (remainder === null) continue;
        const prefixArgs = [remainder, ...rest].filter((word) => word !== '').join(' ');
        return { kind: 'client', clientId: rule.clientId, via: 'keyword', keyword: rule.keyword, args: prefixArgs };
      }
      return unmatched('no-keyword-match', keyword, args);
    },
  };
}

/**
 * What follows `keyword` in `word`, case kept, or null when `word` does not start with it.
 * Walks characters because upper-casing can change length (ß → SS); a keyword that ends inside
 * one character's upper-case form does not match.
 */
function remainderAfterPrefix(word: string, keyword: string): string | null {
  let upper = '';
  let index = 0;
  for (const char of word) {
    if (upper === keyword) return word.slice(index);
    upper += normalizeKeyword(char);
    index += char.length;
    if (!keyword.startsWith(upper)) return null;
  }
  return upper === keyword ? '' : null;
}

export type MoRoutingProblemKind =
  | 'exclusive-code-conflict'
  | 'exclusive-code-has-keywords'
  | 'keyword-conflict'
  | 'duplicate-keyword'
  | 'invalid-keyword'
  | 'unknown-default-client';

export interface MoRoutingProblem {
  readonly kind: MoRoutingProblemKind;
  readonly shortCode: string | null;
  readonly clientIds: readonly ClientId[];
  readonly message: string;
}

/** Every registration that is ambiguous, unreachable or malformed, each with what to fix. */
export function validateMoRouting(clients: readonly MoRoutingClient[], options: MoRouterOptions): MoRoutingProblem[] {
  const problems: MoRoutingProblem[] = [];
  const exclusiveOwners = new Map<string, ClientId[]>();
  for (const client of clients) {
    for (const code of new Set(client.shortCodes)) exclusiveOwners.set(code, [...(exclusiveOwners.get(code) ?? []), client.id]);
  }
  for (const [code, owners] of exclusiveOwners) {
    if (owners.length > 1) {
      problems.push({
        kind: 'exclusive-code-conflict',
        shortCode: code,
        clientIds: owners,
        message: `short code ${code} is exclusive to several clients (${owners.join(', ')}); only ${owners[0]} would receive its MO: keep it on one client`,
      });
    }
  }

  const keywordOwners = new Map<string, { shortCode: string; keyword: string; clientIds: ClientId[] }>();
  for (const client of clients) {
    for (const registration of client.keywords) {
      const keyword = normalizeKeyword(registration.keyword);
      const words = wordsOf(registration.keyword);
      if (words.length !== 1 || words[0] !== registration.keyword || keyword !== registration.keyword) {
        problems.push({
          kind: 'invalid-keyword',
          shortCode: registration.shortCode,
          clientIds: [client.id],
          message: `client ${client.id} registers keyword ${JSON.stringify(registration.keyword)} on ${registration.shortCode}: a keyword is one word without spaces, stored upper-cased${keyword === '' ? '' : ` (${JSON.stringify(keyword)})`}`,
        });
        if (keyword === '') continue;
      }
      const owner = exclusiveOwners.get(registration.shortCode)?.[0];
      if (owner !== undefined) {
        problems.push({
          kind: 'exclusive-code-has-keywords',
          shortCode: registration.shortCode,
          clientIds: owner === client.id ? [client.id] : [owner, client.id],
          message: `short code ${registration.shortCode} is exclusive to client ${owner}, so keyword ${keyword} of client ${client.id} on it never matches: remove the keyword or make the code shared`,
        });
        continue;
      }
      const key = JSON.stringify([registration.shortCode, keyword]);
      const entry = keywordOwners.get(key) ?? { shortCode: registration.shortCode, keyword, clientIds: [] };
      entry.clientIds.push(client.id);
      keywordOwners.set(key, entry);
    }
  }
  for (const { shortCode, keyword, clientIds } of keywordOwners.values()) {
    const distinct = [...new Set(clientIds)];
    if (distinct.length > 1) {
      problems.push({
        kind: 'keyword-conflict',
        shortCode,
        clientIds: distinct,
        message: `keyword ${keyword} on short code ${shortCode} is registered by several clients (${distinct.join(', ')}); only ${distinct[0]} would receive it: keep it on one client`,
      });
    } else if (clientIds.length > 1) {
      problems.push({
        kind: 'duplicate-keyword',
        shortCode,
        clientIds: distinct,
        message: `client ${distinct[0]} registers keyword ${keyword} on short code ${shortCode} more than once: keep one registration`,
      });
    }
  }

  const defaultClientId = options.defaultClientId;
  if (defaultClientId !== null && !clients.some((client) => client.id === defaultClientId)) {
    problems.push({
      kind: 'unknown-default-client',
      shortCode: null,
      clientIds: [defaultClientId],
      message: `the default MO client ${defaultClientId} does not exist: create it or change the setting`,
    });
  }
  return problems;
}
