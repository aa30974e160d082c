import { Command } from 'commander';
import type { KeywordRegistration } from '../../../daemon/domain/provisioning.js';
import { invalid } from '../cli-error.js';
import { updateClient } from '../client-update.js';
import { globalsOf, withStore } from '../context.js';
import { writeJson, writeOut } from '../output.js';
import type { ClientPut } from '../plan.js';
import { checkIpOrCidr, checkKeyword, checkSender, checkShortCode, type Checked } from '../validate.js';

/**
 * Commands that add an item to one of a client's lists or take it away: sender ids, the IP
 * allowlist, short codes and keywords. Each validates the item first and says when nothing changed.
 */

type ListField = 'senders' | 'allowedIps' | 'shortCodes';

function checked(result: Checked): string {
  if (!result.ok) throw invalid(result.message);
  return result.value;
}

async function changeList(command: Command, clientId: string, field: ListField, item: string, add: boolean, what: string): Promise<void> {
  await withStore(command, async (store) => {
    const result = await updateClient(store, clientId, (client) => {
      const present = client[field].includes(item);
      if (present === add) return null;
      const list = add ? [...client[field], item] : client[field].filter((entry) => entry !== item);
      return { ...client, [field]: list } as ClientPut;
    });
    const done = add ? 'added' : 'removed';
    if (globalsOf(command).json === true) writeJson({ client: clientId, [field]: item, changed: result.changed, version: result.version });
    else writeOut(result.changed ? `client ${clientId}: ${what} ${item} ${done}` : `client ${clientId}: ${what} ${item} was already ${add ? 'there' : 'absent'}: nothing changed`);
  });
}

function listCommands(parent: Command, field: ListField, what: string, check: (value: string) => Checked, words: [string, string], itemName: string): void {
  const [addWord, removeWord] = words;
  parent.command(`${addWord} <client> <${itemName}>`)
    .description(`add a ${what} to the client`)
    .action((clientId: string, value: string, _options: unknown, command: Command) => changeList(command, clientId, field, checked(check(value)), true, what));
  parent.command(`${removeWord} <client> <${itemName}>`)
    .description(`remove a ${what} from the client`)
    .action((clientId: string, value: string, _options: unknown, command: Command) => changeList(command, clientId, field, checked(check(value)), false, what));
}

function sameKeyword(a: KeywordRegistration, b: KeywordRegistration): boolean {
  return a.shortCode === b.shortCode && a.keyword === b.keyword;
}

async function changeKeyword(command: Command, clientId: string, entry: KeywordRegistration, add: boolean): Promise<void> {
  await withStore(command, async (store) => {
    const result = await updateClient(store, clientId, (client) => {
      const present = client.keywords.some((existing) => sameKeyword(existing, entry));
      if (present === add) return null;
      const keywords = add ? [...client.keywords, entry] : client.keywords.filter((existing) => !sameKeyword(existing, entry));
      return { ...client, keywords };
    });
    const name = `keyword ${entry.keyword} on ${entry.shortCode}`;
    if (globalsOf(command).json === true) writeJson({ client: clientId, ...entry, changed: result.changed, version: result.version });
    else writeOut(result.changed ? `client ${clientId}: ${name} ${add ? 'added' : 'removed'}` : `client ${clientId}: ${name} was already ${add ? 'there' : 'absent'}: nothing changed`);
  });
}

export function accessCommands(): Command[] {
  const sender = new Command('sender').description('sender ids a client may send from (up to 11 letters/digits, or up to 15 digits)');
  listCommands(sender, 'senders', 'sender', checkSender, ['add', 'remove'], 'name');

  const ip = new Command('ip').description('the client\'s IP allowlist (IPv4/IPv6 addresses and CIDR blocks; empty allows nothing)');
  listCommands(ip, 'allowedIps', 'address', checkIpOrCidr, ['allow', 'deny'], 'addr-or-cidr');

  const shortcode = new Command('shortcode').description('short codes dedicated to the client (all MO to them goes to it)');
  listCommands(shortcode, 'shortCodes', 'short code', checkShortCode, ['add', 'remove'], 'code');

  const keyword = new Command('keyword').description('keywords on shared short codes (MO whose first word matches goes to the client)');
  for (const add of [true, false]) {
    keyword.command(`${add ? 'add' : 'remove'} <client> <shortCode> <keyword>`)
      .description(add ? 'register a keyword (stored upper-cased, any script)' : 'unregister a keyword')
      .action((clientId: string, shortCode: string, word: string, _options: unknown, command: Command) =>
        changeKeyword(command, clientId, { shortCode: checked(checkShortCode(shortCode)), keyword: checked(checkKeyword(word)) }, add));
  }
  return [sender, ip, shortcode, keyword];
}
