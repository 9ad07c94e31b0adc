-- Tracked links (SPEC §10): one row per web address per thing that sent it
-- (a broadcast, a sequence step); a recipient's link is this row's id and
-- theirs, signed (no patient data in the address).
CREATE TABLE tracked_links (
    id           BIGSERIAL PRIMARY KEY,
    clinic_id    BIGINT  NOT NULL REFERENCES clinics(id),
    -- broadcast, sequence_step
    source_kind  TEXT    NOT NULL,
    source_id    BIGINT  NOT NULL,
    url          TEXT    NOT NULL,
    created_at   BIGINT  NOT NULL,
    UNIQUE (clinic_id, source_kind, source_id, url)
);

-- One row per click a person made (not link-preview fetchers, not HEAD).
CREATE TABLE link_clicks (
    id          BIGSERIAL PRIMARY KEY,
    clinic_id   BIGINT  NOT NULL REFERENCES clinics(id),
    link_id     BIGINT  NOT NULL REFERENCES tracked_links(id),
    friend_id   BIGINT  NOT NULL REFERENCES friends(id),
    clicked_at  BIGINT  NOT NULL
);
CREATE INDEX link_clicks_by_link ON link_clicks (link_id, friend_id);
CREATE INDEX link_clicks_by_clinic ON link_clicks (clinic_id, clicked_at);

-- The dashboard counts a month's follows and blocks per day.
CREATE INDEX friend_events_by_kind ON friend_events (clinic_id, kind, at);
