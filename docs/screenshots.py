"""Build the docs site and take headless Chromium screenshots of its pages, to look at them as a reader would.

    python docs/screenshots.py [--out DIR] [--width 1280] [PAGE ...]

PAGE is a path in the site (``index.html``, ``reference/client/index.html``); the default is the home page, a
guide page and the API reference. Needs Debian's ``chromium`` (``apt-get install -y chromium``) and the dev extra
(mkdocs). The PNGs land in ``--out`` (default ``site-screenshots/``); the script prints their paths. It is not
part of the test suite (Chromium is heavy); ``tests/test_docs.py`` checks the built HTML itself.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = [
    "index.html",
    "getting-started/index.html",
    "limits/index.html",
    "reference/client/index.html",
    "reference/messages/index.html",
    "reference/errors/index.html",
    "reference/requests/index.html",
    "reference/resources/index.html",
    "reference/webhooks/index.html",
    "reference/emulator/index.html",
]
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--hide-scrollbars",
]  # fmt: skip


def build(site: Path) -> None:
    env = os.environ | {"NO_MKDOCS_2_WARNING": "1"}
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(site)],
                   cwd=ROOT, env=env, check=True)  # fmt: skip


def screenshot(chromium: str, page: Path, png: Path, width: int, height: int) -> None:
    subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--window-size={width},{height}", f"--screenshot={png}", page.as_uri()],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pages", nargs="*", default=PAGES, metavar="PAGE")
    parser.add_argument("--out", type=Path, default=ROOT / "site-screenshots")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=2400)
    args = parser.parse_args(argv)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("screenshots: no chromium on PATH: apt-get install -y chromium", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        build(site)
        for page in args.pages:
            png = args.out / (page.removesuffix("index.html").strip("/").replace("/", "-") or "home")
            png = png.with_suffix(".png")
            screenshot(chromium, site / page, png, args.width, args.height)
            print(png)
    return 0


if __name__ == "__main__":
    sys.exit(main())
