import { hashPassword } from '../../daemon/domain/credentials.js';
import type { ClientId } from '../../daemon/domain/ids.js';
import type { ProvisioningChange } from '../../daemon/storage/port.js';
import type { SmscSimulator } from '../../ops/smsc-sim/simulator.js';
import { simulator, startNode, tempDir, type Node } from './deliver-harness.js';

/**
 * One node serving the web pages (daemon/web) with SQLite and the SMSC simulator, for the web HTTP
 * and browser tests: client `acme` logs in with CLIENT_LOGIN / CLIENT_PASSWORD, operator ADMIN_LOGIN
 * with ADMIN_PASSWORD; callbacks go to a closed port (they stay in the outbox backlog). Not a test.
 */
export const CLIENT_LOGIN = 'acme';
export const CLIENT_PASSWORD = 'acme-web-password';
export const ADMIN_LOGIN = 'ops';
export const ADMIN_PASSWORD = 'ops-web-password';

export interface WebNode {
  readonly node: Node;
  readonly baseUrl: string;
  close(): Promise<void>;
}

type ClientPut = Extract<ProvisioningChange, { op: 'client.put' }>['client'];

/** Replaces fields of client `id` as provisioned (the harness provisions acme without a password). */
export async function updateClient(node: Node, id: string, fields: Partial<ClientPut>): Promise<void> {
  const snapshot = await node.store.loadProvisioning();
  const client = snapshot.clients.find((c) => c.id === (id as ClientId));
  if (client === undefined) throw new Error(`no client ${id}`);
  const record: Record<string, unknown> = { ...client };
  delete record['apiTokens'];
  await node.store.applyProvisioning([{ op: 'client.put', client: { ...(record as ClientPut), ...fields } }]);
  await node.provisioning.refresh();
}

export async function startWebNode(): Promise<WebNode> {
  const temp = tempDir();
  let smsc: SmscSimulator | null = null;
  let node: Node | null = null;
  try {
    smsc = await simulator({ receiptDelayMs: 100 });
    node = await startNode({
      dbPath: `${temp.dir}/smsproc.db`,
      smscPort: smsc.address().port,
      callbackUrl: 'http://127.0.0.1:9/callbacks',
      web: { admins: [`${ADMIN_LOGIN}:${await hashPassword(ADMIN_PASSWORD)}`], liveIntervalMs: 300 },
    });
    await updateClient(node, 'acme', { passwordHash: await hashPassword(CLIENT_PASSWORD) });
  } catch (error) {
    await node?.close();
    await smsc?.close();
    temp.remove();
    throw error;
  }
  const started = node;
  const sim = smsc;
  return {
    node: started,
    baseUrl: started.baseUrl,
    async close() {
      await started.close();
      await sim.close();
      temp.remove();
    },
  };
}
