import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { fillKannelDlrUrl, kannelTime } from '../../daemon/dispatch/kannel-dlr-url.js';

const payload = {
  messageId: '0190f3a2-aaaa-7bbb-8ccc-123456789abc',
  status: 'undeliverable',
  dlrType: 2,
  recipient: '0046701234567',
  sender: 'ACME Bank',
  smscId: '5F3A',
  receiptText: 'id:5F3A sub:001 dlvrd:000 stat:UNDELIV err:001 text:Hi & bye',
  time: 1772600767,
};
const fallback = new Date('2026-01-01T00:00:00Z');

test('Kannel\'s documented escapes are filled and URL-encoded', () => {
  const url = fillKannelDlrUrl('http://k/dlr?type=%d&to=%p&from=%P&id=%I&smsc=%F&route=%i&at=%T&time=%t', payload, fallback);
  assert.equal(
    url,
    'http://k/dlr?type=2&to=0046701234567&from=ACME+Bank&id=0190f3a2-aaaa-7bbb-8ccc-123456789abc&smsc=5F3A&route=' +
      '&at=1772600767&time=2026-03-04+05:06:07',
  );
});

test('%A is the receipt text, encoded; %k the first word, %s the next ones, %r the rest', () => {
  const url = fillKannelDlrUrl('r=%A|k=%k|s=%s|s=%s|r=%r', payload, fallback);
  assert.equal(
    url,
    'r=id%3A5F3A+sub%3A001+dlvrd%3A000+stat%3AUNDELIV+err%3A001+text%3AHi+%26+bye|k=id%3A5F3A|s=sub%3A001|s=dlvrd%3A000' +
      '|r=stat%3AUNDELIV+err%3A001+text%3AHi+%26+bye',
  );
});

test('%% is a percent sign; %q/%Q turn a leading 00 into +; unknown escapes stay; a trailing % stays', () => {
  assert.equal(fillKannelDlrUrl('a=%%d&q=%q&Q=%Q&z=%z&c=%c&end%', payload, fallback), 'a=%d&q=%2B46701234567&Q=ACME+Bank&z=%z&c=&end%');
});

test('without time the event\'s time is used; absent fields are empty', () => {
  assert.equal(fillKannelDlrUrl('%T %t [%p] [%A]', {}, fallback), '1767225600 2026-01-01+00:00:00 [] []');
  assert.equal(kannelTime(new Date('1999-09-21T14:18:09Z')), '1999-09-21+14:18:09');
});
