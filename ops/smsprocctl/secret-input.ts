import { randomBytes } from 'node:crypto';
import { invalid } from './cli-error.js';

/** Reads a password from standard input (its first line), so that it stays out of the shell history. */
export async function readPasswordFromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const password = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  if (password === '') throw invalid('--password-stdin: standard input held no password');
  return password;
}

export interface PasswordOptions {
  readonly password?: string;
  readonly passwordStdin?: boolean;
}

/** The password given by --password or --password-stdin; undefined when neither was given. */
export async function passwordFrom(options: PasswordOptions): Promise<string | undefined> {
  if (options.password !== undefined && options.passwordStdin === true) throw invalid('give --password or --password-stdin, not both');
  if (options.passwordStdin === true) return readPasswordFromStdin();
  if (options.password === '') throw invalid('--password must not be empty');
  return options.password;
}

/** A random password of 16 URL-safe characters, for `client passwd` without one given. */
export function newPassword(): string {
  return randomBytes(12).toString('base64url');
}
