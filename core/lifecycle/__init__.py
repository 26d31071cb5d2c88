"""A request's life in core, as named stages around one record.

    authenticate → parse → input scan → decide → (mask) → upstream → output chain → sinks

- :mod:`~core.lifecycle.exchange`: :class:`Exchange`, what one request did (metadata only).
- :mod:`~core.lifecycle.input`: authenticate, parse, input scan, decide, mask.
- :mod:`~core.lifecycle.upstream`: the call to the model server.
- :mod:`~core.lifecycle.output`: the output chain, members working on the answer's text.
- :mod:`~core.lifecycle.sinks`: what reads the finished exchange (metrics, the audit
  writer of :mod:`core.audit`); the access line takes its fields.
- :mod:`~core.lifecycle.run`: the stages in order, as the API routes run them.
"""
