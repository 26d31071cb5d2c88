-- Users, roles, permissions and API keys. Keys are stored as SHA-256 hashes only.

CREATE TABLE roles (
    name        text PRIMARY KEY,
    description text NOT NULL
);

INSERT INTO roles (name, description) VALUES
    ('developer',    'Calls the models through the gateway.'),
    ('ai-developer', 'Calls the models, including agent tool calls.'),
    ('admin',        'Calls the models and administers keys, policies and reviews.'),
    ('auditor',      'Reads audit trails and bypass events; cannot call the models.');

CREATE TABLE permissions (
    role       text NOT NULL REFERENCES roles (name) ON DELETE CASCADE,
    permission text NOT NULL,
    PRIMARY KEY (role, permission)
);

INSERT INTO permissions (role, permission) VALUES
    ('developer',    'llm:call'),
    ('ai-developer', 'llm:call'),
    ('ai-developer', 'tools:call'),
    ('admin',        'llm:call'),
    ('admin',        'tools:call'),
    ('admin',        'admin:manage'),
    ('admin',        'audit:read'),
    ('auditor',      'audit:read');

CREATE TABLE users (
    id         bigserial PRIMARY KEY,
    name       text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_keys (
    id         text PRIMARY KEY,
    key_hash   text NOT NULL UNIQUE,
    prefix     text NOT NULL,
    name       text,
    user_id    bigint NOT NULL REFERENCES users (id),
    workspace  text NOT NULL,
    role       text NOT NULL REFERENCES roles (name),
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);

CREATE INDEX api_keys_active ON api_keys (id) WHERE revoked_at IS NULL;
