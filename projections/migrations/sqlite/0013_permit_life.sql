-- The last day of validity (ISO text) of a permit in force, NULL for every other case: the
-- permits due to expire are read from the index, not from the cases.
ALTER TABLE case_state ADD COLUMN valid_until text;
-- What an issued permit awaits from its bureau: 'amendment', 'renewal' (the acceptor) or
-- 'renewal_decision' (the approver); NULL when nothing.
ALTER TABLE case_state ADD COLUMN pending text;
CREATE INDEX case_state_in_force_until ON case_state (valid_until) WHERE valid_until IS NOT NULL;
CREATE INDEX case_state_pending ON case_state (bureau, pending) WHERE pending IS NOT NULL;
