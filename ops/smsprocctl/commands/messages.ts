import { userInfo } from 'node:os';
import { Command } from 'commander';
import type { ClientId, MessageId } from '../../../daemon/domain/ids.js';
import { normalizeMsisdn } from '../../../daemon/routing/msisdn.js';
import type { AdminMtOutcome, Store } from '../../../daemon/storage/port.js';
import { CliError, ExitCode, invalid, notFound } from '../cli-error.js';
import { findClient, globalsOf, withStore } from '../context.js';
import { renderMessage } from '../message-view.js';
import { renderTable, writeJson, writeNote, writeOut } from '../output.js';

function positiveInt(raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 10_000) throw invalid(`--limit must be a whole number from 1 to 10000, not "${raw}"`);
  return value;
}

/** Who did it, for the message's history: the operator's login. */
function operatorDetail(action: string, reason: string | undefined): string {
  const who = `${action} by ${userInfo().username} (smsprocctl)`;
  return reason === undefined || reason.trim() === '' ? who : `${who}: ${reason.trim()}`;
}

async function change(command: Command, id: string, action: 'cancel' | 'resend', reason: string | undefined): Promise<void> {
  await withStore(command, async (store: Store) => {
    const detail = operatorDetail(action === 'cancel' ? 'cancelled' : 'resent', reason);
    const outcome: AdminMtOutcome = action === 'cancel' ? await store.cancelMt(id as MessageId, detail) : await store.requeueMt(id as MessageId, detail);
    if (outcome.kind === 'not_found') throw notFound('message', id);
    if (outcome.kind === 'refused') throw new CliError(`message ${id} is ${outcome.status}: not ${action === 'cancel' ? 'cancelled' : 'resent'}, ${outcome.why}`, ExitCode.refused);
    if (globalsOf(command).json === true) writeJson({ id, status: outcome.status });
    else writeOut(action === 'cancel' ? `cancelled ${id}` : `${id} queued again (status ${outcome.status})`);
  });
}

/** Support's look at single messages: by id, by client with number or reference; cancel one still queued, resend one that failed. */
export function messagesCommand(): Command {
  const messages = new Command('messages').description('look up, cancel and resend single messages');

  messages.command('show')
    .argument('<id>', 'our message id')
    .description('one message of any client with its history')
    .action(async (id: string, _options: unknown, command: Command) => {
      await withStore(command, async (store) => {
        const [view] = await store.lookupMessages({ id: id as MessageId });
        if (view === undefined) throw notFound('message', id);
        if (globalsOf(command).json === true) writeJson(view);
        else writeOut(renderMessage(view));
      });
    });

  messages.command('find')
    .description('a client\'s messages, newest first, with their history')
    .requiredOption('--client <id>', 'the client')
    .option('--to <msisdn>', 'only to this number (as the client would write it)')
    .option('--ref <ref>', 'only with this client reference')
    .option('--limit <n>', 'at most this many', '20')
    .action(async (options: { client: string; to?: string; ref?: string; limit: string }, command: Command) => {
      const limit = positiveInt(options.limit);
      await withStore(command, async (store, config) => {
        findClient(await store.loadProvisioning(), options.client);
        let recipient: string | undefined;
        if (options.to !== undefined) {
          recipient = normalizeMsisdn(options.to, config.msisdn) ?? undefined;
          if (recipient === undefined) throw invalid(`--to "${options.to}" is not a phone number under this node's msisdn settings`);
        }
        const views = await store.lookupMessages({
          clientId: options.client as ClientId,
          limit,
          ...(recipient === undefined ? {} : { recipient }),
          ...(options.ref === undefined ? {} : { clientRef: options.ref }),
        });
        if (globalsOf(command).json === true) {
          writeJson(views);
          return;
        }
        if (views.length === 0) {
          writeNote('no messages');
          return;
        }
        writeOut(renderTable(['id', 'to', 'status', 'accepted', 'client ref'], views.map((v) => [v.id, v.recipient, v.status, v.acceptedAt.toISOString(), v.clientRef])));
        for (const view of views) writeOut(`\n${renderMessage(view)}`);
      });
    });

  messages.command('cancel')
    .argument('<id>')
    .option('--reason <text>', 'kept in the message\'s history')
    .description('cancel a message still waiting in the queue (READY or WAITING); the client gets its receipt')
    .action((id: string, options: { reason?: string }, command: Command) => change(command, id, 'cancel', options.reason));

  messages.command('resend')
    .argument('<id>')
    .option('--reason <text>', 'kept in the message\'s history')
    .description('queue a failed or in-doubt message again (an in-doubt one may then reach the phone twice)')
    .action((id: string, options: { reason?: string }, command: Command) => change(command, id, 'resend', options.reason));

  return messages;
}
