/** Wire protocol spoken with the worker; must equal PROTOCOL_VERSION in python_worker/mixmask_worker/service/protocol.py. */
export const PROTOCOL_VERSION = 3;

/** Version of this SDK, sent in Hello for the worker's log. */
export const SDK_VERSION = "0.1.0";
