"""Third outside evaluation set (prompt injection, English and Korean); evaluation only."""
