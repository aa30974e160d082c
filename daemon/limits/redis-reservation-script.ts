/**
 * The cluster's count of reserved segments sent per client, as one Redis Lua script so that a
 * node's report and the totals it reads back are one atomic step (docs/scheduling.md, "Across nodes").
 *
 * KEYS[1]  the counts (a hash: client id → reserved segments sent by every node, ever)
 * ARGV     client id, segments this node sent since its last report; repeated per client
 * Returns  the count of each client after the addition, in the order given.
 */
export const exchangeScript = `
local totals = {}
for i = 1, #ARGV, 2 do
  totals[#totals + 1] = redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1])
end
return totals
`;
