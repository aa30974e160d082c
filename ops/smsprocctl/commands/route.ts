import { Command } from 'commander';
import { isSlug, type RouteId } from '../../../daemon/domain/ids.js';
import type { RouteRecord } from '../../../daemon/domain/provisioning.js';
import { CliError, ExitCode, invalid } from '../cli-error.js';
import { findRoute, globalsOf, withStore } from '../context.js';
import { renderFields, renderTable, writeJson, writeOut } from '../output.js';
import { describeIssues, MASK, routeSchema } from '../provisioning-file.js';

interface RouteOptions {
  readonly host: string;
  readonly port: string;
  readonly systemId: string;
  readonly password: string;
  readonly binds?: string;
  readonly window?: string;
  readonly tps?: string;
  readonly bindMode?: string;
  readonly concatenation?: string;
  readonly receiptIdFormat?: string;
  readonly inDoubt?: string;
  readonly dataCoding?: string;
  readonly packing?: string;
  readonly systemType?: string;
  readonly tls?: boolean;
}

const optionOfField: Record<string, string> = {
  host: '--host', port: '--port', systemId: '--system-id', password: '--password', binds: '--binds', windowSize: '--window',
  tps: '--tps', bindMode: '--bind-mode', concatenation: '--concatenation', receiptIdFormat: '--receipt-id-format',
  inDoubtPolicy: '--in-doubt', defaultDataCoding: '--data-coding', gsmPacking: '--packing', systemType: '--system-type',
};

const numberOption = (value: string | undefined): number | undefined => (value === undefined ? undefined : Number(value));

function routeView(route: RouteRecord, showSecrets: boolean): RouteRecord {
  return { ...route, password: showSecrets ? route.password : MASK };
}

async function addRoute(id: string, options: RouteOptions, command: Command): Promise<void> {
  if (!isSlug(id)) throw invalid(`route id "${id}" is not valid: use a lower-case id of letters, digits and . _ - (at most 64 characters)`);
  const parsed = routeSchema.safeParse({
    host: options.host,
    port: Number(options.port),
    tls: options.tls ?? false,
    systemId: options.systemId,
    password: options.password,
    systemType: options.systemType,
    bindMode: options.bindMode,
    binds: numberOption(options.binds),
    windowSize: numberOption(options.window),
    tps: numberOption(options.tps),
    defaultDataCoding: numberOption(options.dataCoding),
    gsmPacking: options.packing,
    concatenation: options.concatenation,
    receiptIdFormat: options.receiptIdFormat,
    inDoubtPolicy: options.inDoubt,
  });
  if (!parsed.success) {
    const problems = describeIssues(parsed.error.issues).map((problem) => problem.replace(/^(\w+)/, (field) => optionOfField[field] ?? field));
    throw invalid(`cannot add route ${id}`, problems);
  }
  if (parsed.data.password === MASK) throw invalid(`--password "${MASK}" is reserved for masked secrets in files`);
  await withStore(command, async (store) => {
    const snapshot = await store.loadProvisioning();
    if (snapshot.routes.some((route) => route.id === id)) throw new CliError(`route "${id}" already exists`, ExitCode.conflict);
    const version = await store.applyProvisioning([{ op: 'route.put', route: { id: id as RouteId, ...parsed.data } }]);
    if (globalsOf(command).json === true) writeJson({ id, version });
    else writeOut(`route ${id} created: ${parsed.data.binds} bind(s) to ${parsed.data.host}:${parsed.data.port}`);
  });
}

export function routeCommand(): Command {
  const route = new Command('route').description('operator routes (SMPP connections)');

  route.command('add <id>')
    .description('create a route')
    .requiredOption('--host <host>', 'SMSC host')
    .requiredOption('--port <port>', 'SMSC port')
    .requiredOption('--system-id <systemId>', 'SMPP system_id')
    .requiredOption('--password <password>', 'SMPP password')
    .option('--binds <n>', 'number of binds (default 1)')
    .option('--window <n>', 'outstanding PDUs per bind (default 10)')
    .option('--tps <n>', 'segments per second per bind (default 50)')
    .option('--bind-mode <mode>', 'transceiver | transmitter+receiver')
    .option('--concatenation <method>', 'udh8 | udh16 | sar | payload')
    .option('--receipt-id-format <format>', 'hex | decimal | auto')
    .option('--in-doubt <policy>', 'resend | hold')
    .option('--data-coding <n>', 'data_coding of the GSM default alphabet (default 0)')
    .option('--packing <packing>', 'unpacked | packed')
    .option('--system-type <type>', 'SMPP system_type')
    .option('--tls', 'connect over TLS')
    .action(addRoute);

  route.command('show <id>')
    .description('one route in detail; password masked')
    .option('--show-secrets', 'print the SMPP password')
    .action(async (id: string, options: { showSecrets?: boolean }, command: Command) => {
      await withStore(command, async (store) => {
        const found = routeView(findRoute(await store.loadProvisioning(), id), options.showSecrets === true);
        if (globalsOf(command).json === true) writeJson(found);
        else writeOut(renderFields(Object.entries(found).map(([key, value]) => [key, value as string | number | boolean])));
      });
    });

  route.command('list')
    .description('all routes')
    .action(async (_options: unknown, command: Command) => {
      await withStore(command, async (store) => {
        const routes = [...(await store.loadProvisioning()).routes].sort((a, b) => a.id.localeCompare(b.id));
        if (globalsOf(command).json === true) {
          writeJson(routes.map((entry) => routeView(entry, false)));
          return;
        }
        writeOut(routes.length === 0 ? 'no routes' : renderTable(
          ['id', 'smsc', 'tls', 'system id', 'binds', 'window', 'tps', 'mode', 'concat', 'in doubt', 'status'],
          routes.map((entry) => [entry.id, `${entry.host}:${entry.port}`, entry.tls, entry.systemId, entry.binds, entry.windowSize,
            entry.tps, entry.bindMode, entry.concatenation, entry.inDoubtPolicy, entry.disabled ? 'disabled' : 'enabled']),
        ));
      });
    });

  route.command('remove <id>')
    .description('delete a route; refused while prefixes point to it')
    .action(async (id: string, _options: unknown, command: Command) => {
      await withStore(command, async (store) => {
        const snapshot = await store.loadProvisioning();
        findRoute(snapshot, id);
        const prefixes = snapshot.prefixes.filter((entry) => entry.routeId === id).map((entry) => entry.prefix);
        if (prefixes.length > 0) throw invalid(`route ${id} still serves prefixes ${prefixes.join(', ')}: remove or move them first`);
        const version = await store.applyProvisioning([{ op: 'route.delete', id: id as RouteId }]);
        if (globalsOf(command).json === true) writeJson({ id, version });
        else writeOut(`route ${id} removed`);
      });
    });

  return route;
}
