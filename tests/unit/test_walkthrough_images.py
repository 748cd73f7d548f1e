"""The walkthroughs (docs/walkthroughs/*.md) show their browser path: every image a walkthrough links is committed
under docs/walkthroughs/img/ (made by `python -m tests.browser.walkthrough_images`, run by `make screenshots`), a
1366-wide PNG kept small for git, and every image there is linked by a walkthrough, so that docs and images cannot
drift apart."""
from __future__ import annotations

import re
import struct

from tests.support.translations import ROOT

FOLDER = ROOT / "docs" / "walkthroughs"
IMAGES = FOLDER / "img"
IMAGE = re.compile(r"!\[[^\]]*\]\(([^)]+)\)")


def links() -> dict[str, list[str]]:
    return {page.stem: IMAGE.findall(page.read_text("utf-8")) for page in sorted(FOLDER.glob("*.md"))}


def test_every_image_a_walkthrough_links_is_committed_small_and_1366_wide() -> None:
    total = 0
    for walkthrough, linked in links().items():
        for link in linked:
            assert re.fullmatch(rf"img/{walkthrough}-\d\d-[a-z0-9-]+\.png", link), (walkthrough, link)
            path = FOLDER / link
            assert path.is_file(), (f"{link} is linked by {walkthrough}.md but missing: "
                                    "python -m tests.browser.walkthrough_images")
            data = path.read_bytes()
            assert data[:8] == b"\x89PNG\r\n\x1a\n", link
            width, _height = struct.unpack(">II", data[16:24])
            assert width == 1366, (link, width)
            assert len(data) < 150 * 1024, f"{link} weighs {len(data) // 1024} KB"
            total += len(data)
    assert total < 6 * 1024 * 1024, f"the walkthroughs' images weigh {total // 1024} KB"


def test_every_image_in_the_folder_is_linked_before_the_api_path() -> None:
    linked = {link.removeprefix("img/") for images in links().values() for link in images}
    unused = {p.name for p in IMAGES.glob("*")} - linked
    assert not unused, f"images no walkthrough shows: {sorted(unused)}"
    for walkthrough in links():
        text = (FOLDER / f"{walkthrough}.md").read_text("utf-8")
        api = text.find("\n## Through the API")
        assert all(m.start() < api for m in IMAGE.finditer(text)), f"{walkthrough}.md: an image after the API path"
