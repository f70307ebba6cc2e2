"""The Graph code table: classes and retry scopes (FACTS §2.3)."""

import json

import pytest

import wa_async._errors as E
from tests._data import PAYLOADS
from wa_async._request import decode_error


@pytest.mark.parametrize(
    ("code", "cls", "scope"),
    [
        (0, E.AuthError, "never"),
        (190, E.AuthError, "never"),
        (250, E.AuthError, "never"),
        (2, E.ServerError, "request"),
        (4, E.RateLimited, "account"),
        (80007, E.RateLimited, "account"),
        (130429, E.RateLimited, "account"),
        (131056, E.RateLimited, "recipient"),
        (131048, E.RateLimited, "never"),
        (131000, E.ServerError, "request"),
        (131016, E.ServerError, "request"),
        (131057, E.ServerError, "request"),
        (133004, E.ServerError, "request"),
        (2494100, E.ServerError, "request"),
        (131026, E.RecipientError, "never"),
        (131030, E.RecipientError, "never"),
        (131047, E.RecipientError, "never"),
        (131051, E.MediaError, "never"),
        (131053, E.MediaError, "never"),
        (132000, E.TemplateError, "never"),
        (132018, E.TemplateError, "never"),
        (100, E.ApiError, "never"),
        (131008, E.ApiError, "never"),
        (131009, E.ApiError, "never"),
        # Marketing: "do not resend" (FACTS §2.3, FACTS-2026 §14.5).
        (131049, E.RecipientError, "never"),
        (131050, E.RecipientError, "never"),
        (131055, E.ApiError, "never"),
        (131063, E.TemplateError, "never"),
        (134100, E.TemplateError, "never"),
        (134101, E.TemplateError, "never"),
        (134102, E.TemplateError, "never"),
    ],
)
def test_code_table(code: int, cls: type, scope: str) -> None:
    assert E.error_class(code, 400) is cls
    assert E.retry_scope(code, 400) == scope


def test_template_unavailable_is_not_retried_though_meta_answers_it_with_http_500() -> None:
    assert E.error_class(134102, 500) is E.TemplateError and E.retry_scope(134102, 500) == "never"


def test_http_status_only_without_a_code() -> None:
    assert E.error_class(None, 401) is E.AuthError
    assert E.error_class(None, 404) is E.NotFound
    assert E.error_class(None, 429) is E.RateLimited
    assert E.error_class(None, 503) is E.ServerError
    assert E.retry_scope(None, 503) == "request"
    assert E.retry_scope(None, 400) == "never"
    # A known code wins over the status.
    assert E.error_class(131026, 500) is E.RecipientError
    assert E.error_class(100, 400, subcode=33) is E.NotFound


def test_is_transient_makes_an_unknown_code_retryable() -> None:
    assert E.retry_scope(999999, 400) == "never"
    assert E.retry_scope(999999, 400, is_transient=True) == "request"


@pytest.mark.parametrize(
    ("name", "cls", "code", "status"),
    [
        ("error-130429.json", E.RateLimited, 130429, 400),
        ("error-131009-captured.json", E.ApiError, 131009, 400),
        ("error-190-expired-token-openapi.json", E.AuthError, 190, 401),
        ("error-4-app-rate-limit-openapi.json", E.RateLimited, 4, 429),
        ("error-100-mm-api-not-template.json", E.ApiError, 100, 400),
    ],
)
def test_decode_documented_error_bodies(name: str, cls: type, code: int, status: int) -> None:
    body = (PAYLOADS / name).read_bytes()
    raw = json.loads(body)["error"]
    err = decode_error(status, {}, body)
    assert type(err) is cls and isinstance(err, E.ApiError)
    assert err.code == code
    assert err.http_status == status
    assert err.message == raw["message"]
    assert err.fbtrace_id == raw.get("fbtrace_id")
    assert err.details == raw.get("error_data", {}).get("details")
    assert str(code) in str(err)


def test_bodyless_gateway_errors_are_delivery_unknown() -> None:
    for status in (500, 502, 504):
        err = decode_error(status, {}, b"<html>Bad Gateway</html>", request="the request")
        assert type(err) is E.DeliveryUnknown  # returned, never raised: the caller raises
        assert err.request == "the request"


def test_bodyless_503_and_429_carry_retry_after() -> None:
    err = decode_error(503, {"Retry-After": "7"}, b"")
    assert type(err) is E.ServerError and err.retry_after == 7.0 and err.retry_scope == "request"
    err = decode_error(429, {"Retry-After": "2"}, b"slow down")
    assert type(err) is E.RateLimited and err.retry_after == 2.0 and err.retry_scope == "account"


def test_usage_header_sets_retry_after() -> None:
    usage = json.dumps({"1": [{"type": "whatsapp", "estimated_time_to_regain_access": 2}]})
    body = (PAYLOADS / "error-130429.json").read_bytes()
    err = decode_error(400, {"X-Business-Use-Case-Usage": usage}, body)
    assert isinstance(err, E.ApiError) and err.retry_after == 120.0


def test_control_plane_errors_are_classed_by_status() -> None:
    body = json.dumps({"error": {"code": 404, "message": "no such connection"}}).encode()
    assert type(decode_error(404, {}, body)) is E.ApiError  # 404 is no Graph code
    assert type(decode_error(404, {}, body, graph_codes=False)) is E.NotFound
    body = json.dumps({"error": {"code": 401, "message": "bad key"}}).encode()
    assert type(decode_error(401, {}, body, graph_codes=False)) is E.AuthError


def test_validation_error_names_field_and_limit() -> None:
    err = E.ValidationError("body", "4100 characters, the limit is 4096", limit=4096)
    assert err.field == "body" and err.limit == 4096
    assert str(err).startswith("body: ")
    assert isinstance(err, ValueError)


@pytest.mark.parametrize(
    ("code", "cls", "scope"),
    [
        (803, E.NotFound, "never"),
        (131041, E.NotFound, "never"),
        (131208, E.RateLimited, "request"),  # one group throttled: that request waits, not the account
        (133016, E.RateLimited, "never"),  # register/deregister blocked for 72 hours: no retry helps
        (138006, E.RecipientError, "never"),
        (139103, E.ServerError, "request"),
        (139102, E.ApiError, "never"),  # the paged walk restarts itself (resources/_paging.py)
        (147005, E.ApiError, "never"),
    ],
)
def test_account_management_codes(code: int, cls: type, scope: str) -> None:
    assert E.error_class(code, 400) is cls
    assert E.retry_scope(code, 400) == scope
    assert E.describe_code(code)
