-- 008_ack_function: an ack in one call. Before, an ack was a transaction of twelve round trips
-- (BEGIN and the clock, the bind's epoch, the messages, the receipt-key locks, the queue rows, segments,
-- keys, queue rows dropped, ledger, history, held receipts, COMMIT) plus two per held receipt it applied
-- and one per Kannel "submitted" event, its session idle in transaction between them while it held the
-- bind's epoch row, the key locks and the queue rows. The same statements now run inside the server,
-- in the same order under the same locks (docs/storage.md, "Acks in one call"). Additive: a node of
-- older code keeps acking statement by statement on this schema.
-- Used by daemon/storage/postgres/mt-queue.ts (queries/mt_queue.sql, ack).
-- Its statements are planned for their parameters, as 007's are (plan_cache_mode force_custom_plan).

-- A UUIDv7 string (48-bit ms time, version 7, variant 10, random bits; what the node's `uuid` v7
-- writes) for time p_ms: the ids of the DLR events an ack raises, whose number (held receipts applied)
-- the node cannot know before the call.
CREATE FUNCTION uuid_v7_at(p_ms bigint) RETURNS text LANGUAGE sql VOLATILE AS
$$ SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) PLACING substring(int8send(p_ms) FROM 3) FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid::text $$;

-- A segment an ack records, and one of the keys a receipt may name it by.
CREATE TYPE ack_segment AS (day integer, seq bigint, route_id text, segment_index integer, smsc_id text, parts integer);
CREATE TYPE ack_key AS (day integer, route_id text, match_key text, seq bigint, segment_index integer);
-- A submit result whose message exists, with its queue row's attempts and the ack's verdict on it:
-- 'apply', 'stale' (an epoch older than the bind's, or the row held at another epoch) or 'none'.
CREATE TYPE ack_change AS (ord integer, id text, day integer, seq bigint, kannel_dlr_mask integer, attempts integer, detail text, verdict text);

-- The submit results of a group of messages (what mt-queue.ts's ack did statement by statement): the
-- bind's epoch row FOR SHARE (an acquisition waits until the ack commits); the messages; the locks of
-- the keys it will record, in hash order, before the queue rows' (the order receipts take them in: a
-- concurrent receipt is then either held before the ack looks for it, or sees the ack's segment); the
-- queue rows locked in seq order; every segment's SMSC id and keys recorded whatever the epoch; the
-- messages applied (the caller's epoch current and the row held by that bind at that epoch, IN_FLIGHT or
-- IN_DOUBT: a late ack of a message its own lease left IN_DOUBT proves the submit) leave the queue as
-- submitted, with their history row and, when their Kannel dlr-mask asks for it, a 'submitted' event;
-- then the receipts held for the recorded keys are applied (apply_segment_receipt), each once.
-- Parameters: bind id, epoch, message ids (one per result, in order), history details (per result),
-- segments (the 1-based result each belongs to, segment index, SMSC id, parts), keys (the 1-based
-- segment each names, match key), the Kannel 'submitted' bit. Result: per result applied or refused
-- for its epoch, in order: acked_id, acked_verdict ('apply' or 'stale').
CREATE FUNCTION ack_submits(p_bind text, p_epoch bigint, p_ids text[], p_details text[],
  p_seg_result integer[], p_seg_index integer[], p_seg_smsc text[], p_seg_parts integer[],
  p_key_seg integer[], p_keys text[], p_submitted_bit integer)
RETURNS TABLE (acked_id text, acked_verdict text) LANGUAGE plpgsql SET plan_cache_mode = force_custom_plan AS $$
DECLARE
  v_now bigint := ms_now();
  v_current bigint;
  v_messages messages[];
  v_queue mt_queue[];
  v_segments ack_segment[];
  v_keys ack_key[];
  v_changes ack_change[];
  v_change ack_change;
  v_held held_receipt_keys[];
  v_heldkey held_receipt_keys;
  v_pair ack_key;
  v_done bigint[] := '{}';
  v_receipt record;
BEGIN
  SELECT b.epoch INTO v_current FROM bind_epochs b WHERE b.bind_id = p_bind FOR SHARE;
  v_current := COALESCE(v_current, 0);
  v_messages := ARRAY(SELECT m FROM messages m WHERE m.id = ANY(p_ids));
  SELECT array_agg(ROW(m.day, m.seq, m.route_id, s.segment_index, s.smsc_id, s.parts)::ack_segment ORDER BY s.n) INTO v_segments
  FROM unnest(p_seg_result, p_seg_index, p_seg_smsc, p_seg_parts) WITH ORDINALITY AS s(result, segment_index, smsc_id, parts, n)
  JOIN unnest(v_messages) AS m ON m.id = p_ids[s.result];
  SELECT array_agg(ROW(m.day, m.route_id, k.match_key, m.seq, p_seg_index[k.segment])::ack_key ORDER BY k.n) INTO v_keys
  FROM unnest(p_key_seg, p_keys) WITH ORDINALITY AS k(segment, match_key, n)
  JOIN unnest(v_messages) AS m ON m.id = p_ids[p_seg_result[k.segment]];
  PERFORM pg_advisory_xact_lock(x.h) FROM (
    SELECT DISTINCT hashtextextended('smsproc.receipt.' || k.route_id || '/' || k.match_key, 0) AS h FROM unnest(v_keys) AS k ORDER BY 1
  ) AS x;
  v_queue := ARRAY(SELECT q FROM mt_queue q WHERE q.seq = ANY(ARRAY(SELECT m.seq FROM unnest(v_messages) AS m)) ORDER BY q.seq FOR UPDATE);
  SELECT array_agg(ROW(r.n, r.id, m.day, m.seq, m.kannel_dlr_mask, q.attempts, r.detail,
    CASE WHEN p_epoch <> v_current THEN 'stale'
      WHEN q.seq IS NULL OR q.state NOT IN ('IN_FLIGHT', 'IN_DOUBT') OR q.bind_id IS DISTINCT FROM p_bind THEN 'none'
      WHEN q.epoch = p_epoch THEN 'apply' ELSE 'stale' END)::ack_change ORDER BY r.n) INTO v_changes
  FROM unnest(p_ids, p_details) WITH ORDINALITY AS r(id, detail, n)
  JOIN unnest(v_messages) AS m ON m.id = r.id
  LEFT JOIN unnest(v_queue) AS q ON q.seq = m.seq;
  -- One row per segment: a resend's later ack replaces the segment's id (last result wins).
  INSERT INTO smsc_ids (day, message_seq, segment_index, route_id, smsc_id, parts, submitted_at)
  SELECT DISTINCT ON (s.seq, s.segment_index) s.day, s.seq, s.segment_index, s.route_id, s.smsc_id, s.parts, v_now
  FROM unnest(v_segments) WITH ORDINALITY AS s(day, seq, route_id, segment_index, smsc_id, parts, n)
  ORDER BY s.seq, s.segment_index, s.n DESC
  ON CONFLICT (day, message_seq, segment_index) DO UPDATE SET route_id = excluded.route_id, smsc_id = excluded.smsc_id,
    parts = excluded.parts, submitted_at = excluded.submitted_at;
  INSERT INTO receipt_keys (day, route_id, match_key, message_seq, segment_index)
  SELECT k.day, k.route_id, k.match_key, k.seq, k.segment_index FROM unnest(v_keys) AS k
  ON CONFLICT DO NOTHING;
  IF EXISTS (SELECT 1 FROM unnest(v_changes) AS c WHERE c.verdict = 'apply') THEN
    DELETE FROM mt_queue WHERE seq IN (SELECT c.seq FROM unnest(v_changes) AS c WHERE c.verdict = 'apply');
    UPDATE messages m SET status = 'submitted', submitted_at = v_now, queue_state = 'PROCESSED', queue_done_at = v_now, attempts = c.attempts
    FROM unnest(v_changes) AS c WHERE c.verdict = 'apply' AND m.day = c.day AND m.seq = c.seq;
    INSERT INTO message_events (day, message_seq, at, status, detail)
    SELECT c.day, c.seq, v_now, 'submitted', c.detail FROM unnest(v_changes) AS c WHERE c.verdict = 'apply' ORDER BY c.ord;
    -- Only Kannel's dlr-mask asks to hear of the submit.
    FOR v_change IN SELECT * FROM unnest(v_changes) AS c WHERE c.verdict = 'apply' AND (COALESCE(c.kannel_dlr_mask, 0) & p_submitted_bit) <> 0 ORDER BY c.ord LOOP
      PERFORM raise_dlr_event(v_change.seq, 'submitted', NULL, 'null'::jsonb, NULL, 'ACK/', NULL, v_now, uuid_v7_at(v_now));
    END LOOP;
  END IF;
  -- The receipts held for the recorded keys, oldest first, locked so that two acks do not apply one twice;
  -- each applied once, to the first recorded segment one of its keys names.
  v_held := ARRAY(SELECT hk FROM held_receipt_keys hk JOIN held_receipts h ON h.id = hk.held_id
    WHERE (hk.route_id, hk.match_key) IN (SELECT k.route_id, k.match_key FROM unnest(v_keys) AS k)
    ORDER BY h.id FOR UPDATE OF h SKIP LOCKED);
  FOREACH v_heldkey IN ARRAY v_held LOOP
    CONTINUE WHEN v_heldkey.held_id = ANY(v_done);
    SELECT k.day, k.route_id, k.match_key, k.seq, k.segment_index INTO v_pair FROM unnest(v_keys) WITH ORDINALITY AS k(day, route_id, match_key, seq, segment_index, n)
    WHERE k.route_id = v_heldkey.route_id AND k.match_key = v_heldkey.match_key ORDER BY k.n LIMIT 1;
    CONTINUE WHEN NOT FOUND;
    v_done := v_done || v_heldkey.held_id;
    DELETE FROM held_receipts WHERE id = v_heldkey.held_id RETURNING status, stat, error_code, done_at, raw INTO v_receipt;
    CONTINUE WHEN NOT FOUND;
    PERFORM apply_segment_receipt(v_pair.day, v_pair.seq, v_pair.segment_index, v_receipt.status, v_receipt.stat, v_receipt.error_code,
      v_receipt.done_at, v_receipt.raw, v_now, uuid_v7_at(v_now));
  END LOOP;
  RETURN QUERY SELECT c.id, c.verdict FROM unnest(v_changes) AS c WHERE c.verdict IN ('apply', 'stale') ORDER BY c.ord;
END $$;
