import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { clientAddress, compileAddressList } from '../../daemon/api/address-list.js';
import { parseProxyLine } from '../../daemon/api/proxy-protocol.js';

const allowlist = compileAddressList(['192.0.2.10', '10.0.0.0/8', '2001:db8::/32', '::ffff:172.16.0.0/108', 'not-an-address']);

const allowCases: readonly [string, boolean][] = [
  ['192.0.2.10', true],
  ['192.0.2.11', false],
  ['10.255.0.1', true],
  ['::ffff:10.1.1.1', true],
  ['::ffff:192.0.2.10', true],
  ['2001:db8:1::5', true],
  ['2001:db9::5', false],
  ['172.16.3.4', true],
  ['172.32.0.1', false],
  ['fe80::1%eth0', false],
  ['garbage', false],
  ['', false],
];

for (const [address, expected] of allowCases) {
  test(`allowlist: ${address || '(empty)'} → ${expected}`, () => {
    assert.equal(allowlist(address), expected);
  });
}

test('an empty allowlist allows nothing', () => {
  assert.equal(compileAddressList([])('127.0.0.1'), false);
});

const trusted = compileAddressList(['10.9.9.9', '10.8.0.0/16']);
const forwardCases: readonly [string, string, string | undefined, string][] = [
  ['untrusted peer: header ignored', '203.0.113.1', '1.2.3.4', '203.0.113.1'],
  ['trusted peer: last hop', '10.9.9.9', '1.2.3.4', '1.2.3.4'],
  ['trusted chain: rightmost untrusted', '10.9.9.9', '6.6.6.6, 1.2.3.4, 10.8.1.1', '1.2.3.4'],
  ['all trusted: leftmost', '10.9.9.9', '10.8.0.1, 10.8.0.2', '10.8.0.1'],
  ['mapped peer is trusted as IPv4', '::ffff:10.9.9.9', '1.2.3.4', '1.2.3.4'],
  ['no header', '10.9.9.9', undefined, '10.9.9.9'],
  ['garbage hop stops the walk', '10.9.9.9', '1.2.3.4, junk', '10.9.9.9'],
  ['IPv6 client', '10.9.9.9', '2001:db8::1', '2001:db8::1'],
];

for (const [name, peer, header, expected] of forwardCases) {
  test(`client address: ${name}`, () => {
    assert.equal(clientAddress(peer, header, trusted), expected);
  });
}

const proxyLines: readonly [string, ReturnType<typeof parseProxyLine>][] = [
  ['PROXY TCP4 192.0.2.1 198.51.100.1 56324 443', { kind: 'proxied', source: '192.0.2.1' }],
  ['PROXY TCP6 2001:db8::1 2001:db8::2 56324 443', { kind: 'proxied', source: '2001:db8::1' }],
  ['PROXY UNKNOWN', { kind: 'unknown' }],
  ['PROXY TCP4 2001:db8::1 198.51.100.1 1 2', null],
  ['PROXY TCP4 192.0.2.1 198.51.100.1 70000 443', null],
  ['PROXY TCP4 192.0.2.1 198.51.100.1 1', null],
  ['PROXY UDP4 192.0.2.1 198.51.100.1 1 2', null],
  ['GET / HTTP/1.1', null],
];

for (const [line, expected] of proxyLines) {
  test(`PROXY line: ${line}`, () => {
    assert.deepEqual(parseProxyLine(line), expected);
  });
}
