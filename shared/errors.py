"""The one error hierarchy of Aegis, rendered in OpenAI's error shape.

Every error a client can see is an :class:`AegisError`. Each class knows its HTTP status and
OpenAI ``type``/``code``; the HTTP layer (``shared.http``) renders any of them as::

    {"error": {"message": ..., "type": ..., "code": ..., "param": ...,
               "aegis": {"request_id": ..., "decision": ..., "findings": [...]}}}

Messages never hold prompt text, response text or a key.

    AegisError
    ├── ClientError                      4xx: the caller's mistake
    │   ├── InvalidRequestError          400 invalid_request_error
    │   │   └── MalformedJsonError       400 invalid_json
    │   ├── AuthenticationError          401 invalid_api_key
    │   ├── PermissionDeniedError        403 permission_denied
    │   ├── NotFoundError                404 not_found
    │   ├── MethodNotAllowedError        405 method_not_allowed
    │   ├── RequestTimeoutError          408 request_timeout      body not sent in time
    │   ├── ConflictError                409 conflict
    │   │   └── OutputScanDisabledError  409 output_scan_disabled
    │   └── RequestTooLargeError         413 request_too_large
    └── ServerError                      5xx: ours or a dependency's
        ├── UpstreamError                502 upstream_error       the LLM failed
        │   ├── UpstreamUnreachableError 502 upstream_unreachable
        │   └── UpstreamTimeoutError     504 upstream_timeout
        ├── CoreUnavailableError         503 core_unavailable     edge could not reach core
        ├── CoreBusyError                503 core_busy            core's heavy scans all taken
        └── ServiceUnavailableError      503 service_unavailable  a store we need is down
            ├── DatabaseUnavailableError 503 database_unavailable
            ├── KeyStoreUnavailableError 503 key_store_unavailable
            └── RateLimitStoreError      503 rate_limit_unavailable   fail-closed limits
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

__all__ = [
    "AegisError",
    "AuthenticationError",
    "BlockedError",
    "ClientError",
    "ConflictError",
    "CoreBusyError",
    "CoreUnavailableError",
    "DatabaseUnavailableError",
    "InvalidRequestError",
    "KeyStoreUnavailableError",
    "MalformedJsonError",
    "MethodNotAllowedError",
    "NotFoundError",
    "OutputScanDisabledError",
    "PermissionDeniedError",
    "RateLimitStoreError",
    "RateLimitedError",
    "RequestTimeoutError",
    "RequestTooLargeError",
    "ServerError",
    "ServiceUnavailableError",
    "UpstreamError",
    "UpstreamTimeoutError",
    "UpstreamUnreachableError",
    "error_body",
]


class AegisError(Exception):
    """Base of every error rendered to a client."""

    status: ClassVar[int] = 500
    type: ClassVar[str] = "server_error"
    code: ClassVar[str] = "internal_error"
    default_message: ClassVar[str] = "The gateway failed to handle the request."

    def __init__(
        self,
        message: str | None = None,
        *,
        param: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.param = param
        self.headers: dict[str, str] = dict(headers or {})
        super().__init__(self.message)

    def body(self, request_id: str | None) -> dict[str, Any]:
        """The OpenAI-shaped error body for this error."""
        return error_body(
            self.message, self.type, self.code, param=self.param, request_id=request_id
        )


def error_body(
    message: str,
    type_: str,
    code: str,
    *,
    param: str | None = None,
    request_id: str | None = None,
    aegis: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Build ``{"error": {...}}`` with the ``aegis`` object carrying at least the request id."""
    details: dict[str, Any] = {"request_id": request_id}
    if aegis:
        details.update(aegis)
    return {
        "error": {
            "message": message,
            "type": type_,
            "code": code,
            "param": param,
            "aegis": details,
        }
    }


class ClientError(AegisError):
    status = 400
    type = "invalid_request_error"
    code = "invalid_request"
    default_message = "The request is invalid."


class InvalidRequestError(ClientError):
    """The body parsed but breaks the API's schema (a missing or mistyped field)."""


class MalformedJsonError(InvalidRequestError):
    code = "invalid_json"
    default_message = "The request body is not valid JSON."


