-- Per-key rate limit overrides (NULL: the role's or the edge's default applies).
ALTER TABLE api_keys
    ADD COLUMN rate_limit_requests integer CHECK (rate_limit_requests >= 0),
    ADD COLUMN rate_limit_tokens_per_minute integer CHECK (rate_limit_tokens_per_minute >= 0);
