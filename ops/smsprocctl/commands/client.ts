import { randomBytes } from 'node:crypto';
import { Command } from 'commander';
import { hashPassword, newApiToken, newUrlToken, sha256Hex } from '../../../daemon/domain/credentials.js';
import { isSlug, type ClientId } from '../../../daemon/domain/ids.js';
import { CliError, ExitCode, invalid, notFound } from '../cli-error.js';
import { newCallbackSecret } from '../client-secrets.js';
import { updateClient } from '../client-update.js';
import { clientView, renderClient, renderClientList } from '../client-view.js';
import { findClient, globalsOf, withStore } from '../context.js';
import { writeJson, writeNote, writeOut } from '../output.js';
import { clientConflicts, toClientPut } from '../plan.js';
import { clientSchema, describeIssues } from '../provisioning-file.js';
import { newPassword, passwordFrom, type PasswordOptions } from '../secret-input.js';

interface AddOptions extends PasswordOptions {
  readonly name: string;
  readonly login: string;
  readonly demo?: boolean;
  readonly reservedTps?: string;
  readonly maxTps?: string;
  readonly maxQueued?: string;
  readonly dlrUrl?: string;
  readonly moUrl?: string;
  readonly callbackFormat?: string;
  readonly moReply?: boolean;
}

const optionOfField: Record<string, string> = {
  name: '--name', login: '--login', reservedTps: '--reserved-tps', maxTps: '--max-tps', maxQueued: '--max-queued',
  dlrUrl: '--dlr-url', moUrl: '--mo-url', callbackFormat: '--callback-format', moReplyAllowed: '--mo-reply',
};

/** Numbers from the command line go through the same schema as the file, so the rules are one. */
function numberOption(value: string | undefined): number | undefined {
  return value === undefined ? undefined : Number(value);
}

function requireSlug(id: string): void {
  if (!isSlug(id)) throw invalid(`client id "${id}" is not valid: use a lower-case id of letters, digits and . _ - (at most 64 characters)`);
}

async function addClient(id: string, options: AddOptions, command: Command): Promise<void> {
  requireSlug(id);
  const parsed = clientSchema.safeParse({
    name: options.name,
    login: options.login,
    demo: options.demo ?? false,
    reservedTps: numberOption(options.reservedTps),
    maxTps: numberOption(options.maxTps),
    maxQueued: numberOption(options.maxQueued),
    dlrUrl: options.dlrUrl,
    moUrl: options.moUrl,
    callbackFormat: options.callbackFormat,
    moReplyAllowed: options.moReply ?? false,
  });
  if (!parsed.success) {
    const problems = describeIssues(parsed.error.issues).map((problem) => problem.replace(/^(\w+)/, (field) => optionOfField[field] ?? field));
    throw invalid(`cannot add client ${id}`, problems);
  }
  const password = await passwordFrom(options);
  const settings = parsed.data;
  await withStore(command, async (store) => {
    const snapshot = await store.loadProvisioning();
    if (snapshot.clients.some((client) => client.id === id)) throw new CliError(`client "${id}" already exists`, ExitCode.conflict);
    const client = {
      id: id as ClientId,
      name: settings.name,
      login: settings.login,
      passwordHash: password === undefined ? null : await hashPassword(password),
      urlToken: newUrlToken(),
      virtualPort: null,
      disabled: false,
      demo: settings.demo,
      allowedIps: [],
      senders: [],
      reservedTps: settings.reservedTps,
      maxTps: settings.maxTps,
      maxQueued: settings.maxQueued,
      dlrUrl: settings.dlrUrl,
      moUrl: settings.moUrl,
      callbackFormat: settings.callbackFormat,
      callbackSecret: newCallbackSecret(),
      shortCodes: [],
      keywords: [],
      moReplyAllowed: settings.moReplyAllowed,
      smpp: null,
    };
    const problems = clientConflicts([...snapshot.clients.map(toClientPut), client]);
    if (problems.length > 0) throw new CliError(`cannot add client ${id}`, ExitCode.conflict, problems);
    const version = await store.applyProvisioning([{ op: 'client.put', client }]);
    const stored = findClient(await store.loadProvisioning(), id);
    const urlPath = `/c/${stored.urlToken}/`;
    if (globalsOf(command).json === true) {
      writeJson({ id, virtualPort: stored.virtualPort, urlPath, version });
    } else {
      writeOut(`client ${id} created, virtual port ${stored.virtualPort}`);
      writeOut(`unique URL path: ${urlPath}`);
      writeNote('the unique URL is shown only now: hand it to the client over a safe channel');
    }
  });
}

function reportChange(command: Command, id: string, changed: boolean, version: number, done: string, already: string): void {
  if (globalsOf(command).json === true) writeJson({ id, changed, version });
  else writeOut(changed ? `client ${id} ${done}` : `client ${id} ${already}: nothing changed`);
}

function setDisabled(disabled: boolean) {
  return async (id: string, _options: unknown, command: Command): Promise<void> => {
    await withStore(command, async (store) => {
      const result = await updateClient(store, id, (client) => (client.disabled === disabled ? null : { ...client, disabled }));
      const word = disabled ? 'disabled' : 'enabled';
      reportChange(command, id, result.changed, result.version, word, `was already ${word}`);
    });
  };
}

