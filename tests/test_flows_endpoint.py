"""wa_async.flows: the Flows data endpoint (decrypt, answer, encrypt), checked against a fixed test vector and with
keys the tests generate."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import aiohttp
import pytest
from aiohttp import web

import wa_async as wa
from tests._data import payload
from wa_async.flows import DataEndpoint, FlowRequest, FlowTokenExpired

# A throwaway RSA key made for this test vector (never registered anywhere). The request file
# request-flow-endpoint-encrypted.json was encrypted for it with AES key 000102...0f and IV a0a1...af.
VECTOR_KEY = """\
-----BEGIN PRIVATE KEY-----
MIIEvwIBADANBgkqhkiG9w0BAQEFAASCBKkwggSlAgEAAoIBAQDE4uvczfVuu1mU
NihdjA4sOJxSacPCwD5CBw3GEapnuaORMTo8X+ZqhucLATPX/7xnu8eSL2Bx5RIi
syctRzJ/tt3H9lNUJ0WnmNdRZEQtrq8pmif8S69SQoJgM1BbY40Dvta0nWIitfGr
sTDOZzYwIcYnOdSDXFzWceXmqVej2KuKU5mHdk8x7pUXbJjg8AZt3x+mM3EQiKpB
llEKlWxW3a4ZTNQb3GSrYUnIsdjb+hjUy92HYmq6VVYmphfET932V1Hb/vKqOzMo
064/oaQlwhHIwG5ADVWHr4hv/LIBenRl8G25AjzbfhnaRZXWvEkeAb0YRMbxgjzC
ZpImxyOTAgMBAAECggEAA2Qh/Xk4RpWVHJrO/y18x2fPAxLHSGdyd98SbnYhCHOH
s0yBw3oM+4pVsgU6e169EM+Ix6Y0c9taM9Bm8FfoysJZKsSKkuLj4QsefX+YnQc3
nr1rZH3foZV7rjFNq2uyvHz6l1abbIJtv/zntkzL/70IYkyT5UW5MG7HYvDi8/N6
Db0Ss53yRpiB56Z0ATjfXdfwVdPS/egnrJc47s/Uo94jn6SZ0oAD4aX8+UjjPFcb
vKFZU/BFGhnWbdizhN2IVJL4MK2xqhpR+8uv6nxuiGOXcwgVhULwaNTG0LscwFPh
1NOUTURQP5mx8BQ7WEV4wbl5MfLDnAthe5MF5+zeoQKBgQD42/sr94HeuhGUTOxp
xtMWBZaJU5iqoTM80Z6D7o9TCnqGXOG2FebbRJvf3n1AJySSKWo4kxDXN8YwsGi4
PE1okBrmoASYH63r8woMDCNqIXQ3lUo+hGsGF/HbwOrrlrLm7lcQh3sBOzq8TuUO
m/EY8GOv9Q2GDr/upmUqCNULJQKBgQDKiSsm1DUk3qXqcG3wCZXSCV70FcnxZ4tR
JXfoxSBZaYMFZ3UgZ4P2+MMvqKY8cSw7nbWQ4ubXAliYvho6ht0s5KvTdLObuKOT
HOpbUBSVdCDk2tjxA+vGJRW/wVHY3mOjcO3WMqiist9pHdg46yQ4KXuklSoEvUAN
wbgir4zSVwKBgQD19z9HEogLIu9TG8CjP7/MyVMjgjunklJ5L1o0XirM0dOOT+lL
NlSJrkM+PsKfENElocd6CWmgvmCmKQYn6no7+gqMneZMkSsuxXXNuIWcVVpvwZ+z
MOAzEqGbKQ9IMRe8BiCJls6txePk0Tm2ec0PcDGnbVajhJqRf2cH59jh/QKBgQDH
PpnM4QZG9yGRuHjuov9YWQ+oX6cCbTKI6atEumhQjZPvRQ/ciPkxhRe/UtH2s/8n
xsZPemhNLGmsGZgD65i6CVtf8naews1odBG5MtaNEGkrun+g2pKfouv6cFvsVRsA
NqBDECMFq6JM7qc/l1NSTLzt9DAZ6XOSFPjoZnrKkQKBgQDbv0JD4dFDhmX2Pm1v
WPDGMfSNFtQDWiiRz5T1G4+wRJnwYm3NbGbzYtTzldWbGQQ4oOtIK0iXyYl9E6iX
SmHIblE/Tjo0IBhuD4Klyom0TNIVXkbAzU/PZI8PwF241Y6N1lDj4EEct0lWEdej
xCMWRdWWhJ8wZ1gvKCR+2dRTkg==
-----END PRIVATE KEY-----
"""
VECTOR_PLAINTEXT = (
    b'{"version":"3.0","action":"data_exchange","screen":"APPOINTMENT","data":{"department":"repairs",'
    b'"date":"2026-03-03","time":"10:30"},"flow_token":"flowtoken-1234567890-example"}'
)
VECTOR_ANSWER = (
    "FusTzhF3+lTn+8KcuuidFU4+Y/9SEEqsx/wxu4UPwCf6akKiySLA8b7Sf5NPCunKPCp5EoMhPA4vakYHk3ypcitq5Pnn+EaDgITSZYA6zsB2VYtp4"
    "wCz4E1DoSTBZQD4NfC1cpCUvInF7FtUGz/PsF7eUKQ="
)


@pytest.fixture(scope="module")
def pair() -> wa.flows.KeyPair:
    return wa.flows.generate_key_pair()


def test_vector_decrypts_and_encrypts_byte_for_byte() -> None:
    endpoint = DataEndpoint(VECTOR_KEY)
    request = endpoint.decrypt(json.dumps(payload("request-flow-endpoint-encrypted.json")).encode())
    assert request.plaintext == VECTOR_PLAINTEXT
    assert request.payload == payload("request-flow-endpoint-data-exchange.json")
    assert (request.action, request.screen, request.flow_token) == ("data_exchange", "APPOINTMENT",
                                                                    "flowtoken-1234567890-example")  # fmt: skip
    assert request.data == {"department": "repairs", "date": "2026-03-03", "time": "10:30"}
    assert request.encrypt(payload("response-flow-endpoint-next-screen.json")) == VECTOR_ANSWER


def test_vector_public_key_is_the_documented_one() -> None:
    from cryptography.hazmat.primitives import serialization

    documented = payload("response-business-encryption-get.json")["data"][0]["business_public_key"]
    private = serialization.load_pem_private_key(VECTOR_KEY.encode(), password=None)
    public = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert public.decode().strip() == documented.strip()


@pytest.mark.parametrize("passphrase", [None, "s3cret"])
def test_round_trip_with_generated_keys(passphrase: str | None) -> None:
    pair = wa.flows.generate_key_pair(passphrase=passphrase)
    assert pair.private_pem.startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----" if passphrase else
                                       "-----BEGIN PRIVATE KEY-----")  # fmt: skip
    endpoint = DataEndpoint(pair.private_pem, passphrase=passphrase)
    sent = wa.flows.encrypt_request(pair.public_pem, payload("request-flow-endpoint-data-exchange.json"))
    request = endpoint.decrypt(sent.data)
    assert request.payload == payload("request-flow-endpoint-data-exchange.json")
    answer = {"screen": "CONFIRM", "data": {"summary": "Reparações, 3 março"}}
    assert sent.decrypt_response(request.encrypt(answer)) == answer


async def test_handle_answers_ping_data_exchange_and_error_notifications(pair: wa.flows.KeyPair) -> None:
    endpoint = DataEndpoint(pair.private_pem)
    seen: list[FlowRequest] = []

    async def handler(request: FlowRequest) -> dict[str, Any] | None:
        seen.append(request)
        if request.is_error_notification:
            return None
        return payload("response-flow-endpoint-next-screen.json")

    ping = wa.flows.encrypt_request(pair.public_pem, payload("request-flow-endpoint-ping.json"))
    result = await endpoint.handle(ping.data, handler)
    assert (result.status, result.content_type) == (200, "text/plain")
    assert ping.decrypt_response(result.body) == payload("response-flow-endpoint-ping.json")
    assert seen == []  # the health check never reaches the handler

    exchange = wa.flows.encrypt_request(pair.public_pem, payload("request-flow-endpoint-data-exchange.json"))
    result = await endpoint.handle(exchange.data, handler)
    assert exchange.decrypt_response(result.body) == payload("response-flow-endpoint-next-screen.json")

    report = {"version": "3.0", "flow_token": "t", "action": "data_exchange",
              "data": {"error": "INVALID_SCREEN", "error_message": "screen CONFIRM is missing"}}  # fmt: skip
    notice = wa.flows.encrypt_request(pair.public_pem, report)
    result = await endpoint.handle(notice.data, handler)
    assert notice.decrypt_response(result.body) == {"data": {"acknowledged": True}}
    assert [r.is_error_notification for r in seen] == [False, True]


async def test_handle_error_answers(pair: wa.flows.KeyPair) -> None:
    endpoint = DataEndpoint(pair.private_pem, app_secret="app-secret")
    request = wa.flows.encrypt_request(pair.public_pem, payload("request-flow-endpoint-data-exchange.json"))

    def expired(_: FlowRequest) -> dict[str, Any]:
        raise FlowTokenExpired("The order has already been placed")

    good = request.signature("app-secret")
    for signature in (None, "sha256=00", request.signature("other-secret")):
        result = await endpoint.handle(request.data, expired, signature=signature)
        assert result.status == 432  # the signature is checked before anything else
    result = await endpoint.handle(request.data, expired, signature=good)
    assert (result.status, result.content_type) == (427, "application/json")
    assert json.loads(result.body) == {"error_msg": "The order has already been placed"}

    def expired_silently(_: FlowRequest) -> dict[str, Any]:
        raise FlowTokenExpired

    assert (await endpoint.handle(request.data, expired_silently, signature=good)).body == ""

    stranger = wa.flows.generate_key_pair()
    foreign = wa.flows.encrypt_request(stranger.public_pem, {"version": "3.0", "action": "ping"})
    for body in (foreign.data, b"not json", b'{"encrypted_flow_data": "%%%"}', b"[]"):
        result = await DataEndpoint(pair.private_pem).handle(body, expired)
        assert result.status == 421  # WhatsApp then fetches the public key again and retries

    def forgot(_: FlowRequest) -> None:
        return None

    with pytest.raises(TypeError, match="data_exchange"):
        await endpoint.handle(request.data, forgot, signature=good)


def test_decrypt_failure_is_a_decryption_error(pair: wa.flows.KeyPair) -> None:
    endpoint = DataEndpoint(pair.private_pem)
    sent = wa.flows.encrypt_request(pair.public_pem, {"version": "3.0", "action": "ping"})
    tampered = dict(sent.body)
    tampered["initial_vector"] = "AAAAAAAAAAAAAAAAAAAAAA=="
    with pytest.raises(wa.flows.DecryptionError):
        endpoint.decrypt(tampered)


@pytest.mark.parametrize(
    ("key", "passphrase"),
    [("not a key", None), (VECTOR_KEY, "a passphrase for an unencrypted key")],
)
def test_bad_private_keys_are_validation_errors(key: str, passphrase: str | None) -> None:
    with pytest.raises(wa.ValidationError) as info:
        DataEndpoint(key, passphrase=passphrase)
    assert info.value.field == "private_key"


def test_a_non_rsa_key_is_refused() -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(wa.ValidationError, match="RSA"):
        DataEndpoint(pem)
    with pytest.raises(wa.ValidationError) as info:
        wa.flows.generate_key_pair(bits=1024)
    assert info.value.limit == 2048


def test_import_wa_async_does_not_need_cryptography() -> None:
    code = (
        "import sys; sys.modules['cryptography'] = None\n"
        "import wa_async as wa\n"
        "flows = wa.flows\n"
        "try:\n"
        "    flows.generate_key_pair()\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "pip install 'wa-async[flows]'" in out


async def test_aiohttp_handler_over_http(pair: wa.flows.KeyPair, http: aiohttp.ClientSession) -> None:
    def answer(request: FlowRequest) -> dict[str, Any]:
        return {"screen": "SUCCESS", "data": {"extension_message_response": {"params": {
            "flow_token": request.flow_token}}}}  # fmt: skip

    app = web.Application()
    app.router.add_post("/flows", DataEndpoint(pair.private_pem, app_secret="s").aiohttp_handler(answer))
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    endpoint_url = f"http://127.0.0.1:{runner.addresses[0][1]}/flows"
    try:
        sent = wa.flows.encrypt_request(pair.public_pem, payload("request-flow-endpoint-data-exchange.json"))
        headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sent.signature("s")}
        async with http.post(endpoint_url, data=sent.data, headers=headers) as resp:
            assert resp.status == 200 and resp.content_type == "text/plain"
            body = sent.decrypt_response(await resp.text())
        assert body["data"]["extension_message_response"]["params"]["flow_token"] == "flowtoken-1234567890-example"
        async with http.post(endpoint_url, data=sent.data, headers={"X-Hub-Signature-256": "sha256=0"}) as resp:
            assert resp.status == 432
    finally:
        await runner.cleanup()