class AuthenticationError(ClientError):
    status = 401
    type = "authentication_error"
    code = "invalid_api_key"
    default_message = "Invalid or missing API key. Send it as 'Authorization: Bearer <key>'."


class PermissionDeniedError(ClientError):
    status = 403
    type = "permission_error"
    code = "permission_denied"
    default_message = "This key's role may not do that."


class NotFoundError(ClientError):
    status = 404
    type = "invalid_request_error"
    code = "not_found"
    default_message = "No such route."


class MethodNotAllowedError(ClientError):
    status = 405
    type = "invalid_request_error"
    code = "method_not_allowed"
    default_message = "Method not allowed on this route."


class RequestTimeoutError(ClientError):
    """The client announced a body and did not send it in time; the connection is closed."""

    status = 408
    code = "request_timeout"
    default_message = "The request body was not received in time."


class ConflictError(ClientError):
    status = 409
    code = "conflict"
    default_message = "The request conflicts with the current state of the resource."


class OutputScanDisabledError(ConflictError):
    """An output analysis asked of a core whose output guard is off (``OUTPUT_SCAN_ENABLED=
    false``): a 4xx, so that an edge does not count it against the core's health."""

    code = "output_scan_disabled"
    default_message = (
        "Output scanning is disabled on this gateway (OUTPUT_SCAN_ENABLED=false): "
        "answers cannot be analysed."
    )


class RequestTooLargeError(ClientError):
    status = 413
    type = "invalid_request_error"
    code = "request_too_large"
    default_message = "The request body is larger than this gateway accepts."


class BlockedError(ClientError):
    """A guard decided to block the input; the ``aegis`` object names the findings.

    Findings carry rule ids, types, scores and positions — never the text that matched.
    """

    code = "aegis_blocked"
    default_message = "The request was blocked by the gateway's security policy."

    def __init__(
        self,
        findings: list[dict[str, Any]],
        message: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message, headers=headers)
        self.findings = findings

    def body(self, request_id: str | None) -> dict[str, Any]:
        return error_body(
            self.message,
            self.type,
            self.code,
            request_id=request_id,
            aegis={"decision": "block", "findings": self.findings},
        )


class RateLimitedError(ClientError):
    """Too many requests or tokens; ``Retry-After`` says when to come back."""

    status = 429
    type = "rate_limit_error"
    code = "rate_limit_exceeded"
    default_message = "Rate limit exceeded; retry after the time in the Retry-After header."


class ServerError(AegisError):
    status = 500
    type = "server_error"
    code = "internal_error"


class UpstreamError(ServerError):
    status = 502
    type = "upstream_error"
    code = "upstream_error"
    default_message = "The model server failed to answer."


class UpstreamUnreachableError(UpstreamError):
    code = "upstream_unreachable"
    default_message = "The model server could not be reached."


class UpstreamTimeoutError(UpstreamError):
    status = 504
    code = "upstream_timeout"
    default_message = "The model server did not answer in time."


class CoreUnavailableError(ServerError):
    status = 503
    type = "service_unavailable"
    code = "core_unavailable"
    default_message = "The Aegis core service is unavailable; the request was not forwarded."


class CoreBusyError(ServerError):
    """Core is up but every slot for heavy (long) scans stayed taken while this request
    waited; ``Retry-After`` says when to try again. A busy core is not a failing one: the
    edge is not to count ``core_busy`` against core's circuit breaker."""

    status = 503
    type = "service_unavailable"
    code = "core_busy"
    default_message = "The gateway is busy scanning other large requests; retry shortly."


class ServiceUnavailableError(ServerError):
    status = 503
    type = "service_unavailable"
    code = "service_unavailable"
    default_message = "The gateway is not ready to serve requests."


class DatabaseUnavailableError(ServiceUnavailableError):
    code = "database_unavailable"
    default_message = "The database is unreachable; try again shortly."


class KeyStoreUnavailableError(ServiceUnavailableError):
    code = "key_store_unavailable"
    default_message = "The API key set is not available yet; try again shortly."


class RateLimitStoreError(ServiceUnavailableError):
    code = "rate_limit_unavailable"
    default_message = "Rate limits cannot be checked right now; try again shortly."
