"""The audit trail: one hash-only, tamper-evident row per request, in PostgreSQL.

- :mod:`~core.audit.record`: the row, the door (sanitize) and the hash chain (pure).
- :mod:`~core.audit.hashing`: HMACs of the texts, made while the stages hold them.
- :mod:`~core.audit.writer`: the sink, its queue, batches by COPY, the spool, dead letters.
- :mod:`~core.audit.spool`: the append-only local file rows wait in while PostgreSQL is away.
- :mod:`~core.audit.verify`: every chain checked (``aegis audit verify``).
- :mod:`~core.audit.store`: matches by hash, partitions, pruning.
- :mod:`~core.audit.trail`: the hasher and writer built from settings; the hash key.
- :mod:`~core.audit.cli`: ``aegis audit verify|match|prune``.
"""
