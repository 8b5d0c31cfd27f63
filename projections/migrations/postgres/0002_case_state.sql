-- Where each projector has got to in the log; its rows and its checkpoint change together.
CREATE TABLE projector_checkpoints
(
    name     text PRIMARY KEY,
    position bigint NOT NULL
);

-- The current state of every case, with the columns worklists filter and sort on.
CREATE TABLE case_state
(
    case_id       text PRIMARY KEY,
    bureau        text   NOT NULL,
    status        text   NOT NULL,
    credit_code   text   NOT NULL,
    item_code     text   NOT NULL,
    due_on        text,
    filed_at      text   NOT NULL,
    version       bigint NOT NULL,
    last_position bigint NOT NULL,
    view          text   NOT NULL
);
CREATE INDEX case_state_worklist ON case_state (bureau, status, due_on, case_id);
CREATE INDEX case_state_applicant ON case_state (credit_code, filed_at);

-- Permit numbers are allocated once per case, serials counted per bureau and year.
CREATE TABLE permit_serials
(
    bureau      text   NOT NULL,
    year        bigint NOT NULL,
    last_serial bigint NOT NULL,
    PRIMARY KEY (bureau, year)
);
CREATE TABLE permit_allocations
(
    case_id       text PRIMARY KEY,
    permit_number text NOT NULL UNIQUE
);
