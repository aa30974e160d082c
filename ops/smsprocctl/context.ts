import type { Command } from 'commander';
import { loadConfig } from '../../daemon/config/load.js';
import type { Config } from '../../daemon/config/schema.js';
import type { ClientRecord, ProvisioningSnapshot, RouteRecord } from '../../daemon/domain/provisioning.js';
import type { Store } from '../../daemon/storage/port.js';
import { openStore } from '../../daemon/storage/open.js';
import { CliError, ExitCode, notFound } from './cli-error.js';

/** Options every command accepts, before or after its name. */
export interface GlobalOptions {
  readonly config?: string;
  readonly json?: boolean;
}

export function globalsOf(command: Command): GlobalOptions {
  return command.optsWithGlobals<GlobalOptions>();
}

/** Opens the store named by the node config (openStore also runs its migrations), runs `work`, closes it. */
export async function withStore<T>(command: Command, work: (store: Store, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig({ file: globalsOf(command).config });
  let store: Store;
  try {
    store = await openStore(config, { role: 'smsprocctl' });
  } catch (error) {
    throw new CliError(`cannot open the ${config.store.kind} store${config.store.kind === 'sqlite' ? ` at ${config.store.sqlitePath}` : ''}: ${(error as Error).message}`, ExitCode.failure);
  }
  try {
    return await work(store, config);
  } finally {
    await store.close();
  }
}

export function findClient(snapshot: ProvisioningSnapshot, id: string): ClientRecord {
  const client = snapshot.clients.find((candidate) => candidate.id === id);
  if (client === undefined) throw notFound('client', id);
  return client;
}

export function findRoute(snapshot: ProvisioningSnapshot, id: string): RouteRecord {
  const route = snapshot.routes.find((candidate) => candidate.id === id);
  if (route === undefined) throw notFound('route', id);
  return route;
}

