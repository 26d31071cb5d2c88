-- Per-user grants (issue #14): permissions a user has on top of their key's role, for every
-- key of theirs. What a role grants lives in shared/permissions.py (the table the edge
-- enforces too); a grant here adds to it, e.g. 'tools:call' for one developer.
-- granted_by is the user who granted it (through the admin API), kept for the record; the
-- grant and its revocation are also audit rows (action 'admin').

CREATE TABLE user_permissions (
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    permission text NOT NULL,
    granted_at timestamptz NOT NULL DEFAULT now(),
    granted_by text NOT NULL,
    PRIMARY KEY (user_id, permission)
);
