/**
 * MSISDN normalisation (pure): what a client typed → E.164 digits without '+', or null when it is not
 * a phone number. National numbers become international with the configured country code.
 */
export interface MsisdnRules {
  /** Country code added to national numbers (e.g. "7"); null accepts international numbers only. */
  readonly defaultCountryCode: string | null;
  /** Trunk prefix of national numbers (e.g. "8" in Russia). */
  readonly nationalPrefix: string | null;
  /** Digits of a national number after the trunk prefix (10 in Russia). */
  readonly nationalNumberLength: number | null;
}

const E164_MIN_DIGITS = 8;
const E164_MAX_DIGITS = 15;
/** Separators people write inside numbers; they carry no meaning. */
const separators = /[\s\-().]/g;

function isInternational(digits: string): boolean {
  return /^[1-9][0-9]*$/.test(digits) && digits.length >= E164_MIN_DIGITS && digits.length <= E164_MAX_DIGITS;
}

export function normalizeMsisdn(raw: string, rules: MsisdnRules): string | null {
  const compact = raw.replace(separators, '');
  if (compact.startsWith('+')) return isInternational(compact.slice(1)) ? compact.slice(1) : null;
  if (!/^[0-9]+$/.test(compact)) return null;
  if (compact.startsWith('00')) return isInternational(compact.slice(2)) ? compact.slice(2) : null;
  const { defaultCountryCode: country, nationalPrefix: trunk, nationalNumberLength: length } = rules;
  if (country !== null && length !== null) {
    if (trunk !== null && compact.length === trunk.length + length && compact.startsWith(trunk)) {
      return country + compact.slice(trunk.length);
    }
    if (compact.length === length && !(trunk !== null && compact.startsWith(trunk))) {
      return country + compact;
    }
  }
  return isInternational(compact) ? compact : null;
}
