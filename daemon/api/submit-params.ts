import { Errors, SmsprocError } from '../domain/errors.js';

/**
 * The submit parameters as a client sent them (query, form or JSON, all the same names), checked
 * for type only; what the values mean is checked by validateSubmission.
 */
export interface SubmitParams {
  readonly from: string | undefined;
  /** Raw recipients: one, comma-separated, or a JSON array. */
  readonly to: readonly string[];
  readonly text: string | undefined;
  readonly dlr: boolean;
  readonly validity: string | undefined;
  readonly schedule: string | undefined;
  readonly priority: string | undefined;
  readonly clientRef: string | undefined;
  readonly coding: string | undefined;
}

export type RawParams = Readonly<Record<string, unknown>>;

function invalid(parameter: string, detail: string): SmsprocError {
  return new SmsprocError(Errors.PARAMETER_INVALID, { parameter, detail });
}

/** A scalar parameter as text; empty means absent. Repeated form fields take the last value. */
export function textParam(raw: RawParams, name: string): string | undefined {
  let value = raw[name];
  if (Array.isArray(value)) value = value[value.length - 1];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw invalid(name, 'give a string or a number');
}

function booleanParam(raw: RawParams, name: string): boolean {
  const value = raw[name];
  if (typeof value === 'boolean') return value;
  const text = textParam(raw, name)?.toLowerCase();
  if (text === undefined || text === 'false' || text === '0' || text === 'no') return false;
  if (text === 'true' || text === '1' || text === 'yes') return true;
  throw invalid(name, 'give true or false');
}

function recipientsParam(raw: RawParams): string[] {
  const value = raw.to;
  const items: unknown[] = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  return items.flatMap((item) => {
    if (typeof item === 'number') return [String(item)];
    if (typeof item !== 'string') throw invalid('to', 'give phone numbers as strings');
    return item.split(',').map((part) => part.trim()).filter((part) => part !== '');
  });
}

export function parseSubmitParams(raw: RawParams): SubmitParams {
  return {
    from: textParam(raw, 'from'),
    to: recipientsParam(raw),
    text: textParam(raw, 'text'),
    dlr: booleanParam(raw, 'dlr'),
    validity: textParam(raw, 'validity'),
    schedule: textParam(raw, 'schedule'),
    priority: textParam(raw, 'priority'),
    clientRef: textParam(raw, 'clientRef'),
    coding: textParam(raw, 'coding'),
  };
}
