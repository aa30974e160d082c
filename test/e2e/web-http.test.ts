import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import type { ClusterSection } from '../../daemon/web/dashboard.js';
import { TOKEN, submit } from './deliver-harness.js';
import { ADMIN_LOGIN, ADMIN_PASSWORD, CLIENT_LOGIN, CLIENT_PASSWORD, startWebNode, updateClient, type WebNode } from './web-harness.js';

/**
 * The web pages over HTTP on a whole node (SQLite, simulator): login and its cookie, CSRF refusal,
 * the allowlist, the live stream, CSV reports, the JSON API, the operator dashboard.
 */
let web: WebNode;

before(async () => {
  web = await startWebNode();
});

after(async () => {
  await web.close();
});

function form(fields: Record<string, string>): { method: string; headers: Record<string, string>; body: string; redirect: 'manual' } {
  return { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString(), redirect: 'manual' };
}

/** Logs in at `path` and returns the session cookie (name=value). */
async function login(path: string, username: string, password: string): Promise<string> {
  const response = await fetch(`${web.baseUrl}${path}/login`, form({ username, password }));
  assert.equal(response.status, 303, await response.text());
  const setCookie = response.headers.get('set-cookie') ?? '';
  return setCookie.split(';')[0] ?? '';
}

function csrfOf(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  assert.ok(match?.[1], 'the page carries a CSRF token');
  return match[1];
}

/** Reads Server-Sent Events until `done` accepts one; fails after `timeoutMs`. */
async function readEvents(url: string, headers: Record<string, string>, done: (event: Record<string, unknown>) => boolean, timeoutMs = 10_000): Promise<Record<string, unknown>> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetch(url, { headers, signal: controller.signal });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done: ended } = await reader.read();
      if (ended) throw new Error('stream ended');
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = frame.split('\n').find((line) => line.startsWith('data: '));
        if (data === undefined) continue;
        const event = JSON.parse(data.slice(6)) as Record<string, unknown>;
        if (done(event)) {
          controller.abort();
          return event;
        }
      }
    }
  } finally {
    clearTimeout(timer);
  }
}

/** Opens a stream, waits for its first update, runs `change`, and resolves when the server ends the stream. */
async function streamEndsAfter(url: string, headers: Record<string, string>, change: () => Promise<void>, timeoutMs = 5_000): Promise<void> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetch(url, { headers, signal: controller.signal });
    assert.equal(response.status, 200);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let seen = '';
    while (!seen.includes('data: ')) {
      const { value, done } = await reader.read();
      assert.equal(done, false, 'a first update comes');
      seen += value;
    }
    await change();
    for (;;) {
      const { done } = await reader.read();
      if (done) return;
    }
  } finally {
    clearTimeout(timer);
  }
}

test('web: a wrong password shows the login page again with 401; the right one sets an HttpOnly, SameSite session cookie', async () => {
  const refused = await fetch(`${web.baseUrl}/stats/login`, form({ username: CLIENT_LOGIN, password: 'wrong' }));
  assert.equal(refused.status, 401);
  assert.match(await refused.text(), /role="alert"/);
  assert.equal(refused.headers.get('set-cookie'), null);

  const response = await fetch(`${web.baseUrl}/stats/login`, form({ username: CLIENT_LOGIN, password: CLIENT_PASSWORD }));
  assert.equal(response.status, 303);
  assert.equal(response.headers.get('location'), '/stats');
  const cookie = response.headers.get('set-cookie') ?? '';
  assert.match(cookie, /^smsproc_stats=[A-Za-z0-9_-]{43}; /);
  assert.match(cookie, /; HttpOnly/);
  assert.match(cookie, /; SameSite=Strict/);
  assert.match(cookie, /; Path=\/stats/);
  assert.doesNotMatch(cookie, /Secure/, 'plain HTTP: no Secure flag');
  assert.doesNotMatch(cookie, /Max-Age/, 'the idle expiry in the store ends a session, not the browser a TTL after login');

  const page = await fetch(`${web.baseUrl}/stats`, { headers: { cookie: cookie.split(';')[0] ?? '' } });
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  const html = await page.text();
  assert.match(html, /data-k="accepted"/);
  assert.match(html, /<svg /);

  const anonymous = await fetch(`${web.baseUrl}/stats`, { redirect: 'manual' });
  assert.equal(anonymous.status, 303);
  assert.equal(anonymous.headers.get('location'), '/stats/login');
});

