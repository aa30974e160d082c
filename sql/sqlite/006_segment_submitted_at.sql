-- 006_segment_submitted_at: when each segment's SMSC id was recorded (its submit_sm_resp), for the
-- per-part detail of a status lookup; null on segments recorded before this migration.
ALTER TABLE smsc_ids ADD COLUMN submitted_at INTEGER;
