"""Shared test setup: where the reference material lives, and the opt-in benchmarks."""

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--benchmarks",
        action="store_true",
        default=False,
        help="run tests/benchmarks (they print figures and take minutes)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--benchmarks"):
        return
    skip = pytest.mark.skip(reason="benchmark: run with `make bench` (pytest --benchmarks)")
    for item in items:
        if "benchmarks" in item.path.parts:
            item.add_marker(skip)
