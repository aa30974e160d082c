import { startNode } from './deliver-harness.js';

/**
 * A node in its own process, for kill -9 tests: argv = database path, SMSC port, callback URL.
 * Prints `{"baseUrl": …}` once serving; SIGTERM drains and exits 0.
 */
const [dbPath, smscPort, callbackUrl] = process.argv.slice(2);
if (dbPath === undefined || smscPort === undefined || callbackUrl === undefined) throw new Error('usage: deliver-node-child <db> <smsc port> <callback url>');
const node = await startNode({ dbPath, smscPort: Number(smscPort), callbackUrl });
process.stdout.write(`${JSON.stringify({ baseUrl: node.baseUrl })}\n`);
process.on('SIGTERM', () => {
  void node.close().then(() => process.exit(0));
});
