/**
 * The pure half of cluster-wide reservations (docs/scheduling.md, "Across nodes"): what this node
 * reports of its reserved sends, and what it is charged for the sends of the others, given the
 * cluster's running count per client. The driver (daemon/limits/redis-reservations.ts) carries the
 * reports to Redis and the totals back.
 */
import type { ReservationLedger } from './reservation-ledger.js';

/** Reserved segments this node sent for a client since its last report. */
export interface ReservationReport {
  readonly clientId: string;
  readonly sent: number;
}

export class ReservationExchange {
  /** Of each account's `sentReserved`, how much the cluster's count already holds. */
  private readonly reported = new Map<string, number>();
  /** The cluster's count of each client after this node's last exchange. */
  private readonly seenTotal = new Map<string, number>();

  constructor(private readonly ledger: ReservationLedger) {}

  /** One report per reserved client, with 0 for a client this node did not serve: it still wants the total. */
  reports(): ReservationReport[] {
    return this.ledger.reservedAccounts().map((account) => ({
      clientId: account.clientId,
      sent: account.sentReserved - (this.reported.get(account.clientId) ?? 0),
    }));
  }

  /**
   * The cluster's counts after adding `reports` (same order): each client is charged here what it
   * sent on the other nodes since the last exchange. A count seen for the first time, or one that
   * went back (Redis lost its data), starts afresh without a charge.
   */
  apply(reports: readonly ReservationReport[], totals: readonly number[], now: number): void {
    reports.forEach((report, index) => {
      const total = totals[index];
      if (total === undefined) return;
      this.reported.set(report.clientId, (this.reported.get(report.clientId) ?? 0) + report.sent);
      const seen = this.seenTotal.get(report.clientId);
      this.seenTotal.set(report.clientId, total);
      const elsewhere = seen === undefined ? 0 : total - seen - report.sent;
      if (elsewhere > 0) this.ledger.account(report.clientId).chargeElsewhere(elsewhere, now);
    });
  }

  /**
   * The counts could not be reached: what this node sends meanwhile is within its share and is not
   * reported later, and the next answer starts afresh (the others' sends meanwhile are not charged).
   */
  forget(): void {
    for (const account of this.ledger.reservedAccounts()) this.reported.set(account.clientId, account.sentReserved);
    this.seenTotal.clear();
  }
}
