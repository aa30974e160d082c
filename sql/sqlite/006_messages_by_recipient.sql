-- 006_messages_by_recipient: support looks messages up by a client's recipient number
-- (smsprocctl messages find --client … --to …); without this index that search reads the client's
-- whole ledger.
CREATE INDEX messages_client_recipient ON messages (client_id, recipient);
