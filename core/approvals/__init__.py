"""The approval workflow for HIGH and CRITICAL tool calls (issue #15)."""
