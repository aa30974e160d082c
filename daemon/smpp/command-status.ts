/**
 * SMPP 3.4 command_status values (section 5.1.3) and how smsproc treats each one when it answers a
 * submit: `throttled` slows the bind and retries the message, `transient` retries the message later
 * (the message is not at fault), `permanent` fails the message. docs/smpp.md explains the choice.
 */
export const CommandStatus = {
  ESME_ROK: 0x00,
  ESME_RINVMSGLEN: 0x01,
  ESME_RINVCMDLEN: 0x02,
  ESME_RINVCMDID: 0x03,
  ESME_RINVBNDSTS: 0x04,
  ESME_RALYBND: 0x05,
  ESME_RINVPRTFLG: 0x06,
  ESME_RINVREGDLVFLG: 0x07,
  ESME_RSYSERR: 0x08,
  ESME_RINVSRCADR: 0x0a,
  ESME_RINVDSTADR: 0x0b,
  ESME_RINVMSGID: 0x0c,
  ESME_RBINDFAIL: 0x0d,
  ESME_RINVPASWD: 0x0e,
  ESME_RINVSYSID: 0x0f,
  ESME_RCANCELFAIL: 0x11,
  ESME_RREPLACEFAIL: 0x13,
  ESME_RMSGQFUL: 0x14,
  ESME_RINVSERTYP: 0x15,
  ESME_RINVNUMDESTS: 0x33,
  ESME_RINVDLNAME: 0x34,
  ESME_RINVDESTFLAG: 0x40,
  ESME_RINVSUBREP: 0x42,
  ESME_RINVESMCLASS: 0x43,
  ESME_RCNTSUBDL: 0x44,
  ESME_RSUBMITFAIL: 0x45,
  ESME_RINVSRCTON: 0x48,
  ESME_RINVSRCNPI: 0x49,
  ESME_RINVDSTTON: 0x50,
  ESME_RINVDSTNPI: 0x51,
  ESME_RINVSYSTYP: 0x53,
  ESME_RINVREPFLAG: 0x54,
  ESME_RINVNUMMSGS: 0x55,
  ESME_RTHROTTLED: 0x58,
  ESME_RINVSCHED: 0x61,
  ESME_RINVEXPIRY: 0x62,
  ESME_RINVDFTMSGID: 0x63,
  ESME_RX_T_APPN: 0x64,
  ESME_RX_P_APPN: 0x65,
  ESME_RX_R_APPN: 0x66,
  ESME_RQUERYFAIL: 0x67,
  ESME_RINVOPTPARSTREAM: 0xc0,
  ESME_ROPTPARNOTALLWD: 0xc1,
  ESME_RINVPARLEN: 0xc2,
  ESME_RMISSINGOPTPARAM: 0xc3,
  ESME_RINVOPTPARAMVAL: 0xc4,
  ESME_RDELIVERYFAILURE: 0xfe,
  ESME_RUNKNOWNERR: 0xff,
} as const;
export type CommandStatusName = keyof typeof CommandStatus;

const nameByValue: ReadonlyMap<number, CommandStatusName> = new Map(
  (Object.keys(CommandStatus) as CommandStatusName[]).map((name) => [CommandStatus[name], name]),
);

/** The spec name of a status, or a label for reserved and vendor-specific (0x400–0x4FF) values. */
export function commandStatusName(value: number): string {
  const known = nameByValue.get(value);
  if (known !== undefined) return known;
  const hex = `0x${value.toString(16).padStart(8, '0')}`;
  return value >= 0x400 && value <= 0x4ff ? `vendor ${hex}` : `reserved ${hex}`;
}

export type StatusClass = 'ok' | 'throttled' | 'transient' | 'permanent';

/** Retried: the SMSC is overloaded or failed internally, or the bind was in the wrong state. */
const transient: ReadonlySet<number> = new Set([
  CommandStatus.ESME_RINVBNDSTS,
  CommandStatus.ESME_RSYSERR,
  CommandStatus.ESME_RX_T_APPN,
  CommandStatus.ESME_RUNKNOWNERR,
]);

/** How a submit answered with this status is handled; unlisted, reserved and vendor values are permanent. */
export function classifyCommandStatus(value: number): StatusClass {
  if (value === CommandStatus.ESME_ROK) return 'ok';
  if (value === CommandStatus.ESME_RTHROTTLED || value === CommandStatus.ESME_RMSGQFUL) return 'throttled';
  return transient.has(value) ? 'transient' : 'permanent';
}
