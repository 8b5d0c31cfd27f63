-- Idempotency keys of writes (`Idempotency-Key`), remembered for a day: the same key from the
-- same sender with the same request answers what the first answered, without doing it again.
-- `scope` is a SHA-256 of the sender's role and subject, so no sender is named here;
-- `claim_id` is also stored with the events the request caused (metadata
-- `idempotency_claim`), so a request cut off by a crash after its commit is recognised.
-- `status` is null while the request is being handled.
CREATE TABLE idempotency_keys (
    scope TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_digest TEXT NOT NULL,
    claim_id TEXT NOT NULL,
    case_id TEXT,
    success_status INTEGER NOT NULL,
    claimed_at TEXT NOT NULL,
    status INTEGER,
    outcome TEXT,
    PRIMARY KEY (scope, idempotency_key)
);
CREATE INDEX idempotency_keys_by_claimed_at ON idempotency_keys (claimed_at);
