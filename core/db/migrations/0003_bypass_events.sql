-- Requests an edge sent past core (fail-open), consumed from the edges' Redis stream.
-- Metadata and a prompt hash only, never text. One row per request id: the consumer inserts
-- with ON CONFLICT DO NOTHING, so a replayed or redelivered event is stored once.

CREATE TABLE bypass_events (
    id                bigserial PRIMARY KEY,
    request_id        text NOT NULL UNIQUE,
    occurred_at       timestamptz NOT NULL,
    stored_at         timestamptz NOT NULL DEFAULT now(),
    edge_instance     text NOT NULL,
    key_id            text,
    user_name         text,
    workspace         text,
    client_ip         text,
    route             text NOT NULL,
    model             text,
    stream            boolean NOT NULL DEFAULT false,
    reason            text NOT NULL,
    prompt_sha256     text,
    edge_findings     text[] NOT NULL DEFAULT '{}',
    response_status   integer NOT NULL,
    prompt_tokens     integer NOT NULL DEFAULT 0,
    completion_tokens integer NOT NULL DEFAULT 0,
    reviewed_by       text,
    reviewed_at       timestamptz,
    review_note       text,
    CHECK ((reviewed_at IS NULL) = (reviewed_by IS NULL))
);

CREATE INDEX bypass_events_occurred ON bypass_events (occurred_at DESC);
CREATE INDEX bypass_events_unreviewed ON bypass_events (occurred_at DESC)
    WHERE reviewed_at IS NULL;

-- Security staff read and review bypass events.
INSERT INTO permissions (role, permission) VALUES
    ('admin',   'bypass:read'),
    ('admin',   'bypass:review'),
    ('auditor', 'bypass:read'),
    ('auditor', 'bypass:review');
