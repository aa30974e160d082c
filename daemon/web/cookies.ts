/** Reading the Cookie header and writing Set-Cookie values (RFC 6265), for the web sessions. */

export interface CookieOptions {
  readonly path: string;
  /** Seconds; 0 deletes the cookie; null: none, the browser keeps it until it closes. */
  readonly maxAgeS: number | null;
  readonly secure: boolean;
  readonly sameSite: 'Strict' | 'Lax';
}

/** The cookies of a request; the first of several with one name wins (the most specific path, per RFC 6265). */
export function parseCookies(header: string | undefined): ReadonlyMap<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const equals = part.indexOf('=');
    if (equals <= 0) continue;
    const name = part.slice(0, equals).trim();
    let value = part.slice(equals + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    if (!cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}

/** An HttpOnly cookie: scripts never see session ids. Values must be cookie-safe (our ids are base64url). */
export function serializeCookie(name: string, value: string, options: CookieOptions): string {
  if (!/^[A-Za-z0-9_-]*$/.test(value)) throw new Error(`cookie ${name}: value must be base64url`);
  const maxAge = options.maxAgeS === null ? [] : [`Max-Age=${Math.max(0, Math.floor(options.maxAgeS))}`];
  const parts = [`${name}=${value}`, `Path=${options.path}`, ...maxAge, 'HttpOnly', `SameSite=${options.sameSite}`];
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}
