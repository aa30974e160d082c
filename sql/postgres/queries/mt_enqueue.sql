-- The enqueue hot path, set-based: one statement per kind of row for a whole enqueueMt call.
-- Used by daemon/storage/postgres/mt-enqueue.ts. Parameters are positional ($n); times are ms.

-- name: lockDemoClients
-- Locks the demo clients among the given ones until commit, so that their allowance check sees every
-- earlier commit. Parameters: client ids (text[]). Result: id of each demo client, in id order.
SELECT id FROM clients WHERE id = ANY($1::text[]) AND demo ORDER BY id FOR UPDATE;

-- name: usedSegments
-- Segments used so far (all shards). Parameters: client ids (text[]). Result: client_id, used.
SELECT client_id, SUM(segments_used) AS used FROM client_counters WHERE client_id = ANY($1::text[]) GROUP BY client_id;

-- name: findKeys
-- Idempotency keys of the call. Parameters: client ids (text[]), keys (text[]), pairwise.
-- Result: client_id, key, request_hash, message_ids (jsonb), expires_at.
SELECT k.client_id, k.key, k.request_hash, k.message_ids, k.expires_at
FROM idempotency_keys k JOIN unnest($1::text[], $2::text[]) AS w(client_id, key) ON k.client_id = w.client_id AND k.key = w.key;

-- name: putKeys
-- Stores new keys, or renews expired ones. Parameters: client ids, keys, request hashes (text[]),
-- message ids (jsonb[] as text[]), expires_at (bigint), now. Result: client_id, key of each row written
-- (a key another transaction stored meanwhile is not returned).
INSERT INTO idempotency_keys (client_id, key, request_hash, message_ids, expires_at)
SELECT c, k, h, m::jsonb, $5 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS w(c, k, h, m)
ON CONFLICT (client_id, key) DO UPDATE SET request_hash = excluded.request_hash, message_ids = excluded.message_ids,
  expires_at = excluded.expires_at
WHERE idempotency_keys.expires_at <= $6
RETURNING client_id, key;

-- name: insertMessages
-- Ledger rows and their queue rows in one statement. Parameters: day, now (accepted_at), then arrays
-- pairwise: ids, client ids, client refs, route ids, senders, recipients, texts, encodings (text[]),
-- segments, priorities (int[]), not_before, expires_at (bigint[]), dlr_requested (bool[]),
-- kannel dlr masks (int[]), kannel dlr urls, sources (text[]). Changes: queue rows inserted.
WITH m AS (
  INSERT INTO messages (day, id, client_id, client_ref, route_id, sender, recipient, text, encoding, segments, priority,
    not_before, expires_at, dlr_requested, kannel_dlr_mask, kannel_dlr_url, source, status, accepted_at)
  SELECT $1, id, client_id, client_ref, route_id, sender, recipient, text, encoding, segments, priority, not_before,
    expires_at, dlr_requested, kannel_dlr_mask, kannel_dlr_url, source,
    CASE WHEN not_before > $2 THEN 'scheduled' ELSE 'accepted' END, $2
  FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
    $11::int[], $12::int[], $13::bigint[], $14::bigint[], $15::bool[], $16::int[], $17::text[], $18::text[])
    WITH ORDINALITY AS w(id, client_id, client_ref, route_id, sender, recipient, text, encoding, segments, priority,
      not_before, expires_at, dlr_requested, kannel_dlr_mask, kannel_dlr_url, source, ord)
  ORDER BY ord
  RETURNING seq, day, route_id, client_id, priority, not_before, expires_at, status
)
INSERT INTO mt_queue (seq, day, route_id, client_id, state, priority, not_before, expires_at)
SELECT seq, day, route_id, client_id, CASE WHEN status = 'scheduled' THEN 'WAITING' ELSE 'READY' END, priority, not_before, expires_at
FROM m;

-- name: notifyRoutes
-- Wakes the dispatch of each route that got READY messages (daemon/storage/postgres/wakeups.ts): sent
-- at commit, once per route and transaction (PostgreSQL folds equal notifications of a transaction).
-- Parameters: route ids (text[], distinct).
SELECT pg_notify('smsproc_mt', r) FROM unnest($1::text[]) AS r;

-- name: addSegments
-- Adds to clients' segment counts in one shard. Parameters: client ids (text[]), segments (bigint[]), shard.
INSERT INTO client_counters (client_id, shard, segments_used)
SELECT c, $3, s FROM unnest($1::text[], $2::bigint[]) AS w(c, s)
ON CONFLICT (client_id, shard) DO UPDATE SET segments_used = client_counters.segments_used + excluded.segments_used;
