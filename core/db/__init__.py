"""PostgreSQL access for core: pool, schema migrations, and the stores built on them."""
