"""The service's packages re-export a deliberate public surface: each ``__all__`` is sorted
and every name in it is there (the storage surface only loads SQLAlchemy when its adapter
is asked for)."""

from __future__ import annotations

import importlib

import pytest

SURFACES = {
    "api.service": {"Authenticator", "CallState", "FrontDoor", "OpenCall", "PathwayLibrary",
                    "Role", "User"},
    "api.storage": {"Repository", "SqlRepository", "StoredCall", "migrate"},
    "api.routes": {"ROUTERS", "add_api"},
    "api.web": {"mount_screen"},
}


def isort_order(name: str) -> tuple[int, str]:
    """Constants, then classes, then functions, each alphabetically (ruff's RUF022)."""
    return (0 if name.isupper() else 1 if name[:1].isupper() else 2, name)


@pytest.mark.parametrize("name", sorted(SURFACES))
def test_a_package_surface_is_sorted_complete_and_resolves(name: str) -> None:
    package = importlib.import_module(name)
    exported = list(package.__all__)
    assert exported == sorted(exported, key=isort_order)
    assert SURFACES[name] <= set(exported)
    for member in exported:
        assert getattr(package, member) is not None, f"{name}.{member}"
