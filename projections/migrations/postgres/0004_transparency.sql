-- The leaf hash of every event, written once when the event is first projected: a later
-- change to a stored event no longer matches its leaf, which locates the change.
CREATE TABLE ledger_leaves
(
    position bigint PRIMARY KEY,
    leaf     text    NOT NULL
);

-- Signed checkpoints (C2SP signed notes) of the log's Merkle tree.
CREATE TABLE checkpoints
(
    size    bigint PRIMARY KEY,
    root    text    NOT NULL,
    note    text    NOT NULL,
    made_at text    NOT NULL
);
