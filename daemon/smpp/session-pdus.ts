import { commandFields, type CommandName } from './commands.js';
import type { Pdu } from './pdu.js';
import type { BindKind, SessionConfig } from './session-types.js';

export const bindCommandOf = {
  transceiver: 'bind_transceiver',
  transmitter: 'bind_transmitter',
  receiver: 'bind_receiver',
} as const satisfies Record<BindKind, CommandName>;

export const bindResponseOf = {
  transceiver: 'bind_transceiver_resp',
  transmitter: 'bind_transmitter_resp',
  receiver: 'bind_receiver_resp',
} as const satisfies Record<BindKind, CommandName>;

export function bindPdu(config: SessionConfig, sequenceNumber: number): Pdu {
  return {
    command: bindCommandOf[config.bindKind],
    commandStatus: 0,
    sequenceNumber,
    tlvs: [],
    systemId: config.systemId,
    password: config.password,
    systemType: config.systemType,
    interfaceVersion: config.interfaceVersion,
    addrTon: config.addrTon,
    addrNpi: config.addrNpi,
    addressRange: config.addressRange,
  };
}

/** A PDU without mandatory fields (enquire_link, unbind and their responses, generic_nack). */
export function bodilessPdu(command: 'enquire_link' | 'enquire_link_resp' | 'unbind' | 'unbind_resp' | 'generic_nack', sequenceNumber: number, commandStatus = 0): Pdu {
  return { command, commandStatus, sequenceNumber, tlvs: [] };
}

/**
 * An error answer of any response command, sent as a bare header (as SMSCs do for a non-zero
 * status): its fields are empty and not encoded.
 */
export function errorResponse(command: CommandName, commandStatus: number, sequenceNumber: number): Pdu {
  const fields: Record<string, string | number | Buffer | readonly never[]> = {};
  for (const [name, kind] of commandFields[command]) {
    fields[name] = kind === 'cstring' ? '' : kind === 'int1' ? 0 : kind === 'shortMessage' ? Buffer.alloc(0) : [];
  }
  return { command, commandStatus, sequenceNumber, tlvs: [], bodyOmitted: true, ...fields } as unknown as Pdu;
}

/** The answer to a deliver_sm / data_sm; message_id is unused in a deliver_sm_resp (section 4.6.2). */
export function deliveryResponse(command: 'deliver_sm_resp' | 'data_sm_resp', commandStatus: number, sequenceNumber: number): Pdu {
  if (commandStatus !== 0) return errorResponse(command, commandStatus, sequenceNumber);
  return { command, commandStatus, sequenceNumber, tlvs: [], messageId: '' };
}
