"""The designer's pages: each pathway's versions, the problems the files on disk have, and
what changed between two versions (the routes whose outcome changed first, those that
became less safe called out). Designers see pathway definitions only, never a call or a
person.

- ``/designer`` every pathway and its versions, and the files' problems
- ``/designer/pathways/{id}`` one pathway's versions, and the form to compare two
- ``/designer/pathways/{id}/compare?old=N&new=M`` the comparison
- ``/designer/reload`` (POST) check the files on disk again
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from api.service import PathwaySummary, Role, User
from api.web.notices import Notice
from api.web.routing import Router
from api.web.screen import Screen
from triage.errors import LookupRefused


def _versions(request: Request, pathway_id: str | None = None
              ) -> dict[str, list[PathwaySummary]]:
    """Loaded versions by pathway id, newest first."""
    library = Screen.door(request).library
    found: dict[str, list[PathwaySummary]] = {}
    for summary in library.listing():
        if pathway_id is None or summary.id == pathway_id:
            found.setdefault(summary.id, []).append(summary)
    return found


def _serving(request: Request) -> dict[str, int]:
    """The version each pathway's new calls start on (its live version)."""
    catalogue = Screen.door(request).library.catalogue
    return dict(catalogue.live)


def _chosen(form: Any, name: str, versions: list[int]) -> tuple[int | None, str | None]:
    """The version chosen in field ``name``, or the sentence saying what is wrong."""
    raw = str(form.get(name) or "").strip()
    if not raw:
        return None, "Choose a version"
    if not raw.isdigit() or int(raw) not in versions:
        return None, (f"Choose one of the loaded versions: "
                      f"{', '.join(str(v) for v in versions)}")
    return int(raw), None


def add_designer_pages(router: Router) -> None:
    """The designer's pages (see the module's docstring)."""
    screen = router.screen

    @router.role_page("/designer", Role.DESIGNER)
    def pathways(request: Request, user: User) -> Response:
        library = screen.door(request).library
        return screen.render(request, "designer_pathways.html", user=user,
                             pathways=_versions(request), serving=_serving(request),
                             problems=[str(p) for p in library.problems])

    @router.role_form("/designer/reload", Role.DESIGNER)
    def reload(request: Request, user: User, form: FormData) -> Response:
        problems = screen.door(request).library.reload()
        notice = (Notice("The files have problems", f"{len(problems)} problem(s): nothing "
                         "new was taken up. They are listed below.") if problems else
                  Notice("The files were checked", "Every file validates; any new version "
                         "is loaded.", success=True))
        return screen.redirect(request, "/designer", notice)

    @router.role_page("/designer/pathways/{pathway_id}", Role.DESIGNER)
    def pathway(request: Request, user: User) -> Response:
        pathway_id = request.path_params["pathway_id"]
        versions = _versions(request, pathway_id).get(pathway_id)
        if not versions:
            return screen.refused(request, user, LookupRefused(
                f"There is no pathway '{pathway_id}'.", field="pathway"))
        return screen.render(request, "designer_pathway.html", user=user,
                             pathway_id=pathway_id, versions=versions,
                             serving=_serving(request).get(pathway_id))

    @router.role_page("/designer/pathways/{pathway_id}/compare", Role.DESIGNER)
    def compare(request: Request, user: User) -> Response:
        door = screen.door(request)
        pathway_id = request.path_params["pathway_id"]
        versions = _versions(request, pathway_id).get(pathway_id)
        if not versions:
            return screen.refused(request, user, LookupRefused(
                f"There is no pathway '{pathway_id}'.", field="pathway"))
        numbers = sorted(v.version for v in versions)
        old, old_problem = _chosen(request.query_params, "old", numbers)
        new, new_problem = _chosen(request.query_params, "new", numbers)
        errors = [(name, problem) for name, problem in (("old", old_problem),
                                                        ("new", new_problem)) if problem]
        if errors or old is None or new is None:
            return screen.render(request, "designer_pathway.html", 422, user=user,
                                 pathway_id=pathway_id, versions=versions,
                                 serving=_serving(request).get(pathway_id), errors=errors,
                                 chosen=dict(request.query_params))
        comparison = door.changes.compare(pathway_id, old, new, user=user.username)
        return screen.render(request, "designer_compare.html", user=user,
                             pathway_id=pathway_id, diff=comparison.diff,
                             less_safe=comparison.less_safe, versions=versions)
