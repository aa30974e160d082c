import { pino, type Logger } from 'pino';

export type { Logger };

/** Paths that may carry secrets anywhere in a logged object; pino replaces them before serialising. */
const redactPaths = [
  'password', '*.password', '*.*.password',
  'passwordHash', '*.passwordHash',
  'token', '*.token', 'apiToken', '*.apiToken',
  'urlToken', '*.urlToken',
  'callbackSecret', '*.callbackSecret',
  'authorization', '*.authorization', 'req.headers.authorization', 'req.headers.cookie',
  'req.query.password', 'req.query.token',
];

/** JSON logs to stdout (journald under systemd), with secrets redacted. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: redactPaths, censor: '[redacted]' }, base: { pid: process.pid } }, destination);
}
