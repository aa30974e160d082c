-- 007_receipt_functions: a receipt applied in one call. Before, a receipt was a transaction of about
-- eight round trips (key locks, segment lookup, segment lock, status, settle, event context, event,
-- commit), its session idle in transaction between them while it held the message row and the key
-- locks; with the SMSC's deliver_sm window bounding the receipts in flight, those round trips set a
-- node's end-to-end rate. The same statements now run inside the server, in the same order and under
-- the same locks (docs/storage.md, "Receipts in one call"). Additive: a node of older code keeps
-- applying receipts statement by statement on this schema.
-- Used by daemon/storage/postgres/receipts.ts and dlr-events.ts; the status sets mirror
-- daemon/domain/status.ts (finalStatuses, kannelDlrBitOf), which test/storage/postgres-only.ts checks.
-- The PL/pgSQL functions plan each statement for its parameters (plan_cache_mode force_custom_plan):
-- a cached generic plan, chosen while a day partition was young or unanalysed, looked up receipt keys
-- by route alone and filtered the keys, a scan of the day's keys per receipt (30+ ms at 16,000
-- messages); planning each time costs far less and prunes the day partitions.

-- Whether a message status is final (finalStatuses).
CREATE FUNCTION message_status_final(status text) RETURNS boolean LANGUAGE sql IMMUTABLE AS
$$ SELECT status IN ('delivered', 'undeliverable', 'expired', 'rejected', 'failed', 'cancelled') $$;

-- The Kannel dlr-mask bit of a status (kannelDlrBitOf), null for none.
CREATE FUNCTION kannel_dlr_bit(status text) RETURNS integer LANGUAGE sql IMMUTABLE AS
$$ SELECT CASE status WHEN 'delivered' THEN 1 WHEN 'undeliverable' THEN 2 WHEN 'expired' THEN 2 WHEN 'failed' THEN 2
  WHEN 'cancelled' THEN 2 WHEN 'in_doubt' THEN 4 WHEN 'submitted' THEN 8 WHEN 'rejected' THEN 16 END $$;

