-- Edge decisions seen (issue #14): the ids of the edge's own refusals (a prefilter block, a
-- permission denial) that core has made an audit row of. They arrive on the bypass stream
-- as events of kind 'edge_decision'; they are not bypasses, so they are not in
-- bypass_events, but a redelivered stream entry (or a spool replayed twice) must not make a
-- second audit row: the consumer inserts the event id here first (ON CONFLICT DO NOTHING)
-- and records only the ids that were new. Nothing else is kept: the audit row holds the rest.
-- Ids older than AUDIT_RETENTION_DAYS are pruned by the consumer, which skips such events.

CREATE TABLE edge_decision_events (
    event_id    text PRIMARY KEY,
    occurred_at timestamptz NOT NULL,
    seen_at     timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX edge_decision_events_occurred ON edge_decision_events (occurred_at);
