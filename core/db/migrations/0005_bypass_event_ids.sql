-- Bypass events keyed on an id the edge makes, not on the request id (issue #12).
-- The request id may come from a trusted proxy's X-Aegis-Request-Id, that is from the client:
-- as the unique key it let one forged id hide every later event under the first. Each event
-- now carries an edge-made event_id, unique; the request id stays for correlation, indexed.
-- Rows stored before keep the key they had ('request:' || request_id, the consumer's key for
-- an event from an edge that predates event ids).

ALTER TABLE bypass_events ADD COLUMN event_id text;
UPDATE bypass_events SET event_id = 'request:' || request_id;
ALTER TABLE bypass_events ALTER COLUMN event_id SET NOT NULL;
ALTER TABLE bypass_events ADD CONSTRAINT bypass_events_event_id_key UNIQUE (event_id);
ALTER TABLE bypass_events DROP CONSTRAINT bypass_events_request_id_key;
CREATE INDEX bypass_events_request_id ON bypass_events (request_id);

-- Keyset paging of the newest-first listing: (occurred_at, id) < the cursor's.
DROP INDEX bypass_events_occurred;
CREATE INDEX bypass_events_occurred ON bypass_events (occurred_at DESC, id DESC);

-- Stream entries core could not store: malformed (not a bypass event) or refused by
-- PostgreSQL (a NUL byte, a number out of range, a text too long for its index). Kept
-- without their content: which entry, its event and request ids when they are plain ids,
-- why, and the SHA-256 and length of what the entry held, so security staff can match it
-- against a copy. One row per stream entry, however often it is delivered.
CREATE TABLE bypass_dead_letters (
    id            bigserial PRIMARY KEY,
    stream        text NOT NULL,
    entry_id      text NOT NULL,
    event_id      text,
    request_id    text,
    reason        text NOT NULL CHECK (reason IN ('malformed', 'refused')),
    error         text NOT NULL,
    entry_sha256  text NOT NULL,
    entry_bytes   integer NOT NULL,
    dead_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (stream, entry_id)
);

CREATE INDEX bypass_dead_letters_dead_at ON bypass_dead_letters (dead_at DESC);
