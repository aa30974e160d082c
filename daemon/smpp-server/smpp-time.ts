/**
 * SMPP 3.4 time fields (section 7.1.1) as used in submit_sm: schedule_delivery_time and
 * validity_period, `YYMMDDhhmmsstnnp` where p is `+`/`-` (absolute, nn quarter-hours from UTC) or
 * `R` (relative: years, months, days, hours, minutes, seconds from now). Pure; `nowMs` is the caller's.
 */
export type SmppTime = { readonly kind: 'absent' } | { readonly kind: 'at'; readonly atMs: number } | { readonly kind: 'invalid' };

const pattern = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d)(\d{2})([+\-R])$/;

export function parseSmppTime(value: string, nowMs: number): SmppTime {
  if (value === '') return { kind: 'absent' };
  const match = pattern.exec(value);
  if (match === null) return { kind: 'invalid' };
  const [yy, mo, dd, hh, mi, ss, tenths, nn] = match.slice(1, 9).map(Number) as [number, number, number, number, number, number, number, number];
  const sign = match[9];
  if (sign === 'R') {
    // Months and years as 30 and 365 days: SMPP leaves the calendar to the SMSC.
    const seconds = ((yy * 365 + mo * 30 + dd) * 24 + hh) * 3600 + mi * 60 + ss;
    return { kind: 'at', atMs: nowMs + seconds * 1000 };
  }
  if (mo < 1 || mo > 12 || dd < 1 || dd > 31 || hh > 23 || mi > 59 || ss > 59 || nn > 48) return { kind: 'invalid' };
  const offsetMs = (sign === '+' ? 1 : -1) * nn * 15 * 60_000;
  const localMs = Date.UTC(2000 + yy, mo - 1, dd, hh, mi, ss, tenths * 100);
  if (new Date(localMs).getUTCDate() !== dd) return { kind: 'invalid' };
  return { kind: 'at', atMs: localMs - offsetMs };
}
