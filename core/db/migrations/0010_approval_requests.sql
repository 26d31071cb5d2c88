-- The approval workflow (issue #15): one row per HIGH/CRITICAL tool call held for a person.
-- Never the arguments themselves: their SHA-256 and a preview with PII and secrets masked
-- (bounded). A row is pending until an admin approves or rejects it (the first decision
-- wins) or it expires; every decision sends NOTIFY aegis_approvals with the request id, so
-- the core holding the answer releases it at once (cores also poll, as a safety net).

CREATE TABLE approval_requests (
    request_id     text PRIMARY KEY CHECK (length(request_id) BETWEEN 1 AND 100),
    exchange_id    text NOT NULL DEFAULT '',
    tool           text NOT NULL CHECK (length(tool) BETWEEN 1 AND 64),
    level          text NOT NULL CHECK (level IN ('LOW', 'MEDIUM', 'HIGH', 'CRITICAL')),
    user_id        text NOT NULL,
    workspace      text NOT NULL,
    arguments_sha256 text NOT NULL CHECK (arguments_sha256 ~ '^[0-9a-f]{64}$'),
    preview        text NOT NULL DEFAULT '' CHECK (length(preview) <= 1000),
    status         text NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'approved', 'rejected', 'expired')),
    requested_at   timestamptz NOT NULL DEFAULT now(),
    expires_at     timestamptz NOT NULL,
    responded_at   timestamptz,
    responded_by   text,
    reason         text CHECK (length(reason) <= 1000)
);

CREATE INDEX approval_requests_pending ON approval_requests (expires_at)
    WHERE status = 'pending';
CREATE INDEX approval_requests_workspace ON approval_requests (workspace, requested_at DESC);
CREATE INDEX approval_requests_requested ON approval_requests (requested_at);
