-- 011_segment_detail: per segment (submit_sm), when its SMSC id was recorded (its submit_sm_resp), and
-- how many submit_sm the message's submission took (a message_payload route sends a long message as
-- one), so that a message is final only when every one of them is; null on rows recorded before.
ALTER TABLE smsc_ids ADD COLUMN submitted_at INTEGER;
ALTER TABLE smsc_ids ADD COLUMN parts INTEGER;