-- A time in ms as JavaScript's toISOString() writes it (UTC, milliseconds, `Z`); null stays null.
CREATE FUNCTION ms_iso(ms bigint) RETURNS text LANGUAGE sql IMMUTABLE AS
$$ SELECT to_char(timestamp '1970-01-01' + ms * interval '1 millisecond', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') $$;

-- The DLR event a status change of a message calls for, added to the outbox (the rules of
-- docs/storage.md, "DLR events"): a Kannel dlr-url message for each status its dlr-mask asks for; a
-- message that came in over SMPP when final, if it asked for receipts, to `smpp:`; any other when
-- final, if it asked for receipts and its client has a DLR URL. Parameters: message seq, status,
-- stat, error code (jsonb: a string, a number or null, as the payload carries it), done_at (null:
-- now for a final status), receipt text (Kannel's %A), SMSC id (null: the first segment's), now,
-- event id (a UUIDv7 from the caller, used only if an event is added). Returns the event id, or null.
CREATE FUNCTION raise_dlr_event(p_seq bigint, p_status text, p_stat text, p_error_code jsonb, p_done_at bigint,
  p_receipt_text text, p_smsc_id text, p_now bigint, p_event_id text) RETURNS text LANGUAGE plpgsql SET plan_cache_mode = force_custom_plan AS $$
DECLARE
  r record;
  is_final boolean := message_status_final(p_status);
  done bigint := COALESCE(p_done_at, CASE WHEN message_status_final(p_status) THEN p_now END);
  payload jsonb;
  bit integer;
  url text;
BEGIN
  SELECT m.id, m.client_id, m.client_ref, m.recipient, m.sender, m.segments, m.submitted_at, m.dlr_requested,
    m.kannel_dlr_mask, m.kannel_dlr_url, m.source, c.dlr_url,
    (SELECT s.smsc_id FROM smsc_ids s WHERE s.message_seq = m.seq AND s.day = m.day ORDER BY s.segment_index LIMIT 1) AS smsc_id
  INTO r FROM messages m LEFT JOIN clients c ON c.id = m.client_id WHERE m.seq = p_seq;
  IF NOT FOUND THEN RETURN NULL; END IF;
  payload := jsonb_build_object('messageId', r.id, 'clientRef', r.client_ref, 'status', p_status, 'smscStatus', p_stat,
    'errorCode', COALESCE(p_error_code, 'null'::jsonb), 'recipient', r.recipient, 'sender', r.sender, 'segments', r.segments,
    'smscId', COALESCE(p_smsc_id, r.smsc_id), 'submittedAt', ms_iso(r.submitted_at), 'doneAt', ms_iso(done));
  IF r.kannel_dlr_url IS NOT NULL THEN
    bit := kannel_dlr_bit(p_status);
    IF bit IS NULL OR (COALESCE(r.kannel_dlr_mask, 0) & bit) = 0 THEN RETURN NULL; END IF;
    payload := payload || jsonb_build_object('dlrType', bit, 'receiptText', p_receipt_text, 'time', floor(COALESCE(done, p_now) / 1000.0)::bigint);
    INSERT INTO callback_outbox (id, client_id, kind, url, kannel, payload, state, next_attempt_at, created_at)
    VALUES (p_event_id, r.client_id, 'dlr', r.kannel_dlr_url, true, payload, 'due', p_now, p_now);
    RETURN p_event_id;
  END IF;
  url := CASE WHEN r.source = 'smpp' THEN 'smpp:' ELSE r.dlr_url END;
  IF NOT is_final OR NOT r.dlr_requested OR url IS NULL THEN RETURN NULL; END IF;
  INSERT INTO callback_outbox (id, client_id, kind, url, kannel, payload, state, next_attempt_at, created_at)
  VALUES (p_event_id, r.client_id, 'dlr', url, false, payload, 'due', p_now, p_now);
  RETURN p_event_id;
END $$;

-- A receipt applied to a segment found by its key (what receipts.ts's applyToSegment did): the
-- message row is locked, so receipts of its segments arriving on several nodes at once aggregate one
-- after the other. A final segment status never changes (a repeat is a duplicate, a contradicting
-- late receipt is ignored); an intermediate receipt changes nothing a client sees; a final one sets
-- the segment's status, and once every segment of the submission is final the message takes their
-- aggregate (delivered when all are; else the worst, in the order rejected, undeliverable, expired,
-- failed, cancelled; segment-aggregate.ts), its queue row is settled and its DLR event raised; before
-- that, the segment's receipt is noted in the history under the message's current status.
-- Parameters: day, seq, segment index, the receipt (status, stat, error code, done_at, raw), now,
-- event id (see raise_dlr_event). Result: kind ('matched' or 'duplicate'), message id, client id,
-- segment, the message's status after the receipt, whether it is final, the event id or null.
CREATE FUNCTION apply_segment_receipt(p_day integer, p_seq bigint, p_index integer, p_status text, p_stat text,
  p_error_code text, p_done_at bigint, p_raw text, p_now bigint, p_event_id text,
  OUT kind text, OUT message_id text, OUT client_id text, OUT segment integer, OUT message_status text, OUT final boolean, OUT event_id text)
LANGUAGE plpgsql SET plan_cache_mode = force_custom_plan AS $$
DECLARE
  s record;
  statuses text[];
  v_aggregate text;
  facts text := 'stat ' || COALESCE(p_stat, '-') || ' err ' || COALESCE(p_error_code, '-');
  detail text;
BEGIN
  SELECT x.status, x.smsc_id, x.parts, m.id, m.client_id, m.status AS message_status INTO s
  FROM smsc_ids x JOIN messages m ON m.day = x.day AND m.seq = x.message_seq
  WHERE x.day = p_day AND x.message_seq = p_seq AND x.segment_index = p_index
  FOR UPDATE OF m;
  IF NOT FOUND THEN RAISE EXCEPTION 'smsc_ids: no segment % of message %', p_index, p_seq; END IF;
  kind := 'matched'; message_id := s.id; client_id := s.client_id; segment := p_index;
  message_status := s.message_status; final := message_status_final(s.message_status); event_id := NULL;
  IF message_status_final(s.status) THEN
    IF s.status = p_status THEN kind := 'duplicate'; END IF;
    RETURN;
  END IF;
  IF NOT message_status_final(p_status) THEN RETURN; END IF;
  WITH changed AS (
    UPDATE smsc_ids SET status = p_status, stat = p_stat, error_code = p_error_code, done_at = COALESCE(p_done_at, p_now)
    WHERE day = p_day AND message_seq = p_seq AND segment_index = p_index RETURNING status
  )
  SELECT array_agg(status) INTO statuses FROM (
    SELECT status FROM changed UNION ALL SELECT status FROM smsc_ids WHERE day = p_day AND message_seq = p_seq AND segment_index <> p_index
  ) AS every_segment;
  -- A part whose SMSC id is not recorded (its submit_sm_resp never came) keeps the message open.
  IF NOT message_status_final(s.message_status) AND cardinality(statuses) >= COALESCE(s.parts, 0)
     AND NOT EXISTS (SELECT 1 FROM unnest(statuses) AS u(st) WHERE NOT message_status_final(u.st)) THEN
    v_aggregate := COALESCE((SELECT w.st FROM unnest(ARRAY['rejected', 'undeliverable', 'expired', 'failed', 'cancelled']) WITH ORDINALITY AS w(st, n)
      WHERE w.st = ANY(statuses) ORDER BY w.n LIMIT 1), 'delivered');
  END IF;
  detail := CASE WHEN cardinality(statuses) > 1 THEN format('segment %s of %s %s: %s', p_index + 1, cardinality(statuses), p_status, facts) ELSE facts END;
  IF v_aggregate IS NULL THEN
    -- History carries message statuses: a segment's receipt before the last one is noted under the current status.
    INSERT INTO message_events (day, message_seq, at, status, detail) VALUES (p_day, p_seq, p_now, s.message_status, detail);
    RETURN;
  END IF;
  -- The message's final status, its history row, and its queue row settled (a final receipt proves the
  -- submit: a row still IN_FLIGHT or IN_DOUBT leaves the queue as PROCESSED rather than lapse or be resent).
  WITH gone AS (
    DELETE FROM mt_queue WHERE seq = p_seq AND state IN ('IN_FLIGHT', 'IN_DOUBT') RETURNING seq, attempts
  ), history AS (
    INSERT INTO message_events (day, message_seq, at, status, detail) VALUES (p_day, p_seq, p_now, v_aggregate, detail)
  )
  UPDATE messages m SET status = v_aggregate, reason = CASE WHEN v_aggregate = 'delivered' THEN NULL ELSE facts END, done_at = p_now,
    queue_state = CASE WHEN g.seq IS NULL THEN m.queue_state ELSE 'PROCESSED' END,
    queue_done_at = CASE WHEN g.seq IS NULL THEN m.queue_done_at ELSE p_now END,
    attempts = COALESCE(g.attempts, m.attempts)
  FROM (SELECT p_seq AS seq) AS k LEFT JOIN gone g ON g.seq = k.seq
  WHERE m.day = p_day AND m.seq = k.seq;
  event_id := raise_dlr_event(p_seq, v_aggregate, p_stat, to_jsonb(p_error_code), p_done_at, p_raw, s.smsc_id, p_now, p_event_id);
  message_status := v_aggregate; final := true;
END $$;

-- One receipt, in one call: the locks of its keys (in the order lockKeys in queries/receipts.sql and
-- an ack take them: a receipt that finds no segment is held before the ack looks for held receipts,
-- or it sees the ack's segment), the most recent segment any key names on the route, and the receipt
-- applied to it (apply_segment_receipt); or, when none does yet, the receipt held until the ack of
-- its segment (held_receipts and its keys). Parameters: route id, bind id, candidates (distinct, in
-- order), the receipt (status, stat, error code, done_at, raw), hold time (ms), event id.
-- Result: as apply_segment_receipt, kind 'held' with the rest null.
CREATE FUNCTION apply_receipt(p_route text, p_bind text, p_candidates text[], p_status text, p_stat text,
  p_error_code text, p_done_at bigint, p_raw text, p_hold_ms bigint, p_event_id text,
  OUT kind text, OUT message_id text, OUT client_id text, OUT segment integer, OUT message_status text, OUT final boolean, OUT event_id text)
LANGUAGE plpgsql SET plan_cache_mode = force_custom_plan AS $$
DECLARE
  v_now bigint := ms_now();
  found_day integer;
  found_seq bigint;
  found_index integer;
  held_id bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(h) FROM (
    SELECT DISTINCT hashtextextended('smsproc.receipt.' || p_route || '/' || k, 0) AS h FROM unnest(p_candidates) AS k ORDER BY 1
  ) AS keys;
  SELECT day, message_seq, segment_index INTO found_day, found_seq, found_index FROM receipt_keys
  WHERE route_id = p_route AND match_key = ANY(p_candidates) ORDER BY message_seq DESC LIMIT 1;
  IF FOUND THEN
    SELECT * INTO kind, message_id, client_id, segment, message_status, final, event_id FROM apply_segment_receipt(
      found_day, found_seq, found_index, p_status, p_stat, p_error_code, p_done_at, p_raw, v_now, p_event_id);
    RETURN;
  END IF;
  INSERT INTO held_receipts (route_id, bind_id, candidates, status, stat, error_code, done_at, raw, received_at, hold_until)
  VALUES (p_route, p_bind, to_jsonb(p_candidates), p_status, p_stat, p_error_code, p_done_at, p_raw, v_now, v_now + p_hold_ms)
  RETURNING id INTO held_id;
  INSERT INTO held_receipt_keys (route_id, match_key, held_id) SELECT p_route, k, held_id FROM unnest(p_candidates) AS k ON CONFLICT DO NOTHING;
  kind := 'held';
END $$;