test('web: a POST without the session\'s CSRF token is refused; with it, it is done', async () => {
  const cookie = await login('/stats', CLIENT_LOGIN, CLIENT_PASSWORD);
  const html = await (await fetch(`${web.baseUrl}/stats`, { headers: { cookie } })).text();
  const token = csrfOf(html);

  const forged: Record<string, string>[] = [{ lang: 'ru' }, { lang: 'ru', _csrf: 'x'.repeat(token.length) }];
  for (const fields of forged) {
    const refused = await fetch(`${web.baseUrl}/stats/lang`, { ...form(fields), headers: { ...form(fields).headers, cookie } });
    assert.equal(refused.status, 403);
    assert.equal(((await refused.json()) as { error: { name: string } }).error.name, 'CSRF_REJECTED');
  }
  const english = await (await fetch(`${web.baseUrl}/stats`, { headers: { cookie } })).text();
  assert.match(english, /<html lang="en">/, 'the refused POST changed nothing');

  const done = await fetch(`${web.baseUrl}/stats/lang`, { ...form({ lang: 'ru', _csrf: token }), headers: { ...form({}).headers, cookie } });
  assert.equal(done.status, 303);
  const russian = await (await fetch(`${web.baseUrl}/stats`, { headers: { cookie } })).text();
  assert.match(russian, /<html lang="ru">/);
  assert.match(russian, /Доставлено/);

  const loggedOut = await fetch(`${web.baseUrl}/stats/logout`, { ...form({ _csrf: token }), headers: { ...form({}).headers, cookie } });
  assert.equal(loggedOut.status, 303);
  const after = await fetch(`${web.baseUrl}/stats`, { headers: { cookie }, redirect: 'manual' });
  assert.equal(after.status, 303, 'the session ended at logout');
});

test('web: the live stream brings a message sent now, with its final status, and the CSV report counts it', async () => {
  const cookie = await login('/stats', CLIENT_LOGIN, CLIENT_PASSWORD);
  const first = await readEvents(`${web.baseUrl}/stats/live`, { cookie }, () => true);
  const acceptedBefore = Number((first['text'] as Record<string, string>)['accepted']);

  const sent = await submit(web.baseUrl, { to: '79161110001', text: 'web live test' });
  const update = await readEvents(`${web.baseUrl}/stats/live`, { cookie }, (event) => {
    const rows = (event['tables'] as Record<string, string[][]>)['recent'] ?? [];
    return rows.some((row) => row[0] === sent.id && row[3] === 'delivered');
  });
  const text = update['text'] as Record<string, string>;
  assert.ok(Number(text['accepted']) >= acceptedBefore + 1);
  assert.ok(Number(text['delivered']) >= 1);
  assert.match(text['deliveryRatio'] ?? '', /%$/);
  assert.notEqual(text['latency'], '—');

  const report = await fetch(`${web.baseUrl}/stats/reports/status.csv`, { headers: { cookie } });
  assert.equal(report.status, 200);
  assert.match(report.headers.get('content-type') ?? '', /^text\/csv/);
  assert.match(report.headers.get('content-disposition') ?? '', /^attachment; filename="smsproc-status-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv"$/);
  const lines = (await report.text()).split('\r\n');
  assert.equal(lines[0], 'status,messages,segments,delivered,failed,expired,pending');
  const delivered = lines.find((line) => line.startsWith('delivered,'))?.split(',').map((cell, index) => (index === 0 ? cell : Number(cell)));
  assert.ok(delivered, lines.join('\n'));
  assert.equal(delivered[1], delivered[3], 'delivered messages are all in the delivered column');

  const search = await (await fetch(`${web.baseUrl}/stats/messages?number=%2B7+916+111-00-01`, { headers: { cookie } })).text();
  assert.match(search, new RegExp(sent.id));
  const detail = await (await fetch(`${web.baseUrl}/stats/messages/${sent.id}`, { headers: { cookie } })).text();
  assert.match(detail, /<td>submitted<\/td>/);
  assert.match(detail, /<td>delivered<\/td>/);
});

