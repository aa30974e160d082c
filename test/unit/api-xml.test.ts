import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { MESSAGE_FIELDS } from '../../daemon/api/xml-format.js';
import { projectRoot } from '../testdata.js';
import { ACME_PASSWORD, ACME_TOKEN, ACME_URL_TOKEN, openApiFixture, type ApiFixture } from './api-fixture.js';

let fx: ApiFixture;
before(async () => {
  fx = await openApiFixture();
});
after(async () => fx.close());

const xmlHeaders = { 'content-type': 'application/xml' };
const reader = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => name === 'message' || name === 'id' });

function postXml(payload: string, url = '/api/v1/sms.xml', headers: Record<string, string> = { ...xmlHeaders, authorization: `Bearer ${ACME_TOKEN}` }) {
  return fx.app.inject({ method: 'POST', url, headers, payload });
}

interface XmlAnswer {
  response: {
    accepted?: string;
    rejected?: string;
    message?: { index: string; status: string; clientRef?: string; id?: { '#text': string; to: string; segments: string }[]; error?: { code: string; name: string } }[];
    error?: { code: string; name: string; '#text': string };
  };
}

test('XML submit: several messages, auth inside the document, per-message results', async () => {
  const response = await postXml(`<?xml version="1.0" encoding="UTF-8"?>
<request>
  <auth login="acme" password="${ACME_PASSWORD}"/>
  <message>
    <from>ACME</from>
    <to>79161234567</to>
    <to>+7 916 123-45-68</to>
    <text>Fish &amp; chips &lt;today&gt;</text>
    <clientRef>x-1</clientRef>
    <priority>high</priority>
  </message>
  <message>
    <from>ACME</from>
    <to>79161234567</to>
  </message>
  <message><from>ACME</from><to>79161234567</to><text>ok</text><colour>red</colour></message>
</request>`, '/api/v1/sms.xml', xmlHeaders);
  assert.equal(response.statusCode, 200, response.body);
  assert.match(String(response.headers['content-type']), /application\/xml/);
  const answer = reader.parse(response.body) as XmlAnswer;
  assert.equal(answer.response.accepted, '1');
  assert.equal(answer.response.rejected, '2');
  const [first, second, third] = answer.response.message!;
  assert.equal(first!.status, 'accepted');
  assert.equal(first!.clientRef, 'x-1');
  assert.deepEqual(first!.id!.map((id) => id.to), ['79161234567', '79161234568']);
  const view = await fx.store.findMessage('acme' as never, { id: first!.id![0]!['#text'] as never });
  assert.equal(view?.clientRef, 'x-1');
  assert.equal(second!.error?.name, 'TEXT_MISSING');
  assert.equal(third!.error?.name, 'XML_MALFORMED');
});

test('XML under the unique URL', async () => {
  const response = await postXml('<request><message><from>ACME</from><to>79161234567</to><text>hi</text></message></request>', `/c/${ACME_URL_TOKEN}/sms.xml`, xmlHeaders);
  assert.equal(response.statusCode, 200, response.body);
  assert.equal((reader.parse(response.body) as XmlAnswer).response.accepted, '1');
});

const billionLaughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<request><message><from>ACME</from><to>79161234567</to><text>&lol9;</text></message></request>`;

const externalEntity = `<?xml version="1.0"?>
<!DOCTYPE request [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<request><message><from>ACME</from><to>79161234567</to><text>&xxe;</text></message></request>`;

for (const [name, payload] of [['billion laughs', billionLaughs], ['external entity', externalEntity], ['lower-case doctype', '<!doctype request><request/>']] as const) {
  test(`XML: ${name} refused before parsing with XML_DTD_FORBIDDEN`, async () => {
    const response = await postXml(payload);
    assert.equal(response.statusCode, 400);
    const answer = reader.parse(response.body) as XmlAnswer;
    assert.equal(answer.response.error?.name, 'XML_DTD_FORBIDDEN');
    assert.equal(answer.response.error?.code, '1153');
    assert.doesNotMatch(response.body, /root:/);
  });
}

const malformed: readonly [string, string, string][] = [
  ['not well-formed', '<request><message></request>', 'XML_MALFORMED'],
  ['wrong root', '<sms><message/></sms>', 'XML_MALFORMED'],
  ['no message', '<request></request>', 'BATCH_EMPTY'],
];

for (const [name, payload, code] of malformed) {
  test(`XML: ${name} → ${code}, answered in XML`, async () => {
    const response = await postXml(payload);
    assert.equal(response.statusCode, 400);
    assert.equal((reader.parse(response.body) as XmlAnswer).response.error?.name, code);
  });
}

test('XML: auth failure and wrong content type are answered in XML', async () => {
  const noAuth = await postXml('<request><message/></request>', '/api/v1/sms.xml', xmlHeaders);
  assert.equal(noAuth.statusCode, 401);
  assert.equal((reader.parse(noAuth.body) as XmlAnswer).response.error?.name, 'AUTH_REQUIRED');
  const json = await fx.app.inject({ method: 'POST', url: '/api/v1/sms.xml', headers: { authorization: `Bearer ${ACME_TOKEN}` }, payload: { a: 1 } });
  assert.equal(json.statusCode, 415);
  assert.equal((reader.parse(json.body) as XmlAnswer).response.error?.name, 'CONTENT_TYPE_UNSUPPORTED');
});

test('docs/api/sms.xsd is well-formed and names exactly the <message> children the parser accepts', () => {
  const xsd = readFileSync(join(projectRoot(), 'docs', 'api', 'sms.xsd'), 'utf8');
  assert.equal(XMLValidator.validate(xsd), true);
  const messageType = /<xs:complexType name="Message">([\s\S]*?)<\/xs:complexType>/.exec(xsd)?.[1] ?? '';
  const names = [...messageType.matchAll(/<xs:element name="(\w+)"/g)].map((match) => match[1]);
  assert.deepEqual(names.sort(), [...MESSAGE_FIELDS].sort());
});
