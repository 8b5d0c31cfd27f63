-- What the ledger keeps with its log beside the events: settings fixed when it is created,
-- which every server and tool on it must share (the business time zone: which day an event
-- falls on, and so what every published day lists).
CREATE TABLE ledger_settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
