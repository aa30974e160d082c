import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { Errors, SmsprocError } from '../domain/errors.js';
import type { UnitOutcome } from './acceptance.js';
import type { RawParams } from './submit-params.js';

/**
 * The XML submit format (docs/api/sms.xsd): `<request>` with an optional `<auth login password/>`
 * and one or more `<message>` elements whose children carry the submit parameters by name.
 * DTDs are refused before any parsing: no entity expansion (billion laughs), no external entities.
 */
export interface XmlRequest {
  readonly login: string | undefined;
  readonly password: string | undefined;
  /** The `<message>` elements as parsed; messageParamsOf reads each, so a bad one is refused on its own. */
  readonly messages: readonly unknown[];
}

/** The children a `<message>` may have; test/unit/api-xml.test.ts keeps docs/api/sms.xsd in step. */
export const MESSAGE_FIELDS: ReadonlySet<string> = new Set(['from', 'to', 'text', 'dlr', 'validity', 'schedule', 'priority', 'clientRef', 'coding']);
const declaration = /<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)/i;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: false,
  isArray: (name) => name === 'message' || name === 'to',
});

function malformed(detail: string): SmsprocError {
  return new SmsprocError(Errors.XML_MALFORMED, { detail });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Element text: a string, or an element with attributes whose text is under #text. */
function textOf(value: unknown, name: string): string {
  if (typeof value === 'string') return value;
  if (isRecord(value) && Object.keys(value).every((key) => key === '#text')) return typeof value['#text'] === 'string' ? value['#text'] : '';
  throw malformed(`<${name}> must hold text only`);
}

function messageParams(element: unknown): RawParams {
  if (!isRecord(element)) throw malformed('<message> must hold elements');
  const params: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(element)) {
    if (name === '#text') continue; // whitespace between elements
    if (!MESSAGE_FIELDS.has(name)) throw malformed(`unknown element <${name}> in <message>`);
    params[name] = name === 'to' ? (value as unknown[]).map((to) => textOf(to, 'to')) : textOf(value, name);
  }
  return params;
}

export function parseXmlRequest(text: string): XmlRequest {
  if (declaration.test(text)) throw new SmsprocError(Errors.XML_DTD_FORBIDDEN);
  const validation = XMLValidator.validate(text);
  if (validation !== true) throw malformed(`${validation.err.msg} (line ${validation.err.line})`);
  const document: unknown = parser.parse(text);
  const element = isRecord(document) ? document.request : undefined;
  // An empty <request/> parses as '' (or whitespace): a request with no messages.
  const root = typeof element === 'string' && element.trim() === '' ? {} : element;
  if (!isRecord(root)) throw malformed('the root element must be <request>');
  const auth = root.auth;
  if (auth !== undefined && !isRecord(auth) && auth !== '') throw malformed('<auth> takes attributes login and password');
  const messages = root.message;
  if (!Array.isArray(messages)) throw new SmsprocError(Errors.BATCH_EMPTY);
  return {
    login: isRecord(auth) && typeof auth['@_login'] === 'string' ? auth['@_login'] : undefined,
    password: isRecord(auth) && typeof auth['@_password'] === 'string' ? auth['@_password'] : undefined,
    messages,
  };
}

/** One `<message>` element as submit parameters; throws XML_MALFORMED for that item. */
export function messageParamsOf(element: unknown): RawParams {
  return messageParams(element);
}

export function escapeXml(value: string): string {
  return value.replace(/[<>&"']/g, (ch) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[ch]!);
}

const PROLOG = '<?xml version="1.0" encoding="UTF-8"?>\n';

function errorElement(error: SmsprocError): string {
  return `<error code="${error.code}" name="${error.definition.name}">${escapeXml(error.message)}</error>`;
}

export function xmlError(error: SmsprocError): string {
  return `${PROLOG}<response>${errorElement(error)}</response>\n`;
}

export function xmlResponse(outcomes: readonly UnitOutcome[], clientRefs: readonly (string | null)[]): string {
  const items = outcomes.map((outcome, index) => {
    const ref = clientRefs[index];
    const refAttribute = ref === null || ref === undefined ? '' : ` clientRef="${escapeXml(ref)}"`;
    if (outcome.kind === 'refused') return `  <message index="${index}" status="rejected"${refAttribute}>${errorElement(outcome.error)}</message>`;
    const status = outcome.scheduled ? 'scheduled' : 'accepted';
    const ids = outcome.messages
      .map((message) => `<id to="${message.recipient}" segments="${message.segments}" encoding="${message.encoding}">${message.id}</id>`)
      .join('');
    return `  <message index="${index}" status="${status}" replayed="${outcome.kind === 'replayed'}"${refAttribute}>${ids}</message>`;
  });
  const rejected = outcomes.filter((outcome) => outcome.kind === 'refused').length;
  return `${PROLOG}<response accepted="${outcomes.length - rejected}" rejected="${rejected}">\n${items.join('\n')}\n</response>\n`;
}