test('web: the JSON API answers the API token, and only for the token\'s client', async () => {
  const sent = await submit(web.baseUrl, { to: '79161110002', text: 'web api test' });
  const auth = { authorization: `Bearer ${TOKEN}` };
  const summary = (await (await fetch(`${web.baseUrl}/stats/api/v1/summary`, { headers: auth })).json()) as Record<string, unknown>;
  assert.equal(summary['clientId'], 'acme');
  assert.ok(Number(summary['accepted']) >= 1);
  assert.equal(summary['reservedTps'], 50);
  const found = (await (await fetch(`${web.baseUrl}/stats/api/v1/messages?number=79161110002`, { headers: auth })).json()) as { messages: { id: string }[] };
  assert.deepEqual(found.messages.map((m) => m.id), [sent.id]);
  const one = (await (await fetch(`${web.baseUrl}/stats/api/v1/messages/${sent.id}`, { headers: auth })).json()) as { history: { status: string }[] };
  assert.equal(one.history[0]?.status, 'accepted');
  const series = (await (await fetch(`${web.baseUrl}/stats/api/v1/series?range=hour`, { headers: auth })).json()) as { buckets: { messages: number }[]; bucketMs: number };
  assert.equal(series.bucketMs, 60_000);
  assert.ok(series.buckets.reduce((sum, b) => sum + b.messages, 0) >= 1);
  const json = (await (await fetch(`${web.baseUrl}/stats/api/v1/reports/sender?format=json`, { headers: auth })).json()) as { rows: { key: string }[] };
  assert.deepEqual(json.rows.map((row) => row.key), ['ACME']);

  const anonymous = await fetch(`${web.baseUrl}/stats/api/v1/summary`);
  assert.equal(anonymous.status, 401);
  assert.equal(((await anonymous.json()) as { error: { name: string } }).error.name, 'SESSION_REQUIRED');
  const wrong = await fetch(`${web.baseUrl}/stats/api/v1/summary`, { headers: { authorization: 'Bearer sp_wrong' } });
  assert.equal(wrong.status, 401);
});

