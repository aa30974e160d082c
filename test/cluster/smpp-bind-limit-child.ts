import { startSmppNode, type SmppNodeOptions } from './smpp-bind-limit-node.js';

/** One SMPP node in its own process, so the bind-limit test can kill -9 it: argv[2] is SmppNodeOptions as JSON; prints `{"port": …}`. */
const node = await startSmppNode(JSON.parse(process.argv[2] ?? '') as SmppNodeOptions);
process.stdout.write(`${JSON.stringify({ port: node.port })}\n`);
