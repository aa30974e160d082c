/**
 * Which label value a client gets on per-client series: none at all when per-client series are off;
 * otherwise its own id for the first `max` distinct clients seen and OTHER_CLIENTS after that, so the
 * number of series stays bounded whatever the number of clients. Pure: no registry, no I/O.
 */
export const OTHER_CLIENTS = '_other';

export interface ClientSeries {
  /** The label value for the client, or null when per-client series are off. */
  labelOf(clientId: string): string | null;
  /** Clients with a series of their own so far. */
  readonly admitted: number;
}

export function createClientSeries(enabled: boolean, max: number): ClientSeries {
  const admitted = new Set<string>();
  return {
    labelOf(clientId: string): string | null {
      if (!enabled) return null;
      if (admitted.has(clientId)) return clientId;
      if (admitted.size >= max) return OTHER_CLIENTS;
      admitted.add(clientId);
      return clientId;
    },
    get admitted(): number {
      return admitted.size;
    },
  };
}
