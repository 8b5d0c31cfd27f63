-- A permit may await an amendment's decision and a renewal's at once: `pending` says whether
-- a declared change awaits the approver ('amendment'), this column where a renewal stands
-- ('renewal': the acceptor; 'renewal_decision': the approver); NULL when nothing.
ALTER TABLE case_state ADD COLUMN pending_renewal text;
CREATE INDEX case_state_pending_renewal ON case_state (bureau, pending_renewal)
    WHERE pending_renewal IS NOT NULL;
