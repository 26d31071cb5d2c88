"""The entity types the PII scanner reports (no Presidio import: policies read this)."""

from __future__ import annotations

from typing import Final

__all__ = ["NUMBER_ENTITIES", "PII_ENTITIES", "SCAN_LIMIT", "SECRET_ENTITIES"]

SECRET_ENTITIES: Final = (
    "AWS_ACCESS_KEY",
    "GITHUB_TOKEN",
    "GITLAB_TOKEN",
    "SLACK_TOKEN",
    "JWT",
    "PRIVATE_KEY",
    "CONNECTION_PASSWORD",
    "GENERIC_SECRET",
)
# Entities recognised from runs of digits (the analyzer reads them around digit runs).
NUMBER_ENTITIES: Final = (
    "KR_RRN",
    "KR_FRN",
    "KR_BRN",
    "KR_PASSPORT",
    "KR_DRIVER_LICENSE",
    "KR_BANK_ACCOUNT",
    "KR_HEALTH_INSURANCE",
    "PHONE_NUMBER",
    "CREDIT_CARD",
    "IBAN_CODE",
    "US_SSN",
)
PII_ENTITIES: Final = (
    *NUMBER_ENTITIES,
    "EMAIL_ADDRESS",
    "IP_ADDRESS",
    "PERSON",
    *SECRET_ENTITIES,
)
# Not an entity: the finding of a text whose analysis stopped at its work budget (see
# core.pii.analyzer.work_budget), so that part of it was not looked at. It names no span;
# by default it blocks, since what was not read may hold anything.
SCAN_LIMIT: Final = "PII_SCAN_LIMIT"
