-- Public notices (permits issued, amended, revoked): public fields only.
CREATE TABLE public_notices
(
    position      bigint PRIMARY KEY,
    notice_id     text    NOT NULL UNIQUE,
    day           text    NOT NULL,
    kind          text    NOT NULL,
    permit_number text    NOT NULL,
    bureau        text    NOT NULL,
    item_code     text    NOT NULL,
    published_day text,
    notice        text    NOT NULL
);
CREATE INDEX public_notices_unpublished ON public_notices (published_day, day, position);
CREATE INDEX public_notices_permit ON public_notices (permit_number, position);

-- Days published, from the DayPublished events in the log.
CREATE TABLE published_days
(
    day          text PRIMARY KEY,
    position     bigint NOT NULL,
    published_at text    NOT NULL,
    count        bigint NOT NULL,
    digest       text    NOT NULL
);
