-- The cqrs-es event table, plus what a ledger needs: a gap-free global position in commit
-- order and the time the event was recorded, both stamped inside the inserting transaction.
CREATE TABLE events
(
    aggregate_type  text                          NOT NULL,
    aggregate_id    text                          NOT NULL,
    sequence        integer CHECK (sequence >= 0) NOT NULL,
    event_type      text                          NOT NULL,
    event_version   text                          NOT NULL,
    payload         text                          NOT NULL,
    metadata        text                          NOT NULL,
    global_position integer UNIQUE,
    recorded_at     text,
    PRIMARY KEY (aggregate_type, aggregate_id, sequence)
) STRICT;

-- Unused by the plain event store; sqlite-es expects it to exist.
CREATE TABLE snapshots
(
    aggregate_type   text                                  NOT NULL,
    aggregate_id     text                                  NOT NULL,
    last_sequence    integer CHECK (last_sequence >= 0)    NOT NULL,
    current_snapshot integer CHECK (current_snapshot >= 0) NOT NULL,
    payload          text                                  NOT NULL,
    PRIMARY KEY (aggregate_type, aggregate_id, last_sequence)
) STRICT;

-- One row: the last position handed out and the latest recorded-at. Writers serialise on it,
-- so position order is commit order, and a rolled-back insert gives its position back.
CREATE TABLE ledger_head
(
    id          integer PRIMARY KEY CHECK (id = 1),
    position    integer NOT NULL,
    recorded_at text    NOT NULL
) STRICT;
INSERT INTO ledger_head (id, position, recorded_at) VALUES (1, 0, '');

-- recorded_at is the api clock's time (metadata.requested_at), raised to the previous event's
-- if a later-stamped transaction committed first: it never decreases in position order.
CREATE TRIGGER events_stamp AFTER INSERT ON events
BEGIN
    SELECT RAISE(ABORT, 'metadata.requested_at is required')
     WHERE json_extract(NEW.metadata, '$.requested_at') IS NULL;
    UPDATE ledger_head
       SET position    = position + 1,
           recorded_at = max(recorded_at, json_extract(NEW.metadata, '$.requested_at'))
     WHERE id = 1;
    UPDATE events
       SET global_position = (SELECT position FROM ledger_head WHERE id = 1),
           recorded_at     = (SELECT recorded_at FROM ledger_head WHERE id = 1)
     WHERE rowid = NEW.rowid;
END;

-- Append-only: a stamped event is never changed or removed.
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
    WHEN OLD.global_position IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'the event log is append-only');
END;

CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'the event log is append-only');
END;
