-- The audit trail (issue #14): one row per request core handled, hashes and metadata only.
-- Prompt and answer text are never stored: instruction_hash, context_hash and response_hash
-- are HMAC-SHA-256 under AUDIT_HASH_KEY. Rows are chained per writer (one core process):
-- row_hash = SHA-256(prev_hash || canonical row), seq counting 1, 2, 3 … without gaps; see
-- core/audit/record.py and README "Audit trail". Partitioned by month on "timestamp" (UTC),
-- partitions made on demand by audit_ensure_partition(); `aegis audit prune` drops old ones.

CREATE TABLE audit_logs (
    log_id           uuid NOT NULL,
    "timestamp"      timestamptz NOT NULL,
    request_id       text NOT NULL,
    user_id          text,
    workspace_id     text,
    key_id           text,
    role             text,
    action           text NOT NULL,
    model            text,
    decision         text NOT NULL,
    dry_run          boolean NOT NULL DEFAULT false,
    findings         jsonb NOT NULL DEFAULT '[]',
    instruction_hash bytea,
    context_hash     bytea,
    response_hash    bytea,
    tokens_estimated integer,
    tokens_used      integer,
    latency_ms       double precision,
    stage_ms         jsonb,
    status           integer,
    ip_address       inet,
    user_agent       text,
    bypassed         boolean NOT NULL DEFAULT false,
    writer_id        uuid NOT NULL,
    seq              bigint NOT NULL,
    prev_hash        bytea NOT NULL,
    row_hash         bytea NOT NULL
) PARTITION BY RANGE ("timestamp");

CREATE INDEX audit_logs_timestamp ON audit_logs ("timestamp");
CREATE INDEX audit_logs_user ON audit_logs (user_id, "timestamp");
CREATE INDEX audit_logs_workspace ON audit_logs (workspace_id, "timestamp");
CREATE INDEX audit_logs_action ON audit_logs (action, "timestamp");
CREATE INDEX audit_logs_request_id ON audit_logs (request_id);
-- The chain's order: verify reads each writer's rows by seq, replay skips rows stored already.
CREATE INDEX audit_logs_chain ON audit_logs (writer_id, seq);

-- Each writer's last stored link, written in the same transaction as its rows: a chain whose
-- last rows were deleted ends before its head. floor_seq/floor_hash: the last link of the
-- rows `aegis audit prune` dropped (the chain continues from there).
CREATE TABLE audit_chain_heads (
    writer_id  uuid PRIMARY KEY,
    instance   text NOT NULL,
    seq        bigint NOT NULL,
    row_hash   bytea NOT NULL,
    floor_seq  bigint NOT NULL DEFAULT 0,
    floor_hash bytea,
    started_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Rows PostgreSQL refused despite the writer's checks: kept as the exact bytes that were
-- hashed (metadata only, like the row), so the chain still verifies across them.
CREATE TABLE audit_dead_letters (
    writer_id uuid NOT NULL,
    seq       bigint NOT NULL,
    prev_hash bytea NOT NULL,
    row_hash  bytea NOT NULL,
    payload   bytea NOT NULL,
    error     text NOT NULL,
    dead_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (writer_id, seq)
);

-- The month holding "month" (UTC) as a partition, made once however many cores ask at once.
CREATE FUNCTION audit_ensure_partition(month timestamptz) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    first timestamp := date_trunc('month', month AT TIME ZONE 'UTC');
    name  text := 'audit_logs_y' || to_char(first, 'YYYY') || 'm' || to_char(first, 'MM');
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('aegis:audit_ensure_partition'));
    IF to_regclass(name) IS NULL THEN
        EXECUTE format(
            'CREATE TABLE %I PARTITION OF audit_logs FOR VALUES FROM (%L) TO (%L)',
            name,
            first AT TIME ZONE 'UTC',
            (first + interval '1 month') AT TIME ZONE 'UTC'
        );
    END IF;
    RETURN name;
END
$$;

SELECT audit_ensure_partition(now());
SELECT audit_ensure_partition(now() + interval '1 month');
