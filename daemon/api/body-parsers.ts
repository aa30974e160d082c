import type { FastifyInstance } from 'fastify';

/**
 * A form body: its fields (decoded as UTF-8) and its raw text, which the Kannel endpoint needs to
 * decode `text` in the charset the client names.
 */
export class FormBody {
  readonly fields: Readonly<Record<string, string | string[]>>;
  readonly raw: string;

  constructor(raw: string) {
    this.raw = raw;
    this.fields = fieldsOf(new URLSearchParams(raw));
  }
}

export function fieldsOf(params: URLSearchParams): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = {};
  for (const [key, value] of params) {
    const existing = fields[key];
    fields[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return fields;
}

/** XML bodies reach the handler as text: DOCTYPE refusal and parsing happen there. */
export class XmlBody {
  constructor(readonly text: string) {}
}

export function registerBodyParsers(app: FastifyInstance): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, new FormBody(String(body)));
  });
  app.addContentTypeParser(['application/xml', 'text/xml'], { parseAs: 'string' }, (_request, body, done) => {
    done(null, new XmlBody(String(body)));
  });
}
