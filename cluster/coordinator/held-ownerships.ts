import type { LossReason, Ownership } from './port.js';

/** What an adapter needs to make one ownership: its epoch, its deadline, and how to give it up. */
export interface OwnershipTerms {
  readonly resource: string;
  readonly epoch: number;
  readonly validUntilMs: () => number;
  /** Removes the ownership on the server (the held set already forgot it). */
  readonly giveUp: () => Promise<void>;
}

/**
 * The ownerships an adapter holds for its node, each with the AbortController behind its `lost`
 * signal. Shared by the adapters so that "lost fires once, then the ownership is forgotten" is
 * written once.
 */
export class HeldOwnerships {
  private readonly held = new Map<string, { ownership: Ownership; controller: AbortController }>();

  constructor(private readonly onChange: () => void) {}

  get(resource: string): Ownership | undefined {
    return this.held.get(resource)?.ownership;
  }

  all(): readonly Ownership[] {
    return [...this.held.values()].map((entry) => entry.ownership);
  }

  add(terms: OwnershipTerms): Ownership {
    const controller = new AbortController();
    const ownership: Ownership = {
      resource: terms.resource,
      epoch: terms.epoch,
      lost: controller.signal,
      validUntilMs: terms.validUntilMs,
      release: async () => {
        if (!this.end(terms.resource, 'released')) return;
        await terms.giveUp();
      },
    };
    this.held.set(terms.resource, { ownership, controller });
    this.onChange();
    return ownership;
  }

  /** Ends one ownership: forgets it and fires its `lost` signal. False when it was not held. */
  end(resource: string, reason: LossReason): boolean {
    const entry = this.held.get(resource);
    if (entry === undefined) return false;
    this.held.delete(resource);
    entry.controller.abort(reason);
    this.onChange();
    return true;
  }

  endAll(reason: LossReason): readonly string[] {
    const resources = [...this.held.keys()];
    for (const resource of resources) this.end(resource, reason);
    return resources;
  }
}
