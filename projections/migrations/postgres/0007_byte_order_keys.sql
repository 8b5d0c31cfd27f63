-- Keys and codes (ids, division and item codes, credit codes, ISO dates, statuses) compare
-- byte by byte, as SQLite compares them. Under a locale collation (C.UTF-8, en_US) every index
-- comparison went through strcoll; their order is the same for these ASCII values, and the
-- worklists and listings sort exactly as they did. Changing a text column's collation keeps
-- its rows as they are and rebuilds its indexes.
ALTER TABLE events
    ALTER COLUMN aggregate_type TYPE text COLLATE "C",
    ALTER COLUMN aggregate_id TYPE text COLLATE "C",
    ALTER COLUMN event_type TYPE text COLLATE "C",
    ALTER COLUMN event_version TYPE text COLLATE "C";

ALTER TABLE snapshots
    ALTER COLUMN aggregate_type TYPE text COLLATE "C",
    ALTER COLUMN aggregate_id TYPE text COLLATE "C";

ALTER TABLE projector_checkpoints
    ALTER COLUMN name TYPE text COLLATE "C";

ALTER TABLE case_state
    ALTER COLUMN case_id TYPE text COLLATE "C",
    ALTER COLUMN bureau TYPE text COLLATE "C",
    ALTER COLUMN status TYPE text COLLATE "C",
    ALTER COLUMN credit_code TYPE text COLLATE "C",
    ALTER COLUMN item_code TYPE text COLLATE "C",
    ALTER COLUMN due_on TYPE text COLLATE "C",
    ALTER COLUMN filed_at TYPE text COLLATE "C";

ALTER TABLE permit_serials
    ALTER COLUMN bureau TYPE text COLLATE "C";

ALTER TABLE permit_allocations
    ALTER COLUMN case_id TYPE text COLLATE "C",
    ALTER COLUMN permit_number TYPE text COLLATE "C";

ALTER TABLE public_notices
    ALTER COLUMN notice_id TYPE text COLLATE "C",
    ALTER COLUMN day TYPE text COLLATE "C",
    ALTER COLUMN kind TYPE text COLLATE "C",
    ALTER COLUMN permit_number TYPE text COLLATE "C",
    ALTER COLUMN bureau TYPE text COLLATE "C",
    ALTER COLUMN item_code TYPE text COLLATE "C",
    ALTER COLUMN published_day TYPE text COLLATE "C";

ALTER TABLE published_days
    ALTER COLUMN day TYPE text COLLATE "C";