test('web: the operator dashboard has its own login, shows the bind and queues, and streams updates until logout', async () => {
  const refused = await fetch(`${web.baseUrl}/admin/login`, form({ username: ADMIN_LOGIN, password: 'wrong' }));
  assert.equal(refused.status, 401);
  const clientCookie = await login('/stats', CLIENT_LOGIN, CLIENT_PASSWORD);
  const notAdmin = await fetch(`${web.baseUrl}/admin/api/v1/dashboard`, { headers: { cookie: clientCookie } });
  assert.equal(notAdmin.status, 401, 'a client session is no operator session');

  const cookie = await login('/admin', ADMIN_LOGIN, ADMIN_PASSWORD);
  assert.match(cookie, /^smsproc_admin=/);
  const snapshot = (await (await fetch(`${web.baseUrl}/admin/api/v1/dashboard`, { headers: { cookie } })).json()) as {
    node: { id: string; health: string }; binds: { bindId: string; state: string; windowSize: number; epoch: number }[]; cluster: ClusterSection;
    queues: { mt: { state: string }[] }; clients: { clientId: string; reservedTps: number }[];
  };
  assert.equal(snapshot.node.health, 'ok');
  assert.deepEqual(snapshot.binds.map((b) => [b.bindId, b.state, b.windowSize]), [['route/sim/bind/0', 'bound', 10]]);
  // The local coordinator: this node is the cluster and owns the bind; no failovers.
  const { cluster } = snapshot;
  assert.deepEqual([cluster.scope, cluster.coordinator, cluster.staleness], ['cluster', 'local', null]);
  assert.match(cluster.note, /^Current\. Local coordinator/);
  assert.ok(cluster.asOf !== null && Math.abs(Date.parse(cluster.asOf) - Date.now()) < 60_000);
  assert.deepEqual(cluster.nodes.map((n) => [n.id, n.weight, n.state, n.bindsOwned, n.self]), [[snapshot.node.id, 1, 'live', 1, true]]);
  assert.deepEqual(cluster.binds.map((b) => [b.resource, b.owner, b.ownerLive, b.pinnedTo]), [['route/sim/bind/0', snapshot.node.id, true, null]]);
  // The ownership's epoch, raised in the store; the running bind raised it once more when it started.
  const ownershipEpoch = cluster.binds[0]!.epoch!;
  assert.ok(ownershipEpoch > 0 && ownershipEpoch < snapshot.binds[0]!.epoch, `${ownershipEpoch} then ${snapshot.binds[0]!.epoch}`);
  assert.deepEqual([cluster.pools, cluster.failovers], [[], []]);
  assert.ok(snapshot.queues.mt.every((row) => row.state !== 'PROCESSED'), 'the depth is of work still to do');
  assert.deepEqual(snapshot.clients.map((c) => [c.clientId, c.reservedTps]), [['acme', 50]]);

  const page = await (await fetch(`${web.baseUrl}/admin`, { headers: { cookie } })).text();
  assert.match(page, /route\/sim\/bind\/0/);
  assert.match(page, /<tbody data-table="bindOwners"><tr><td>route\/sim\/bind\/0<\/td><td>[^<]+<\/td><td>\d+<\/td><td>yes<\/td>/);
  assert.match(page, /<span data-k="clusterNote-en">Current\. Local coordinator/);
  const ruLogin = await fetch(`${web.baseUrl}/admin/login`, form({ username: ADMIN_LOGIN, password: ADMIN_PASSWORD, lang: 'ru' }));
  const ruCookie = (ruLogin.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const ru = await (await fetch(`${web.baseUrl}/admin`, { headers: { cookie: ruCookie } })).text();
  assert.match(ru, /<span data-k="clusterNote-ru">Актуально\. Локальный координатор/);
  const update = await readEvents(`${web.baseUrl}/admin/live`, { cookie }, () => true);
  const text = update['text'] as Record<string, string>;
  assert.equal(text['health'], 'ok');
  assert.deepEqual([text['clusterScope'], text['clusterCoordinator']], ['cluster', 'local']);
  assert.match(text['clusterNote-ru'] ?? '', /^Актуально/);
  assert.deepEqual((update['tables'] as Record<string, string[][]>)['nodes']?.map((row) => row[0]), [snapshot.node.id]);
  const logout = await fetch(`${web.baseUrl}/admin/logout`, { ...form({}), headers: { ...form({}).headers, cookie } });
  assert.equal(logout.status, 403, 'logout without the CSRF token is refused');
  const csrf = csrfOf(page);
  await streamEndsAfter(`${web.baseUrl}/admin/live`, { cookie }, async () => {
    const done = await fetch(`${web.baseUrl}/admin/logout`, { ...form({ _csrf: csrf }), headers: { ...form({}).headers, cookie } });
    assert.equal(done.status, 303);
  });
});

test('web: the client\'s IP allowlist applies to the login, to sessions and to live streams already open', async () => {
  const cookie = await login('/stats', CLIENT_LOGIN, CLIENT_PASSWORD);
  await streamEndsAfter(`${web.baseUrl}/stats/live`, { cookie }, () => updateClient(web.node, 'acme', { allowedIps: ['192.0.2.1'] }));
  try {
    const page = await fetch(`${web.baseUrl}/stats`, { headers: { cookie } });
    assert.equal(page.status, 403);
    assert.equal(((await page.json()) as { error: { name: string } }).error.name, 'IP_NOT_ALLOWED');
    const live = await fetch(`${web.baseUrl}/stats/live`, { headers: { cookie } });
    assert.equal(live.status, 403);
    const again = await fetch(`${web.baseUrl}/stats/login`, form({ username: CLIENT_LOGIN, password: CLIENT_PASSWORD }));
    assert.equal(again.status, 403);
    assert.equal(again.headers.get('set-cookie'), null);
  } finally {
    await updateClient(web.node, 'acme', { allowedIps: ['127.0.0.1', '::1'] });
  }
});
