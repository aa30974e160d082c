/**
 * A bound client's submit_sm / data_sm to its response (docs/smpp-server.md, "Submitting"): read
 * as API parameters, validated, limited and committed through the API's acceptance (acceptDraft),
 * answered with our message id only after the commit. Parts of a long message are held until their
 * set is complete and then accepted as one message; every part is answered with that message's id.
 * A refusal is the registry error's SMPP status (ESME_RTHROTTLED above the rate ceiling,
 * ESME_RMSGQFUL above the queue bound, …); never silence.
 */
import { acceptDraft, type AcceptanceDeps } from '../api/acceptance.js';
import { validateSubmission, type SubmissionRules } from '../api/submission.js';
import type { SubmitParams } from '../api/submit-params.js';
import { Errors, SmsprocError } from '../domain/errors.js';
import type { ClientId } from '../domain/ids.js';
import type { ClientRecord } from '../domain/provisioning.js';
import type { Logger } from '../log.js';
import { CommandStatus } from '../smpp/command-status.js';
import type { Pdu } from '../smpp/pdu.js';
import { errorResponse } from '../smpp/session-pdus.js';
import { decodeShortMessage } from '../text/short-message-decoder.js';
import { readClientSubmit } from './client-submit.js';
import { PartAssembly } from './part-assembly.js';
import type { ClientRequestPdu } from './smsc-session.js';

export interface IntakeDeps {
  readonly acceptance: AcceptanceDeps;
  readonly rules: SubmissionRules;
  /** The client as currently provisioned (a reload applies to bound sessions too). */
  readonly clientOf: (id: ClientId) => ClientRecord | undefined;
  readonly logger: Logger;
  readonly clock: () => number;
}

type Answer = (messageIdOrStatus: { readonly messageId: string } | { readonly status: number }) => void;

export class ClientIntake {
  private readonly parts: PartAssembly<Answer>;
  private expiryTimer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: IntakeDeps, private readonly clientId: ClientId, partTimeoutMs: number) {
    this.parts = new PartAssembly(partTimeoutMs);
  }

  /** The response to a submit; resolves after the commit (or the refusal), never rejects. */
  submit(pdu: ClientRequestPdu): Promise<Pdu> {
    const command = pdu.command === 'submit_sm' ? 'submit_sm_resp' : 'data_sm_resp';
    return new Promise<Pdu>((resolve) => {
      const answer: Answer = (result) => resolve('messageId' in result
        ? { command, commandStatus: 0, sequenceNumber: pdu.sequenceNumber, tlvs: [], messageId: result.messageId }
        : errorResponse(command, result.status, pdu.sequenceNumber));
      this.take(pdu, answer).catch((error: unknown) => answer({ status: this.statusOf(error) }));
    });
  }

  /** The session ended: held parts are never answered (the client resubmits what it was not answered). */
  close(): void {
    this.parts.clear();
    if (this.expiryTimer !== null) clearTimeout(this.expiryTimer);
    this.expiryTimer = null;
  }

  private async take(pdu: ClientRequestPdu, answer: Answer): Promise<void> {
    const now = this.deps.clock();
    const read = readClientSubmit(pdu, now);
    if (read.kind === 'message') {
      answer({ messageId: await this.accept(read.params, now) });
      return;
    }
    const held = this.parts.add(read.key, read.total, read.seq, read.payload, answer, now);
    if (held.kind === 'duplicate') {
      answer({ status: CommandStatus.ESME_RSUBMITFAIL });
    } else if (held.kind === 'held') {
      this.armExpiry();
    } else {
      const text = decodeShortMessage(held.payload, read.dataCoding);
      try {
        const messageId = await this.accept({ ...read.params, text }, now);
        for (const each of held.tags) each({ messageId });
      } catch (error) {
        const status = this.statusOf(error);
        for (const each of held.tags) each({ status });
      }
    }
  }

  private async accept(params: SubmitParams, now: number): Promise<string> {
    const client = this.deps.clientOf(this.clientId);
    if (client === undefined || client.disabled || client.smpp?.enabled !== true) throw new SmsprocError(Errors.CLIENT_DISABLED);
    const draft = validateSubmission(params, client, this.deps.rules, now);
    const outcome = await acceptDraft(this.deps.acceptance, client, draft, null, 'smpp');
    const first = outcome.messages[0];
    if (first === undefined) throw new Error('an accepted submit has no message id');
    return first.id;
  }

  private statusOf(error: unknown): number {
    if (error instanceof SmsprocError) return error.definition.smppStatus ?? CommandStatus.ESME_RSUBMITFAIL;
    this.deps.logger.error({ err: error, clientId: this.clientId }, 'SMPP submit failed');
    return CommandStatus.ESME_RSYSERR;
  }

  /** Refuses the parts of sets that stayed incomplete too long, so the client is never left waiting. */
  private armExpiry(): void {
    const at = this.parts.nextDeadline();
    if (this.expiryTimer !== null || at === null) return;
    this.expiryTimer = setTimeout(() => {
      this.expiryTimer = null;
      for (const answer of this.parts.expire(this.deps.clock())) answer({ status: CommandStatus.ESME_RSUBMITFAIL });
      this.armExpiry();
    }, Math.max(0, at - this.deps.clock()));
  }
}
