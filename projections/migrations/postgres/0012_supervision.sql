-- From which business day (ISO text) each open accepted case is at each warning; for a case
-- whose clock is suspended, the warning it stands at; all NULL when no limit runs.
ALTER TABLE case_state ADD COLUMN yellow_from text;
ALTER TABLE case_state ADD COLUMN red_from text;
ALTER TABLE case_state ADD COLUMN breach_from text;
ALTER TABLE case_state ADD COLUMN frozen_warning text;
-- The open accepted cases alone, with what their warning is read from: counting them by
-- warning reads this index, not the cases.
-- A case view (its timeline included) is a few kilobytes: kept in its row, uncompressed, it
-- is written as it is, not compressed and moved out of line on every change.
ALTER TABLE case_state SET (toast_tuple_target = 8160);

CREATE INDEX case_state_open_warning
    ON case_state (bureau, item_code, yellow_from, red_from, breach_from, frozen_warning)
    WHERE yellow_from IS NOT NULL OR frozen_warning IS NOT NULL;

-- The supervision figures per bureau, item and business day (in that order: the efficiency
-- query sums each bureau and item's days in one pass), added to as events arrive:
-- each counts the events of its kind on that day (filed on the filing day, decided on the
-- decision day, ...), and the sums add the working days of the cases decided that day. Counters are
-- integers: PostgreSQL sums those in 64 bits, bigints in numeric.
CREATE TABLE supervision_daily
(
    day                    text NOT NULL,
    bureau                 text NOT NULL,
    item_code              text NOT NULL,
    filed                  integer NOT NULL,
    filed_home_city        integer NOT NULL,
    filed_province         integer NOT NULL,
    accepted               integer NOT NULL,
    decided                integer NOT NULL,
    issued                 integer NOT NULL,
    denied                 integer NOT NULL,
    within_committed       integer NOT NULL,
    within_statutory       integer NOT NULL,
    used_working_days      integer NOT NULL,
    statutory_limit_days   integer NOT NULL,
    committed_limit_days   integer NOT NULL,
    acceptor_days          integer NOT NULL,
    reviewer_days          integer NOT NULL,
    approver_days          integer NOT NULL,
    dispatched             integer NOT NULL,
    dispatcher_days        integer NOT NULL,
    dispatched_in_time     integer NOT NULL,
    suspensions            integer NOT NULL,
    suspended_working_days integer NOT NULL,
    extensions             integer NOT NULL,
    PRIMARY KEY (bureau, item_code, day)
);

-- How many cases decided on a day used how many working days: medians and percentiles over
-- any range without reading a case.
CREATE TABLE supervision_used_days
(
    day               text NOT NULL,
    bureau            text NOT NULL,
    item_code         text NOT NULL,
    used_working_days bigint NOT NULL,
    cases             integer NOT NULL,
    PRIMARY KEY (bureau, item_code, used_working_days, day)
);
