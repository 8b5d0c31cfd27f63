-- The keys personal fields are sealed under, one per data subject, outside the log: the log
-- keeps only ciphertext, and destroying a key erases its subject's personal information
-- without changing a byte the log's hashes cover. Each key is wrapped (sealed) under the
-- master key named by its fingerprint. A destroyed key keeps its row, without its subject or
-- its bytes, so the erasure can be shown to have happened.
CREATE TABLE personal_keys (
    key_id TEXT PRIMARY KEY,
    subject TEXT UNIQUE,
    wrapped_key TEXT,
    master_key TEXT NOT NULL,
    created_at TEXT NOT NULL,
    destroyed_at TEXT
);