export function clientCommand(): Command {
  const client = new Command('client').description('client accounts: credentials, unique URL, limits, callbacks');

  client.command('add <id>')
    .description('create a client; prints its unique URL path once')
    .requiredOption('--name <name>', 'display name')
    .requiredOption('--login <login>', 'login for HTTP and SMPP authentication')
    .option('--password <password>', 'password (visible in the shell history: prefer --password-stdin)')
    .option('--password-stdin', 'read the password from the first line of standard input')
    .option('--demo', 'demo account: demo sender only, within the demo allowance')
    .option('--reserved-tps <n>', 'guaranteed segments per second')
    .option('--max-tps <n>', 'intake ceiling in segments per second')
    .option('--max-queued <n>', 'most messages waiting in the queue')
    .option('--dlr-url <url>', 'delivery receipt callback URL')
    .option('--mo-url <url>', 'inbound SMS callback URL')
    .option('--callback-format <format>', 'get | post-form | post-json | post-xml')
    .option('--mo-reply', 'send a text/plain MO callback response back to the subscriber')
    .action(addClient);

  client.command('show <id>')
    .description('one client in detail; secrets masked')
    .option('--show-secrets', 'print the password hash, URL token, callback secret and token hashes')
    .action(async (id: string, options: { showSecrets?: boolean }, command: Command) => {
      await withStore(command, async (store) => {
        const found = findClient(await store.loadProvisioning(), id);
        const showSecrets = options.showSecrets === true;
        if (globalsOf(command).json === true) writeJson(clientView(found, showSecrets));
        else writeOut(renderClient(found, showSecrets));
      });
    });

  client.command('list')
    .description('all clients')
    .action(async (_options: unknown, command: Command) => {
      await withStore(command, async (store) => {
        const { clients } = await store.loadProvisioning();
        if (globalsOf(command).json === true) writeJson([...clients].sort((a, b) => a.id.localeCompare(b.id)).map((entry) => clientView(entry, false)));
        else writeOut(clients.length === 0 ? 'no clients' : renderClientList(clients));
      });
    });

  client.command('disable <id>').description('refuse the client\'s traffic (kept, can be enabled again)').action(setDisabled(true));
  client.command('enable <id>').description('accept the client\'s traffic again').action(setDisabled(false));

  client.command('passwd <id>')
    .description('set a new password; without --password or --password-stdin a random one is generated and printed once')
    .option('--password <password>', 'the new password')
    .option('--password-stdin', 'read the new password from standard input')
    .action(async (id: string, options: PasswordOptions, command: Command) => {
      const given = await passwordFrom(options);
      const password = given ?? newPassword();
      const passwordHash = await hashPassword(password);
      await withStore(command, async (store) => {
        const result = await updateClient(store, id, (entry) => ({ ...entry, passwordHash }));
        if (globalsOf(command).json === true) writeJson({ id, version: result.version, ...(given === undefined ? { password } : {}) });
        else writeOut(given === undefined ? `client ${id}: new password ${password} (shown only now)` : `client ${id}: password changed`);
      });
    });

  client.command('rotate-url <id>')
    .description('give the client a new unique URL; the old one stops working')
    .action(async (id: string, _options: unknown, command: Command) => {
      const urlToken = newUrlToken();
      await withStore(command, async (store) => {
        const result = await updateClient(store, id, (entry) => ({ ...entry, urlToken }));
        const urlPath = `/c/${urlToken}/`;
        if (globalsOf(command).json === true) writeJson({ id, urlPath, version: result.version });
        else writeOut(`client ${id}: new unique URL path ${urlPath} (shown only now)`);
      });
    });

  const token = client.command('token').description('API tokens (Authorization: Bearer)');
  token.command('add <id>')
    .description('create an API token; prints it once, stores only its SHA-256')
    .option('--label <label>', 'what the token is for', '')
    .action(async (id: string, options: { label: string }, command: Command) => {
      await withStore(command, async (store) => {
        findClient(await store.loadProvisioning(), id);
        const value = newApiToken();
        const record = { id: randomBytes(4).toString('hex'), sha256: sha256Hex(value), createdAt: new Date(), label: options.label };
        const version = await store.applyProvisioning([{ op: 'apiToken.add', clientId: id as ClientId, token: record }]);
        if (globalsOf(command).json === true) writeJson({ id, tokenId: record.id, token: value, version });
        else writeOut(`client ${id}: token ${record.id} created: ${value}\n(shown only now; remove it with: smsprocctl client token remove ${id} ${record.id})`);
      });
    });
  token.command('remove <id> <tokenId>')
    .description('revoke an API token')
    .action(async (id: string, tokenId: string, _options: unknown, command: Command) => {
      await withStore(command, async (store) => {
        const found = findClient(await store.loadProvisioning(), id);
        if (!found.apiTokens.some((entry) => entry.id === tokenId)) throw notFound(`token of client ${id}`, tokenId);
        const version = await store.applyProvisioning([{ op: 'apiToken.remove', clientId: id as ClientId, tokenId }]);
        if (globalsOf(command).json === true) writeJson({ id, tokenId, version });
        else writeOut(`client ${id}: token ${tokenId} removed`);
      });
    });

  return client;
}
