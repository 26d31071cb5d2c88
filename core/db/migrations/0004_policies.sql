-- Scanning policy overrides: one JSON document per scope. The effective policy of a request
-- is the repository's defaults, then the 'global' row, then its workspace's, then its key's;
-- each names only what it changes. Every change sends NOTIFY aegis_policies, so running
-- cores apply it at once, without a restart.

CREATE TABLE policies (
    scope      text NOT NULL CHECK (scope IN ('global', 'workspace', 'key')),
    subject    text NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
    document   jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by text NOT NULL,
    PRIMARY KEY (scope, subject),
    CHECK ((scope = 'global') = (subject = '*'))
);

INSERT INTO permissions (role, permission) VALUES
    ('admin',   'policy:read'),
    ('admin',   'policy:write'),
    ('auditor', 'policy:read');
