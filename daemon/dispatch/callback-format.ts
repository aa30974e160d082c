/**
 * Turns one outbox event into the HTTP request the client chose (docs/callbacks.md, "Formats"):
 * GET with query parameters, POST form, POST JSON or POST XML; a Kannel dlr-url event is a GET of
 * the client's URL with its escapes filled. Pure: the same event always gives the same request.
 */
import type { CallbackFormat } from '../domain/provisioning.js';
import type { CallbackEvent } from '../storage/port.js';
import { fillKannelDlrUrl } from './kannel-dlr-url.js';

export interface CallbackRequest {
  readonly method: 'GET' | 'POST';
  readonly url: string;
  readonly body: string | null;
  readonly contentType: string | null;
  /** What the signature covers: the body, or for a GET the query string as sent (after `?`). */
  readonly signedPart: string;
}

type FieldValue = string | number | boolean | null;

/** The event's fields as the client sees them: eventId and type first, then the payload. */
export function callbackFields(event: CallbackEvent): ReadonlyArray<readonly [string, FieldValue]> {
  const fields: Array<readonly [string, FieldValue]> = [
    ['eventId', event.id],
    ['type', event.kind],
  ];
  for (const [key, value] of Object.entries(event.payload)) {
    if (key !== 'eventId' && key !== 'type') fields.push([key, value]);
  }
  return fields;
}

/** Throws when the event's URL is not a valid http(s) URL: such an event can never be delivered. */
export function buildCallbackRequest(event: CallbackEvent, format: CallbackFormat): CallbackRequest {
  if (event.kannel) return getRequest(fillKannelDlrUrl(event.url, event.payload, event.createdAt), '');
  const fields = callbackFields(event);
  switch (format) {
    case 'get':
      return getRequest(event.url, formEncode(fields));
    case 'post-form':
      return postRequest(event.url, formEncode(fields), 'application/x-www-form-urlencoded');
    case 'post-json':
      return postRequest(event.url, JSON.stringify(Object.fromEntries(fields)), 'application/json');
    case 'post-xml':
      return postRequest(event.url, xmlDocument(event.kind, fields), 'application/xml; charset=utf-8');
  }
}

function postRequest(url: string, body: string, contentType: string): CallbackRequest {
  return { method: 'POST', url: target(url).href, body, contentType, signedPart: body };
}

/**
 * Appends `query` to the URL's own query string. The signature covers the query string as it goes on
 * the wire, that is after URL serialisation (which percent-encodes spaces, quotes and the like).
 */
function getRequest(url: string, query: string): CallbackRequest {
  const parsed = target(url);
  const own = parsed.search.slice(1);
  if (query !== '') parsed.search = own === '' || own.endsWith('&') ? own + query : `${own}&${query}`;
  return { method: 'GET', url: parsed.href, body: null, contentType: null, signedPart: parsed.search.slice(1) };
}

/** The URL to call: http or https only (anything else can never succeed); the fragment is never sent. */
function target(url: string): URL {
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`not an http(s) URL: ${parsed.protocol}`);
  parsed.hash = '';
  return parsed;
}

/** application/x-www-form-urlencoded; null is an empty value, booleans are `true`/`false`. */
function formEncode(fields: ReadonlyArray<readonly [string, FieldValue]>): string {
  const params = new URLSearchParams();
  for (const [key, value] of fields) params.append(key, value === null ? '' : String(value));
  return params.toString();
}

const xmlNamePattern = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** `<callback type="dlr"><eventId>…</eventId>…</callback>`: one element per field; null is an empty element. */
function xmlDocument(kind: string, fields: ReadonlyArray<readonly [string, FieldValue]>): string {
  const elements = fields.map(([name, value]) => {
    if (!xmlNamePattern.test(name)) throw new Error(`callback field name is not an XML name: ${name}`);
    return value === null ? `<${name}/>` : `<${name}>${xmlEscape(String(value))}</${name}>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<callback type="${xmlEscape(kind)}">${elements.join('')}</callback>\n`;
}

/** Escapes markup; characters XML 1.0 cannot carry at all (most C0 controls, lone surrogates) become U+FFFD. */
export function xmlEscape(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (code < 0x20 ? code !== 0x09 && code !== 0x0a && code !== 0x0d : (code >= 0xd800 && code <= 0xdfff) || code === 0xfffe || code === 0xffff) {
      out += '\uFFFD';
    } else {
      out += xmlEntities[char] ?? char;
    }
  }
  return out;
}

const xmlEntities: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
