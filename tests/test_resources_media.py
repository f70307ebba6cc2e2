"""client.media: Meta's example answers over aioresponses, then upload/get/download/delete against the emulator."""

from __future__ import annotations

import base64
import gc
import hashlib
import io
import re
import tracemalloc
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import msgspec
import pytest
from aioresponses import aioresponses

import wa_async as wa
from tests._data import payload
from tests.conftest import FakeClock
from tests.emulator_process import emulator_process as start_emulator
from wa_async.resources import ChecksumMismatch, MediaInfo

PNID = "106540352242922"
BASE = "https://gw.test/whatsapp-business"
API = f"{BASE}/v25.0"
ROOT = Path(__file__).resolve().parents[1]
MB = 1024 * 1024


@pytest.fixture
async def client() -> AsyncIterator[wa.Client]:
    async with wa.Client.maton(PNID, api_key="k", base_url=BASE, rate_limit=None) as c:
        yield c


def names(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def calls(mock: aioresponses, method: str, pattern: str) -> list[object]:
    return [c for (m, url), cs in mock.requests.items() for c in cs if m == method and re.search(pattern, str(url))]


# --- over aioresponses: Meta's documented answers ------------------------------------------------------------


async def test_upload_bytes_sends_the_three_form_fields_and_returns_the_id(client: wa.Client) -> None:
    with aioresponses() as mock:
        mock.post(f"{API}/{PNID}/media", payload=payload("media-upload-response.json"))
        media_id = await client.media.upload(b"%PDF-1.4 hello", "application/pdf", filename="a.pdf")
        assert media_id == "1037543291543636"
        (call,) = calls(mock, "POST", "/media$")
        form = call.kwargs["data"]  # type: ignore[attr-defined]
        body = form()  # the multipart payload aiohttp would send
        assert body.size is not None
        parts = {p.headers["Content-Disposition"]: p for p, *_ in body._parts}
        assert any('name="messaging_product"' in d for d in parts)
        assert any('name="type"' in d for d in parts)
        file_part = next(p for d, p in parts.items() if 'name="file"' in d and 'filename="a.pdf"' in d)
        assert file_part.headers["Content-Type"] == "application/pdf"


async def test_get_decodes_the_documented_answer_with_a_string_size(client: wa.Client) -> None:
    with aioresponses() as mock:
        mock.get(f"{API}/2621233374848975", payload=payload("media-url-retrieve-response.json"))
        info = await client.media.get("2621233374848975")
    assert info == MediaInfo(id="2621233374848975", url="<URL>", mime_type="image/jpeg", sha256="<HASH>",
                             file_size=303833)  # fmt: skip


async def test_delete_decodes_success(client: wa.Client) -> None:
    with aioresponses() as mock:
        mock.delete(f"{API}/42", payload=payload("media-delete-response.json"))
        assert await client.media.delete("42") is True


@pytest.mark.parametrize("form", ["hex", "HEX", "base64", "base64url"])
async def test_download_accepts_hex_and_base64_digests(client: wa.Client, form: str) -> None:
    data = b"\xfb\xff" * 1000  # its base64 digest has both + and / or - and _ forms
    raw = hashlib.sha256(data).digest()
    digest = {"hex": raw.hex(), "HEX": raw.hex().upper(), "base64": base64.b64encode(raw).decode(),
              "base64url": base64.urlsafe_b64encode(raw).decode().rstrip("=")}[form]  # fmt: skip
    info = MediaInfo(id="7", url="https://media.test/x?hash=1", mime_type="image/png", sha256=digest)
    with aioresponses() as mock:
        mock.get(info.url, body=data)
        assert await client.media.download(info) == data
        (call,) = calls(mock, "GET", "media.test")
        assert call.kwargs["headers"]["Authorization"] == "Bearer k"  # type: ignore[attr-defined]


async def test_download_mismatch_raises_and_leaves_no_file(client: wa.Client, tmp_path: Path) -> None:
    info = MediaInfo(id="7", url="https://media.test/x", mime_type="image/png", sha256="ab" * 32)
    with aioresponses() as mock:
        mock.get(info.url, body=b"not what was hashed", repeat=True)
        with pytest.raises(ChecksumMismatch, match="sha256 mismatch") as caught:
            await client.media.download(info)
        assert caught.value.expected == "ab" * 32 and isinstance(caught.value, wa.MediaError)
        with pytest.raises(ChecksumMismatch):
            await client.media.download(info, tmp_path / "out.png")
    assert names(tmp_path) == []


async def test_download_refetches_an_expired_url_once(client: wa.Client, tmp_path: Path) -> None:
    data = b"fresh bytes"
    fresh = {"id": "9", "url": "https://media.test/new", "mime_type": "text/plain",
             "sha256": hashlib.sha256(data).hexdigest(), "file_size": str(len(data))}  # fmt: skip
    old = MediaInfo(id="9", url="https://media.test/old", mime_type="text/plain", sha256=fresh["sha256"])
    with aioresponses() as mock:
        mock.get(old.url, status=404, body=b"Not Found", repeat=True)
        mock.get(f"{API}/9", payload=fresh, repeat=True)
        mock.get(fresh["url"], body=data, repeat=True)
        assert await client.media.download(old) == data
        out = await client.media.download(old, tmp_path / "f.txt")
        assert out.read_bytes() == data and names(tmp_path) == ["f.txt"]
        assert len(calls(mock, "GET", "/v25.0/9$")) == 2  # one new URL per download


async def test_download_gives_up_after_one_refetch(client: wa.Client) -> None:
    expired = {"id": "9", "url": "https://media.test/gone", "mime_type": "text/plain", "sha256": ""}
    with aioresponses() as mock:
        mock.get(f"{API}/9", payload=expired, repeat=True)
        mock.get(expired["url"], status=404, body=b"Not Found", repeat=True)
        with pytest.raises(wa.NotFound):
            await client.media.download("9")
        assert len(calls(mock, "GET", "/v25.0/9$")) == 2 and len(calls(mock, "GET", "gone")) == 2


def webp(animated: bool, size: int) -> bytes:
    flags = 0x02 if animated else 0x00
    head = b"RIFF" + (size - 8).to_bytes(4, "little") + b"WEBPVP8X" + (10).to_bytes(4, "little") + bytes([flags])
    return head + b"\0" * (size - len(head))


@pytest.mark.parametrize(
    ("make", "mime", "match"),
    [
        (lambda: b"GIF89a", "image/gif", "not a media type"),
        (lambda: bytes(5 * MB + 1), "image/png", r"image \(image/png\) is 5 MB"),
        (lambda: bytes(16 * MB + 1), "video/mp4", "16 MB"),
        (lambda: bytes(16 * MB + 1), "audio/ogg", "16 MB"),
        (lambda: webp(False, 100 * 1024 + 1), "image/webp", r"static sticker .* 100 KB"),
        (lambda: webp(True, 500 * 1024 + 1), "image/webp", r"animated sticker .* 500 KB"),
        (lambda: b"", "text/plain", "empty"),
    ],
    ids=["gif", "image", "video", "audio", "static-sticker", "animated-sticker", "empty"],
)
async def test_refused_before_any_request(client: wa.Client, make: Callable[[], bytes], mime: str, match: str) -> None:
    with aioresponses() as mock:
        with pytest.raises(wa.ValidationError, match=match):
            await client.media.upload(make(), mime)
        assert mock.requests == {}


async def test_animated_sticker_may_exceed_the_static_limit(client: wa.Client) -> None:
    with aioresponses() as mock:
        mock.post(f"{API}/{PNID}/media", payload={"id": "1"})
        assert await client.media.upload(webp(True, 300 * 1024), "image/webp") == "1"


async def test_a_big_file_is_refused_from_its_size_alone(client: wa.Client, tmp_path: Path) -> None:
    path = tmp_path / "big.pdf"
    with path.open("wb") as f:
        f.truncate(100 * MB + 1)  # sparse: nothing is read to learn the size
    with aioresponses() as mock, pytest.raises(wa.ValidationError, match=r"document .* 100 MB") as caught:
        await client.media.upload(path, "application/pdf")
    assert caught.value.limit == 100 * MB and mock.requests == {}
    with pytest.raises(wa.ValidationError, match="no such file"):
        await client.media.upload(tmp_path / "missing.pdf", "application/pdf")


# --- against the emulator ----------------------------------------------------------------------------------




@pytest.fixture
async def emu(clock: FakeClock) -> AsyncIterator[wa.Emulator]:
    async with wa.Emulator(rate_limit=None, clock=clock) as emulator:
        yield emulator


@pytest.fixture
async def live(emu: wa.Emulator) -> AsyncIterator[wa.Client]:
    async with wa.Client.maton(emu.phone_number_id, api_key="k", base_url=emu.gateway_url, waba_id=emu.waba_id,
                               rate_limit=None) as c:  # fmt: skip
        yield c


async def test_round_trip_path_fileobj_and_bytes(live: wa.Client, tmp_path: Path) -> None:
    media = live.media
    src = tmp_path / "note.txt"
    src.write_bytes(b"hello from disk\n" * 1000)
    by_path = await media.upload(src, "text/plain")
    with src.open("rb") as f:
        f.seek(6)  # from the current position on
        by_file = await media.upload(f, "text/plain")
        assert not f.closed
    by_bytes = await media.upload(io.BytesIO(b"\x89PNG fake").read(), "image/png", filename="p.png")
    info = await media.get(by_path)
    assert info.mime_type == "text/plain" and info.file_size == 16000
    assert info.sha256 == hashlib.sha256(src.read_bytes()).hexdigest()
    assert await media.download(by_path) == src.read_bytes()
    assert await media.download(by_file) == src.read_bytes()[6:]
    assert await media.download(by_bytes) == b"\x89PNG fake"
    out = await media.download(info, tmp_path / "copy.txt")
    assert out.read_bytes() == src.read_bytes()
    assert await media.delete(by_path) is True
    with pytest.raises(wa.NotFound):
        await media.delete(by_path)


async def test_expired_url_is_refetched_once(live: wa.Client, emu: wa.Emulator, clock: FakeClock) -> None:
    media = live.media
    media_id = await media.upload(b"ok", "text/plain")
    info = await media.get(media_id)
    clock.now += 300  # the URL lives 5 minutes (FACTS §6)
    before = emu.stats.requests
    assert await media.download(info) == b"ok"
    assert emu.stats.requests - before == 3  # the expired URL, a new URL, the download
    emu.media.ttl = 0.0  # every URL is born expired: one refetch, then the error
    before = emu.stats.requests
    with pytest.raises(wa.NotFound):
        await media.download(media_id)
    assert emu.stats.requests - before == 4  # get, download, get, download


async def test_checksum_mismatch_against_the_emulator(live: wa.Client, tmp_path: Path) -> None:
    media = live.media
    info = await media.get(await media.upload(b"original", "text/plain"))
    wrong = msgspec.structs.replace(info, sha256=hashlib.sha256(b"other").hexdigest())
    with pytest.raises(ChecksumMismatch):
        await media.download(wrong)
    with pytest.raises(ChecksumMismatch):
        await media.download(wrong, tmp_path / "x.txt")
    assert names(tmp_path) == []


async def test_refused_type_never_reaches_the_emulator(live: wa.Client, emu: wa.Emulator) -> None:
    before = emu.stats.requests
    with pytest.raises(wa.ValidationError, match="image/gif"):
        await live.media.upload(b"GIF89a", "image/gif")
    with pytest.raises(wa.ValidationError, match="5 MB"):
        await live.media.upload(b"\0" * (5 * MB + 1), "image/jpeg")
    assert emu.stats.requests == before


# --- 50 MB through an out-of-process emulator, with the client's memory traced -----------------------------


@pytest.fixture
def emulator_process() -> Iterator[dict[str, str]]:
    with start_emulator("--rate", "0") as info:
        yield info


async def test_50_mb_upload_and_download_stay_small_in_memory(emulator_process: dict[str, str], tmp_path: Path) -> None:
    src = tmp_path / "big.pdf"
    with src.open("wb") as f:
        f.truncate(50 * MB)  # sparse: no disk, and the client must not read it whole either
    info = emulator_process
    async with wa.Client.maton(info["phone_number_id"], api_key="k", base_url=info["gateway_url"],
                               rate_limit=None, timeout=120) as client:  # fmt: skip
        media = client.media
        await media.upload(b"warm up", "text/plain")  # connections, imports and caches before measuring
        gc.collect()
        tracemalloc.start()
        try:
            media_id = await media.upload(src, "application/pdf")
            _, upload_peak = tracemalloc.get_traced_memory()
            tracemalloc.reset_peak()
            out = await media.download(media_id, tmp_path / "back.pdf")
            _, download_peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert upload_peak < 10 * MB, f"upload peak {upload_peak / MB:.1f} MB"
    assert download_peak < 10 * MB, f"download peak {download_peak / MB:.1f} MB"
    assert out.stat().st_size == 50 * MB
