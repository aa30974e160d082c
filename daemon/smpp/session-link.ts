/**
 * What the two SMPP session machines keep alike, the ESME role (session-machine.ts) and the SMSC role
 * (daemon/smpp-server/smsc-session.ts): sequence numbers, the requests sent in a window with their
 * response deadlines, and the enquire_link watchdog of a bound session. Pure, like the machines.
 */
import type { Pdu } from './pdu.js';
import { bodilessPdu } from './session-pdus.js';

const maxSequence = 0x7fffffff;

/** An enquire_link sent and not yet answered. */
export interface EnquireLink {
  readonly sequenceNumber: number;
  readonly deadline: number;
}

/** The watchdog's part of a session's state. */
export interface PeerWatch {
  enquireLink: EnquireLink | null;
  /** When the peer last sent anything (any PDU shows it is alive). */
  lastReceivedAt: number;
}

export interface WatchTiming {
  readonly enquireLinkIntervalMs: number;
  readonly enquireLinkTimeoutMs: number;
}

/** The next free sequence number: 1..0x7FFFFFFF, wrapping, skipping those `inUse` says still await a response. */
export function allocateSequence(state: { nextSequence: number }, inUse: (sequenceNumber: number) => boolean): number {
  for (;;) {
    const seq = state.nextSequence;
    state.nextSequence = seq === maxSequence ? 1 : seq + 1;
    if (!inUse(seq)) return seq;
  }
}

/** Removes and returns the requests past their deadline; the map is in send order, so in deadline order. */
export function takeExpired<V extends { readonly deadline: number }>(outstanding: Map<number, V>, now: number): [number, V][] {
  const expired: [number, V][] = [];
  for (const [seq, sent] of outstanding) {
    if (sent.deadline > now) break;
    outstanding.delete(seq);
    expired.push([seq, sent]);
  }
  return expired;
}

/**
 * The watchdog of a bound session: 'deadPeer' once the enquire_link sent went unanswered past its
 * deadline; an enquire_link to send once the peer has been silent for the interval; else null.
 */
export function watchPeer(watch: PeerWatch, timing: WatchTiming, now: number, allocate: () => number): 'deadPeer' | Pdu | null {
  if (watch.enquireLink !== null) return now >= watch.enquireLink.deadline ? 'deadPeer' : null;
  if (now - watch.lastReceivedAt < timing.enquireLinkIntervalMs) return null;
  const sequenceNumber = allocate();
  watch.enquireLink = { sequenceNumber, deadline: now + timing.enquireLinkTimeoutMs };
  return bodilessPdu('enquire_link', sequenceNumber);
}

/**
 * When the machine must be stepped again for its timers: the phase's deadline, the oldest request's
 * response deadline and, while the peer is watched, the watchdog's; Infinity for none.
 */
export function timersWakeAt(phaseDeadline: number | null, outstanding: Map<number, { readonly deadline: number }>, watch: PeerWatch | null, timing: WatchTiming): number {
  let at = phaseDeadline ?? Infinity;
  const oldest = outstanding.values().next();
  if (oldest.done !== true) at = Math.min(at, oldest.value.deadline);
  if (watch !== null) at = Math.min(at, watch.enquireLink?.deadline ?? watch.lastReceivedAt + timing.enquireLinkIntervalMs);
  return at;
}
