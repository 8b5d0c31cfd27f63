-- The day (ISO text) the next check after issuance of a permit issued on a commitment is due
-- by, while the permit is in force; NULL for every other case.
ALTER TABLE case_state ADD COLUMN check_due text;
CREATE INDEX case_state_check_due ON case_state (bureau, check_due) WHERE check_due IS NOT NULL;
