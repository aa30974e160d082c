import { Errors, SmsprocError } from '../domain/errors.js';
import type { ClientRecord } from '../domain/provisioning.js';
import type { MessageSource } from '../storage/port.js';
import { admitUnits, commitUnits, prepareUnit, type PreparedUnit, type UnitOutcome } from './acceptance.js';
import type { ApiContext } from './api-context.js';
import type { SubmitParams } from './submit-params.js';
import { validateSubmission } from './submission.js';

/**
 * Accepts several independent messages (a JSON batch, an XML request): each item is validated on
 * its own and refused on its own; the valid ones are admitted against the client's limits together
 * and stored in one group commit, each atomically.
 */
export async function acceptItems(
  context: ApiContext,
  client: ClientRecord,
  items: readonly (() => SubmitParams)[],
  source: MessageSource,
): Promise<{ outcomes: UnitOutcome[]; clientRefs: (string | null)[] }> {
  if (items.length === 0) throw new SmsprocError(Errors.BATCH_EMPTY);
  if (items.length > context.config.api.maxBatchSize) throw new SmsprocError(Errors.BATCH_TOO_LARGE, { max: context.config.api.maxBatchSize });
  const now = context.clock();
  const clientRefs: (string | null)[] = [];
  const prepared = await Promise.all(items.map(async (item, index): Promise<PreparedUnit | SmsprocError> => {
    try {
      const params = item();
      clientRefs[index] = params.clientRef ?? null;
      const draft = validateSubmission(params, client, context.rules, now);
      return await prepareUnit(context.acceptance, client, draft, draft.clientRef, source);
    } catch (error) {
      clientRefs[index] ??= null;
      if (error instanceof SmsprocError && error.definition.httpStatus < 500) return error;
      throw error;
    }
  }));
  const units = prepared.filter((unit): unit is PreparedUnit => !(unit instanceof SmsprocError));
  await admitUnits(context.acceptance, client, units);
  const committed = await commitUnits(context.acceptance, units);
  let next = 0;
  const outcomes = prepared.map((unit): UnitOutcome => (unit instanceof SmsprocError ? { kind: 'refused', error: unit } : committed[next++]!));
  return { outcomes, clientRefs };
}
