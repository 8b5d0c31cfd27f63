-- The cqrs-es event table, plus what a ledger needs: a gap-free global position in commit
-- order and the time the event was recorded, both stamped inside the inserting transaction.
CREATE TABLE events
(
    aggregate_type  text                         NOT NULL,
    aggregate_id    text                         NOT NULL,
    sequence        bigint CHECK (sequence >= 0) NOT NULL,
    event_type      text                         NOT NULL,
    event_version   text                         NOT NULL,
    payload         json                         NOT NULL,
    metadata        json                         NOT NULL,
    global_position bigint                       NOT NULL UNIQUE,
    recorded_at     text COLLATE "C"             NOT NULL,
    PRIMARY KEY (aggregate_type, aggregate_id, sequence)
);

-- Unused by the plain event store; postgres-es expects it to exist.
CREATE TABLE snapshots
(
    aggregate_type   text                                 NOT NULL,
    aggregate_id     text                                 NOT NULL,
    last_sequence    bigint CHECK (last_sequence >= 0)    NOT NULL,
    current_snapshot bigint CHECK (current_snapshot >= 0) NOT NULL,
    payload          json                                 NOT NULL,
    PRIMARY KEY (aggregate_type, aggregate_id, last_sequence)
);

-- One row: the last position handed out and the latest recorded-at. Writers serialise on its
-- row lock until they commit, so position order is commit order, and a rolled-back insert
-- gives its position back (never a sequence: those leave gaps and commit out of order).
CREATE TABLE ledger_head
(
    id          integer PRIMARY KEY CHECK (id = 1),
    position    bigint           NOT NULL,
    recorded_at text COLLATE "C" NOT NULL
);
INSERT INTO ledger_head (id, position, recorded_at) VALUES (1, 0, '');

-- recorded_at is the api clock's time (metadata.requested_at), raised to the previous event's
-- if a later-stamped transaction committed first: it never decreases in position order.
CREATE FUNCTION events_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    requested text := NEW.metadata ->> 'requested_at';
BEGIN
    IF requested IS NULL THEN
        RAISE EXCEPTION 'metadata.requested_at is required';
    END IF;
    UPDATE ledger_head
       SET position    = position + 1,
           recorded_at = greatest(recorded_at, requested COLLATE "C")
     WHERE id = 1
    RETURNING position, recorded_at INTO NEW.global_position, NEW.recorded_at;
    RETURN NEW;
END $$;

CREATE TRIGGER events_stamp BEFORE INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION events_stamp();

-- Append-only: a stamped event is never changed or removed.
CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the event log is append-only';
END $$;

CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_append_only();
