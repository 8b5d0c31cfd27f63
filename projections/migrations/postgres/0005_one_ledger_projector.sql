-- case_state, public_notices and ledger_leaves are now kept by one projector ("ledger"), in
-- one transaction per batch. Its derived rows are rebuilt from the log on the next start;
-- the recorded leaves stay as they are (they are written once and never replaced).
DELETE FROM projector_checkpoints;
DELETE FROM case_state;
DELETE FROM public_notices;
DELETE FROM published_days;
