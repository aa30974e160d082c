-- The enqueue hot path: idempotency keys, demo allowance counters, ledger and queue rows.
-- Used by daemon/storage/sqlite/mt-enqueue.ts. Parameters are positional (?).

-- name: findKey
-- An idempotency key of a client. Parameters: client id, key. Result: request_hash, message_ids (JSON), expires_at.
SELECT request_hash, message_ids, expires_at FROM idempotency_keys WHERE client_id = ? AND key = ?;

-- name: putKey
-- Stores (or renews an expired) key. Parameters: client id, key, request hash, message ids (JSON), expires_at ms.
INSERT OR REPLACE INTO idempotency_keys (client_id, key, request_hash, message_ids, expires_at) VALUES (?, ?, ?, ?, ?);

-- name: isDemo
-- Parameters: client id. Result: demo (0/1), when the client exists.
SELECT demo FROM clients WHERE id = ?;

-- name: usedSegments
-- Parameters: client id. Result: segments_used, when the client has sent anything.
SELECT segments_used FROM client_counters WHERE client_id = ?;

-- name: addSegments
-- Adds to a client's all-time segment count. Parameters: client id, segments.
INSERT INTO client_counters (client_id, segments_used) VALUES (?, ?)
ON CONFLICT (client_id) DO UPDATE SET segments_used = segments_used + excluded.segments_used;

-- name: insertMessage
-- One ledger row. Parameters: id, client id, client ref, route id, sender, recipient, text, encoding, segments,
-- priority, not_before ms, expires_at ms, dlr_requested 0/1, kannel dlr mask, kannel dlr url, source, status,
-- accepted_at ms. Result (run): lastInsertRowid = seq.
INSERT INTO messages (id, client_id, client_ref, route_id, sender, recipient, text, encoding,
  segments, priority, not_before, expires_at, dlr_requested, kannel_dlr_mask, kannel_dlr_url, source, status, accepted_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- name: insertQueue
-- The message's queue row. Parameters: seq, route id, client id, state (READY or WAITING), priority,
-- not_before ms, expires_at ms.
INSERT INTO mt_queue (seq, route_id, client_id, state, priority, not_before, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?);
