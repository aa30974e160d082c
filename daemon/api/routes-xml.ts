import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Errors, SmsprocError } from '../domain/errors.js';
import { authenticateRequest, type ApiContext } from './api-context.js';
import { acceptItems } from './batch.js';
import { XmlBody } from './body-parsers.js';
import { asSmsprocError, setErrorStatus } from './error-reply.js';
import { parseSubmitParams, type RawParams } from './submit-params.js';
import { messageParamsOf, parseXmlRequest, xmlError, xmlResponse } from './xml-format.js';

/** `POST /api/v1/sms.xml`: the XML format of docs/api.md, answered in XML, errors included. */
export function registerXmlRoutes(app: FastifyInstance, context: ApiContext): void {
  async function submitXml(request: FastifyRequest, reply: FastifyReply): Promise<string> {
    reply.type('application/xml; charset=utf-8');
    if (!(request.body instanceof XmlBody)) {
      throw new SmsprocError(Errors.CONTENT_TYPE_UNSUPPORTED, { contentType: String(request.headers['content-type'] ?? '') });
    }
    const xml = parseXmlRequest(request.body.text);
    const credentials: RawParams = { ...(request.query as RawParams), login: xml.login, password: xml.password };
    const client = await authenticateRequest(context, request, credentials);
    const items = xml.messages.map((element) => () => parseSubmitParams(messageParamsOf(element)));
    const { outcomes, clientRefs } = await acceptItems(context, client, items, 'xml');
    return xmlResponse(outcomes, clientRefs);
  }

  function xmlErrorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
    const failure = asSmsprocError(error, {
      requestId: request.id,
      bodyLimitBytes: context.config.api.bodyLimitBytes,
      contentType: request.headers['content-type'],
    });
    if (failure.definition.httpStatus >= 500) context.logger.warn({ err: error, reqId: request.id, code: failure.code }, 'XML request failed');
    setErrorStatus(reply, failure);
    void reply.type('application/xml; charset=utf-8').send(xmlError(failure));
  }

  for (const prefix of ['/api/v1', '/c/:urlToken']) {
    app.post(`${prefix}/sms.xml`, { errorHandler: xmlErrorHandler }, submitXml);
  }
}
