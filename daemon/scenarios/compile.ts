/**
 * From a stored scenario source to the definition the engine runs: a source is either written in the
 * scenario language directly, or `{ use: <kind>, params: {…} }` naming a built-in kind, whose YAML
 * template (daemon/scenarios/builtin/<kind>.yaml) is expanded with the parameters first. Either way
 * the result is validated by the one schema, so built-in and custom kinds are the same language.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';
import { scenarioSchema, type ScenarioDefinition } from './definition.js';
import { expandTemplate, TemplateError } from './template.js';

export const builtinKinds = ['vote', 'quiz', 'lottery', 'subscription'] as const;
export type BuiltinKind = (typeof builtinKinds)[number];

export type Compiled = { readonly ok: true; readonly definition: ScenarioDefinition } | { readonly ok: false; readonly problems: readonly string[] };

const paramSpec = z.strictObject({ required: z.boolean().default(false), default: z.unknown().optional(), description: z.string().optional() });
const templateFile = z.strictObject({ description: z.string(), params: z.record(z.string(), paramSpec), scenario: z.unknown() });
export type BuiltinTemplate = z.output<typeof templateFile>;

const useSource = z.strictObject({ use: z.enum(builtinKinds), params: z.record(z.string(), z.unknown()).default({}) });

/** This module runs as dist/daemon/scenarios/compile.js; the templates stay in the source tree. */
function builtinDir(): string {
  return fileURLToPath(new URL('../../../daemon/scenarios/builtin/', import.meta.url));
}

const templates = new Map<BuiltinKind, BuiltinTemplate>();

export function builtinTemplate(kind: BuiltinKind): BuiltinTemplate {
  let template = templates.get(kind);
  if (template === undefined) {
    template = templateFile.parse(parse(readFileSync(`${builtinDir()}${kind}.yaml`, 'utf8')));
    templates.set(kind, template);
  }
  return template;
}

function issues(error: z.ZodError, prefix: string): string[] {
  return error.issues.map((issue) => `${[prefix, ...issue.path.map(String)].filter((p) => p !== '').join('.') || '(top level)'}: ${issue.message}`);
}

export function compileScenario(source: unknown): Compiled {
  let body: unknown = source;
  if (source !== null && typeof source === 'object' && Object.hasOwn(source, 'use')) {
    const use = useSource.safeParse(source);
    if (!use.success) return { ok: false, problems: issues(use.error, '') };
    const template = builtinTemplate(use.data.use);
    const problems: string[] = [];
    const params: Record<string, unknown> = {};
    for (const [name, spec] of Object.entries(template.params)) {
      if (Object.hasOwn(use.data.params, name)) params[name] = use.data.params[name];
      else if (spec.required) problems.push(`params.${name}: required by ${use.data.use}${spec.description === undefined ? '' : ` (${spec.description})`}`);
      else params[name] = spec.default ?? null;
    }
    for (const name of Object.keys(use.data.params)) if (!Object.hasOwn(template.params, name)) problems.push(`params.${name}: ${use.data.use} has no such parameter`);
    if (problems.length > 0) return { ok: false, problems };
    try {
      body = expandTemplate(template.scenario, params);
    } catch (error) {
      if (error instanceof TemplateError) return { ok: false, problems: [`${use.data.use} template: ${error.message}`] };
      throw error;
    }
  }
  const parsed = scenarioSchema.safeParse(body);
  return parsed.success ? { ok: true, definition: parsed.data } : { ok: false, problems: issues(parsed.error, '') };
}
