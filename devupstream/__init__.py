"""A development stand-in for vLLM: a small real HTTP server speaking its OpenAI API.

It is NOT a model. It answers chat and completion requests by echoing the last user text
(``"echo: <text>"``), as JSON or as server-sent events, so tests and benchmarks can check
exactly what passed through the gateway. Its second model, ``aegis-dev-fixture``
(:mod:`devupstream.fixturemodel`), answers ``fixture:NAME`` with canned answers that leak PII,
secrets or the system prompt, or call tools. Knobs, per server (environment) or per request (a
``"devupstream"`` object in the request body, e.g. the OpenAI SDK's ``extra_body``):

- ``delay_ms``:        wait before answering (JSON) or between chunks (stream)
- ``chunks``:          how many content chunks a stream is split into
- ``status``:          answer with this HTTP error status instead
- ``drop_after``:      close the connection after this many stream chunks (a crash)
- ``stamp``:           (per request) each stream chunk carries ``aegis_dev_sent_ns``, the
                       system's monotonic clock when it was written, so that a client on
                       the same machine can tell how long each chunk took to reach it
                       (``bench.output``'s per-chunk latency)
"""
