-- Tracked links (SPEC §10): one row per web address per thing that sent it
-- (a broadcast, a sequence step); a recipient's link is this row's id and
-- theirs, signed (no patient data in the address).
CREATE TABLE tracked_links (
    id           INTEGER PRIMARY KEY,
    clinic_id    INTEGER NOT NULL REFERENCES clinics(id),
    -- broadcast, sequence_step
    source_kind  TEXT    NOT NULL,
    source_id    INTEGER NOT NULL,
    url          TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    UNIQUE (clinic_id, source_kind, source_id, url)
);

-- One row per click a person made (not link-preview fetchers, not HEAD).
CREATE TABLE link_clicks (
    id          INTEGER PRIMARY KEY,
    clinic_id   INTEGER NOT NULL REFERENCES clinics(id),
    link_id     INTEGER NOT NULL REFERENCES tracked_links(id),
    friend_id   INTEGER NOT NULL REFERENCES friends(id),
    clicked_at  INTEGER NOT NULL
);
CREATE INDEX link_clicks_by_link ON link_clicks (link_id, friend_id);
CREATE INDEX link_clicks_by_clinic ON link_clicks (clinic_id, clicked_at);

-- The dashboard counts a month's follows and blocks per day.
CREATE INDEX friend_events_by_kind ON friend_events (clinic_id, kind, at);

-- Inflow routes (流入経路): a URL and QR code per place patients meet the
-- clinic; its automation (trigger followed_via_route) greets and acts.
CREATE TABLE inflow_routes (
    id             INTEGER PRIMARY KEY,
    clinic_id      INTEGER NOT NULL REFERENCES clinics(id),
    public_id      TEXT    NOT NULL UNIQUE,
    -- In the route's URL (/r/{code}): unguessable, so routes cannot be
    -- walked through.
    code           TEXT    NOT NULL UNIQUE,
    name           TEXT    NOT NULL,
    automation_id  INTEGER NOT NULL REFERENCES automations(id),
    created_at     INTEGER NOT NULL,
    archived_at    INTEGER,
    UNIQUE (clinic_id, name)
);

-- A LINE user who opened a route's page (identified by LINE, never by the
-- browser); their first follow within the window is the route's.
CREATE TABLE route_arrivals (
    id            INTEGER PRIMARY KEY,
    clinic_id     INTEGER NOT NULL REFERENCES clinics(id),
    route_id      INTEGER NOT NULL REFERENCES inflow_routes(id),
    line_user_id  TEXT    NOT NULL,
    arrived_at    INTEGER NOT NULL,
    used_at       INTEGER
);
CREATE INDEX route_arrivals_by_user ON route_arrivals (clinic_id, line_user_id, arrived_at);

-- The route a friend first came through.
ALTER TABLE friends ADD COLUMN inflow_route_id INTEGER REFERENCES inflow_routes(id);
CREATE INDEX friends_by_route ON friends (inflow_route_id) WHERE inflow_route_id IS NOT NULL;

-- What LINE says of a send's opens (SPEC §10): its pushes and multicasts
-- carry a custom aggregation unit, asked about for 30 days after the send.
-- synced_at NULL: not asked yet; opened/clicked NULL once asked: fewer
-- than 20 people (LINE hides small numbers).
CREATE TABLE message_insights (
    id             INTEGER PRIMARY KEY,
    clinic_id      INTEGER NOT NULL REFERENCES clinics(id),
    source_kind    TEXT    NOT NULL,
    source_id      INTEGER NOT NULL,
    unit           TEXT    NOT NULL,
    first_sent_at  INTEGER NOT NULL,
    next_sync_at   INTEGER NOT NULL,
    synced_at      INTEGER,
    opened         INTEGER,
    clicked        INTEGER,
    UNIQUE (clinic_id, source_kind, source_id)
);
CREATE INDEX message_insights_due ON message_insights (next_sync_at);

-- The aggregation unit names a clinic used each JST month (LINE counts at
-- most 1,000 a month and silently drops the rest).
CREATE TABLE aggregation_units (
    clinic_id  INTEGER NOT NULL REFERENCES clinics(id),
    month      TEXT    NOT NULL,
    unit       TEXT    NOT NULL,
    PRIMARY KEY (clinic_id, month, unit)
);
