import { Errors, SmsprocError } from '../domain/errors.js';
import type { MessageId } from '../domain/ids.js';
import { MessageStatus } from '../domain/status.js';
import type { MessageSearch } from '../storage/stats-port.js';

/** Query parameters of the statistics pages and API: date ranges and message search filters. */

const DAY_MS = 86_400_000;
/** Reports and searches without dates cover the last 30 days (up to what the ledger keeps). */
const DEFAULT_SPAN_MS = 30 * DAY_MS;
const MAX_LIMIT = 1000;

type Query = Readonly<Record<string, unknown>>;

function text(query: Query, name: string): string | undefined {
  const value = query[name];
  const first = Array.isArray(value) ? (value[0] as unknown) : value;
  if (typeof first !== 'string') return undefined;
  const trimmed = first.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** `YYYY-MM-DD` (a UTC day; as `until`, the whole day is included) or an ISO 8601 time. */
function time(query: Query, name: 'since' | 'until'): number | undefined {
  const value = text(query, name);
  if (value === undefined) return undefined;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const day = Date.parse(`${value}T00:00:00Z`);
    if (Number.isNaN(day)) throw new SmsprocError(Errors.PARAMETER_INVALID, { parameter: name, detail: 'give a date as YYYY-MM-DD' });
    return name === 'until' ? day + DAY_MS : day;
  }
  const at = Date.parse(value);
  if (Number.isNaN(at)) throw new SmsprocError(Errors.PARAMETER_INVALID, { parameter: name, detail: 'give a date as YYYY-MM-DD or an ISO 8601 time' });
  return at;
}

export function dateRange(query: Query, now: number): { readonly since: Date; readonly until: Date } {
  const until = time(query, 'until') ?? now + 1;
  const since = time(query, 'since') ?? until - DEFAULT_SPAN_MS;
  if (since >= until) throw new SmsprocError(Errors.PARAMETER_INVALID, { parameter: 'since', detail: 'must be before until' });
  return { since: new Date(since), until: new Date(until) };
}

/** The date inputs' default values: the last 30 days, as UTC days. */
export function defaultDates(now: number): { readonly since: string; readonly until: string } {
  return { since: new Date(now - DEFAULT_SPAN_MS + DAY_MS).toISOString().slice(0, 10), until: new Date(now).toISOString().slice(0, 10) };
}

export function searchOf(query: Query, clientId: MessageSearch['clientId'], now: number): MessageSearch {
  const { since, until } = dateRange(query, now);
  const status = text(query, 'status');
  if (status !== undefined && !(Object.values(MessageStatus) as string[]).includes(status)) {
    throw new SmsprocError(Errors.PARAMETER_INVALID, { parameter: 'status', detail: `use one of ${Object.values(MessageStatus).join(', ')}` });
  }
  const limitText = text(query, 'limit');
  const limit = limitText === undefined ? 100 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw new SmsprocError(Errors.PARAMETER_INVALID, { parameter: 'limit', detail: `give 1 to ${MAX_LIMIT}` });
  // Numbers are stored as E.164 digits: "+7 916 123-45-67" finds 79161234567.
  const number = text(query, 'number')?.replace(/[\s()+-]/g, '');
  const id = text(query, 'id');
  const sender = text(query, 'sender');
  const clientRef = text(query, 'clientRef');
  return {
    clientId, since, until, limit,
    ...(number === undefined || number === '' ? {} : { recipient: number }),
    ...(id === undefined ? {} : { id: id as MessageId }),
    ...(sender === undefined ? {} : { sender }),
    ...(clientRef === undefined ? {} : { clientRef }),
    ...(status === undefined ? {} : { status: status as MessageStatus }),
  };
}
