import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Errors, SmsprocError } from '../domain/errors.js';
import { authenticateRequest, paramsOf, type ApiContext } from './api-context.js';
import { storeCall } from './store-call.js';
import { textParam } from './submit-params.js';

/**
 * A client's scenario results (docs/scenarios.md, "Results"): tallies, leaderboard, entries and
 * draws as they stand, read from the store on each request, so they are live. A scenario of another
 * client is answered as not existing.
 */
export function registerScenarioRoutes(app: FastifyInstance, context: ApiContext): void {
  async function results(request: FastifyRequest<{ Params: { id: string } }>): Promise<Record<string, unknown>> {
    const params = paramsOf(request);
    const client = await authenticateRequest(context, request, params);
    const { id } = request.params;
    const scenario = (await storeCall(() => context.store.loadScenarios())).find((s) => s.id === id && s.clientId === client.id);
    if (scenario === undefined) throw new SmsprocError(Errors.NOT_FOUND, { kind: 'Scenario', id });
    const topText = textParam(params, 'top') ?? '10';
    const top = Number(topText);
    if (!Number.isInteger(top) || top < 0 || top > 1000) throw new SmsprocError(Errors.PARAMETER_INVALID, { parameter: 'top', detail: 'use a whole number from 0 to 1000' });
    const found = await storeCall(() => context.store.scenarioResults(id, { leaderboard: top }));
    return {
      scenarioId: id,
      version: scenario.version,
      disabled: scenario.disabled,
      tallies: found.tallies,
      leaderboard: found.leaderboard,
      entries: found.entries,
      states: found.states,
      steps: found.steps,
      draws: found.draws.map((draw) => ({ ...draw, drawnAt: draw.drawnAt.toISOString() })),
    };
  }

  for (const prefix of ['/api/v1', '/c/:urlToken']) app.get(`${prefix}/scenarios/:id/results`, results);
}
