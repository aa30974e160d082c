import ipaddr from 'ipaddr.js';

/**
 * Checks and canonical forms of the values an operator types: canonical forms matter because the
 * declarative file is compared with what is stored, and "2001:0db8::1" must equal "2001:db8::1".
 * Each check returns the canonical value or an error message that says what to fix.
 */
export type Checked = { readonly ok: true; readonly value: string } | { readonly ok: false; readonly message: string };

const ok = (value: string): Checked => ({ ok: true, value });
const fail = (message: string): Checked => ({ ok: false, message });

const alphanumericSender = /^[A-Za-z0-9.\-_& ]{1,11}$/;
const numericSender = /^[0-9]{1,15}$/;

/** A sender id: up to 11 letters, digits, spaces or .-_& (GSM alphanumeric), or a number of up to 15 digits. */
export function checkSender(sender: string): Checked {
  if (numericSender.test(sender)) return ok(sender);
  if (alphanumericSender.test(sender) && sender.trim() === sender) return ok(sender);
  return fail(`sender "${sender}" is not valid: use up to 11 Latin letters, digits, spaces or .-_& (no leading or trailing space), or a number of up to 15 digits`);
}

/**
 * An IPv4 or IPv6 address or CIDR block, in canonical form (IPv6 as RFC 5952, IPv4-mapped IPv6 as
 * IPv4); a CIDR block must name its network address.
 */
export function checkIpOrCidr(text: string): Checked {
  const value = text.trim();
  if (value.includes('/')) {
    let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
    if (ipaddr.IPv4.isValidCIDRFourPartDecimal(value)) parsed = ipaddr.IPv4.parseCIDR(value);
    else if (ipaddr.IPv6.isValidCIDR(value)) parsed = ipaddr.IPv6.parseCIDR(value);
    else return fail(`"${text}" is not an IPv4 or IPv6 CIDR block (e.g. 203.0.113.0/24, 2001:db8::/32)`);
    const [address, bits] = parsed;
    const network = address.kind() === 'ipv4'
      ? ipaddr.IPv4.networkAddressFromCIDR(value).toString()
      : ipaddr.IPv6.networkAddressFromCIDR(value).toRFC5952String();
    const given = address.kind() === 'ipv4' ? address.toString() : (address as ipaddr.IPv6).toRFC5952String();
    if (given !== network) return fail(`"${text}" has host bits set: did you mean ${network}/${bits}?`);
    return ok(`${network}/${bits}`);
  }
  if (ipaddr.IPv4.isValidFourPartDecimal(value)) return ok(ipaddr.IPv4.parse(value).toString());
  if (ipaddr.IPv6.isValid(value)) {
    const address = ipaddr.IPv6.parse(value);
    if (address.zoneId !== undefined) return fail(`"${text}" has a zone id (%${address.zoneId}): give the address without it`);
    // Dual-stack sockets report IPv4 peers as ::ffff:a.b.c.d; store them as the IPv4 address they are.
    if (address.isIPv4MappedAddress()) return ok(address.toIPv4Address().toString());
    return ok(address.toRFC5952String());
  }
  return fail(`"${text}" is not an IPv4 or IPv6 address or CIDR block (e.g. 203.0.113.7, 2001:db8::1, 203.0.113.0/24)`);
}

const shortCodePattern = /^[0-9]{2,15}$/;

export function checkShortCode(code: string): Checked {
  return shortCodePattern.test(code) ? ok(code) : fail(`short code "${code}" is not valid: use 2 to 15 digits`);
}

const keywordPattern = /^[\p{L}\p{N}]{1,32}$/u;

/** A keyword: one word of letters and digits in any script, stored upper-cased by Unicode rules ("голос" → "ГОЛОС"). */
export function checkKeyword(keyword: string): Checked {
  const value = keyword.normalize('NFC').toUpperCase();
  return keywordPattern.test(value) ? ok(value) : fail(`keyword "${keyword}" is not valid: use one word of 1 to 32 letters or digits`);
}

const prefixPattern = /^[0-9]{1,15}$/;

/** An MSISDN prefix in international form (country code first), digits only. */
export function checkPrefix(prefix: string): Checked {
  return prefixPattern.test(prefix) ? ok(prefix) : fail(`prefix "${prefix}" is not valid: use 1 to 15 digits in international form (e.g. 7916)`);
}

const msisdnPattern = /^[0-9]{8,15}$/;

/** A full number in international form; a leading "+" is dropped. */
export function checkMsisdn(msisdn: string): Checked {
  const value = msisdn.startsWith('+') ? msisdn.slice(1) : msisdn;
  return msisdnPattern.test(value) ? ok(value) : fail(`number "${msisdn}" is not valid: use 8 to 15 digits in international form`);
}

export function checkHttpUrl(url: string): Checked {
  try {
    const parsed = new URL(url);
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return ok(url);
  } catch {
    // falls through to the message below
  }
  return fail(`"${url}" is not an absolute http:// or https:// URL`);
}
