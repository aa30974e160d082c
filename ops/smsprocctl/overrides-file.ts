import type { RouteId } from '../../daemon/domain/ids.js';
import type { NumberOverrideRecord } from '../../daemon/domain/provisioning.js';
import type { Parsed } from './provisioning-file.js';
import { checkMsisdn } from './validate.js';

/**
 * The number-portability file: one `msisdn,route` (or tab-separated) pair a line; blank lines, lines
 * starting with # and an optional `msisdn,route` header are skipped. Every bad line is reported with
 * its number, so a bad file is fixed in one go and nothing of it is imported.
 */
export function parseOverrides(text: string, knownRoutes: ReadonlySet<string>): Parsed<NumberOverrideRecord[]> {
  const problems: string[] = [];
  const routeOf = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const lineNumber = index + 1;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(/[,\t]/).map((field) => field.trim());
    if (fields.length !== 2) {
      problems.push(`line ${lineNumber}: expected "msisdn,route", found ${JSON.stringify(raw)}`);
      return;
    }
    const [msisdnText, routeId] = fields as [string, string];
    if (lineNumber === 1 && msisdnText.toLowerCase() === 'msisdn') return;
    const msisdn = checkMsisdn(msisdnText);
    if (!msisdn.ok) {
      problems.push(`line ${lineNumber}: ${msisdn.message}`);
      return;
    }
    if (!knownRoutes.has(routeId)) {
      problems.push(`line ${lineNumber}: route "${routeId}" does not exist`);
      return;
    }
    const earlier = routeOf.get(msisdn.value);
    if (earlier !== undefined && earlier !== routeId) {
      problems.push(`line ${lineNumber}: ${msisdn.value} is already mapped to route ${earlier}`);
      return;
    }
    routeOf.set(msisdn.value, routeId);
  });
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, value: [...routeOf].map(([msisdn, routeId]) => ({ msisdn, routeId: routeId as RouteId })) };
}
