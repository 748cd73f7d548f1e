"""The analyst's guide (bpmn/README.md) shows the pages it describes: every image it links is committed under
bpmn/screenshots/ (made by `python -m tests.browser.guide_images`), a 1280-wide PNG kept small for git."""
from __future__ import annotations

import re
import struct

from tests.support.translations import ROOT

GUIDE = ROOT / "bpmn" / "README.md"
IMAGE = re.compile(r"!\[[^\]]*\]\(([^)]+)\)")


def test_every_image_the_guide_links_is_committed_small_and_1280_wide() -> None:
    links = IMAGE.findall(GUIDE.read_text("utf-8"))
    assert len(links) >= 6, links  # the workspace, a procedure, the modeler, the form editor, checks, diff, migration
    total = 0
    for link in links:
        assert link.startswith("screenshots/") and link.endswith(".png"), link
        path = GUIDE.parent / link
        assert path.is_file(), f"{link} is linked by bpmn/README.md but missing: python -m tests.browser.guide_images"
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n", link
        width, _height = struct.unpack(">II", data[16:24])
        assert width == 1280, (link, width)
        total += len(data)
    assert total < 600 * 1024, f"the guide's images weigh {total // 1024} KB"
    unused = {p.name for p in (GUIDE.parent / "screenshots").glob("*.png")} - {link.split("/")[-1] for link in links}
    assert not unused, f"images no page of the guide shows: {sorted(unused)}"
