"""One real WordPress for the module; each test resets the plugin's state."""

from __future__ import annotations

import pytest

from tests.wordpress.site import Site, missing


@pytest.fixture(scope="session")
def wordpress(tmp_path_factory):
    gone = missing()
    if gone:
        pytest.fail(f"WordPress tests need {', '.join(gone)}: run `make system-deps`")
    site = Site(tmp_path_factory.mktemp("wordpress")).start()
    yield site
    site.stop()
