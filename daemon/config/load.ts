import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { configSchema, type Config } from './schema.js';

/** Every problem found in the config, listed at once so an operator fixes them in one go. */
export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

const ENV_PREFIX = 'SMSPROC_';

/** `api.tlsCertFile` → `SMSPROC_API_TLS_CERT_FILE`. */
export function envNameOf(path: readonly string[]): string {
  return ENV_PREFIX + path.map((part) => part.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()).join('_');
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The schema of one setting, for settings whose default (null) does not tell their type. */
function settingSchema(path: readonly string[]): z.ZodType | undefined {
  let schema: z.ZodType | undefined = configSchema;
  for (const part of path) {
    while (schema instanceof z.ZodPrefault || schema instanceof z.ZodDefault) schema = schema.unwrap() as z.ZodType;
    schema = schema instanceof z.ZodObject ? (schema.shape as Record<string, z.ZodType>)[part] : undefined;
  }
  return schema;
}

/** Converts an environment string to the type of the setting's default; a wrong type is left for the schema to report. */
function coerceEnv(raw: string, defaultValue: unknown, path: readonly string[]): Json {
  if (typeof defaultValue === 'number') return raw.trim() === '' ? raw : Number(raw);
  if (typeof defaultValue === 'boolean') {
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    return raw;
  }
  if (Array.isArray(defaultValue)) return raw.split(',').map((item) => item.trim()).filter((item) => item !== '');
  if (defaultValue === null) {
    if (raw === '' || raw === 'null') return null;
    // A nullable number (e.g. msisdn.nationalNumberLength) arrives as text like every variable.
    const schema = settingSchema(path);
    if (schema !== undefined && !schema.safeParse(raw).success && schema.safeParse(Number(raw)).success) return Number(raw);
  }
  return raw;
}

function applyEnv(
  target: Record<string, unknown>,
  defaults: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  path: string[],
): void {
  for (const [key, defaultValue] of Object.entries(defaults)) {
    const here = [...path, key];
    if (isRecord(defaultValue)) {
      const existing = target[key];
      if (existing !== undefined && !isRecord(existing)) continue; // the schema reports the wrong type
      const child: Record<string, unknown> = existing ?? {};
      target[key] = child;
      applyEnv(child, defaultValue, env, here);
      continue;
    }
    const raw = env[envNameOf(here)];
    if (raw !== undefined) target[key] = coerceEnv(raw, defaultValue, here);
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

export interface LoadConfigOptions {
  /** A YAML file; absent means the embedded default plus environment overrides. */
  readonly file?: string | undefined;
  readonly env?: NodeJS.ProcessEnv;
}

/** Reads, overrides from the environment, validates and freezes the node config; throws ConfigError listing every problem. */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const problems: string[] = [];
  let raw: unknown = {};
  if (options.file !== undefined) {
    let text: string;
    try {
      text = readFileSync(options.file, 'utf8');
    } catch (error) {
      throw new ConfigError([`cannot read ${options.file}: ${(error as Error).message}`]);
    }
    try {
      raw = parseYaml(text) ?? {};
    } catch (error) {
      throw new ConfigError([`${options.file} is not valid YAML: ${(error as Error).message}`]);
    }
    if (!isRecord(raw)) throw new ConfigError([`${options.file} must hold a mapping of sections (node, store, api, …)`]);
  }
  const defaults = configSchema.parse({}) as unknown as Record<string, unknown>;
  const merged = structuredClone(raw) as Record<string, unknown>;
  applyEnv(merged, defaults, options.env ?? process.env, []);
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const path = issue.path.map(String);
      const where = path.length > 0 ? `${path.join('.')} (${envNameOf(path)})` : '(top level)';
      problems.push(`${where}: ${issue.message}`);
    }
  }
  if (result.success) {
    const config = result.data;
    if ((config.api.tlsCertFile === null) !== (config.api.tlsKeyFile === null)) {
      problems.push('api.tlsCertFile and api.tlsKeyFile: set both for HTTPS, or neither for HTTP');
    }
    if (config.messages.minValidityMinutes > config.messages.maxValidityMinutes) {
      problems.push('messages.minValidityMinutes must not exceed messages.maxValidityMinutes');
    }
    const validity = config.messages.defaultValidityMinutes;
    if (validity < config.messages.minValidityMinutes || validity > config.messages.maxValidityMinutes) {
      problems.push('messages.defaultValidityMinutes must lie between minValidityMinutes and maxValidityMinutes');
    }
    if ((config.msisdn.nationalPrefix === null) !== (config.msisdn.defaultCountryCode === null)) {
      problems.push('msisdn.nationalPrefix and msisdn.defaultCountryCode: set both to accept national numbers, or neither');
    }
    if (problems.length === 0) return deepFreeze(config);
  }
  throw new ConfigError(problems);
}
