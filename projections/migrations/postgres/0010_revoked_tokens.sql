-- Bearer tokens revoked before they expire (`permit-ledger token --revoke ID`), by token id
-- (the `jti` claim). Servers sharing a store refuse them within a second.
CREATE TABLE revoked_tokens (
    token_id TEXT PRIMARY KEY,
    revoked_at TEXT NOT NULL
);
