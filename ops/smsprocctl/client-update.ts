import type { Store } from '../../daemon/storage/port.js';
import type { ClientRecord } from '../../daemon/domain/provisioning.js';
import { CliError, ExitCode } from './cli-error.js';
import { findClient } from './context.js';
import { clientConflicts, toClientPut, type ClientPut } from './plan.js';

export interface ClientUpdate {
  /** False when the client already was as asked: nothing was written, the version did not move. */
  readonly changed: boolean;
  readonly version: number;
  readonly before: ClientRecord;
}

/**
 * Reads a client, lets `change` return its new form (or null for "already so"), checks that no
 * login, port, short code or keyword then belongs to two clients, and stores it in one change.
 */
export async function updateClient(
  store: Store,
  id: string,
  change: (client: ClientPut) => ClientPut | null,
): Promise<ClientUpdate> {
  const snapshot = await store.loadProvisioning();
  const before = findClient(snapshot, id);
  const after = change(toClientPut(before));
  if (after === null) return { changed: false, version: snapshot.version, before };
  const others = snapshot.clients.filter((client) => client.id !== id).map(toClientPut);
  const problems = clientConflicts([...others, after]);
  if (problems.length > 0) throw new CliError(`cannot change client ${id}`, ExitCode.conflict, problems);
  const version = await store.applyProvisioning([{ op: 'client.put', client: after }]);
  return { changed: true, version, before };
}
