-- The ledger projector's checkpoint exists from the start, so that the first commands are
-- projected in the transaction that appends them, like every later one.
INSERT INTO projector_checkpoints (name, position) VALUES ('ledger', 0)
    ON CONFLICT (name) DO NOTHING;
