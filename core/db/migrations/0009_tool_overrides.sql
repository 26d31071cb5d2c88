-- Tool catalogue overrides (issue #15): per workspace, one row per tool, laid over the
-- repository's catalogue (core/tools/catalogue.toml). settings holds only the fields it
-- changes (level, permission, paths, extensions, commands, urls, max_bytes); the workspace '*'
-- applies to every workspace, a workspace's own row over it. Every change sends
-- NOTIFY aegis_tools, so running cores apply it at once; who changed it is kept here and in
-- the audit trail (action 'admin', findings tool_set / tool_delete).

CREATE TABLE tool_overrides (
    workspace  text NOT NULL CHECK (length(workspace) BETWEEN 1 AND 200),
    name       text NOT NULL CHECK (name ~ '^[A-Za-z0-9_.-]{1,64}$'),
    settings   jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by text NOT NULL,
    PRIMARY KEY (workspace, name)
);
