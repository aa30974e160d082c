import { startNode, type NodeOptions } from '../e2e/deliver-harness.js';

/**
 * One smsproc node in its own process for the cluster tests: argv[2] is the NodeOptions as JSON (with
 * `node` and `cluster`). Prints `{"baseUrl": …}` once serving; SIGTERM drains (binds handed over)
 * and exits 0.
 */
const options = JSON.parse(process.argv[2] ?? '') as NodeOptions;
const node = await startNode(options);
process.stdout.write(`${JSON.stringify({ baseUrl: node.baseUrl })}\n`);
process.on('SIGTERM', () => {
  void node.close().then(() => process.exit(0));
});
