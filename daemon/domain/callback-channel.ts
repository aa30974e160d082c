/**
 * The url of a callback event that goes to the client's own SMPP receiver/transceiver binds rather
 * than to an HTTP endpoint (docs/smpp-server.md, "Receipts and MO"): the store sets it when it
 * raises the event, the callback sender routes on it.
 */
export const SMPP_CHANNEL_URL = 'smpp:';
