import type { CommandName, FieldKind, commandFields } from './commands.js';
import type { Tlv } from './tlv.js';

/** One submit_multi destination (section 4.5.1.1): an SME address or a distribution list name. */
export type DestAddress =
  | { readonly kind: 'sme'; readonly ton: number; readonly npi: number; readonly address: string }
  | { readonly kind: 'distributionList'; readonly name: string };

/** One destination the SMSC refused in submit_multi_resp (section 4.5.2). */
export interface UnsuccessSme {
  readonly ton: number;
  readonly npi: number;
  readonly address: string;
  readonly errorStatusCode: number;
}

type FieldValue<K extends FieldKind> = K extends 'cstring'
  ? string
  : K extends 'shortMessage'
    ? Buffer
    : K extends 'destAddresses'
      ? readonly DestAddress[]
      : K extends 'unsuccessSmes'
        ? readonly UnsuccessSme[]
        : number;

type FieldsOf<C extends CommandName> = {
  readonly [F in (typeof commandFields)[C][number] as F[0]]: FieldValue<F[1]>;
};

interface Header<C extends CommandName> {
  readonly command: C;
  readonly commandStatus: number;
  readonly sequenceNumber: number;
  /** TLVs in wire order, known and unknown alike. */
  readonly tlvs: readonly Tlv[];
  /**
   * A response sent with its header only (16 octets), as SMSCs do for a non-zero command_status and
   * some do even for success: its mandatory fields read as '' and 0 and are not encoded.
   */
  readonly bodyOmitted?: boolean;
}

type Flatten<T> = { [K in keyof T]: T[K] };

/** Every SMPP 3.4 PDU, discriminated by `command`, with its mandatory fields typed. */
export type Pdu = { [C in CommandName]: Flatten<Header<C> & FieldsOf<C>> }[CommandName];
export type PduOf<C extends CommandName> = Extract<Pdu, { readonly command: C }>;
