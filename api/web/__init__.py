"""The call handler's screen: server-rendered GOV.UK Design System pages over the service.

Plain HTML forms, each POST answered with a redirect (Post/Redirect/Get), so a reload or
a closed tab never repeats or loses an answer: every change is committed by
the service layer (:mod:`api.service`) before the redirect. Each form carries the call's
``version``; a form made from an older version is refused and the handler is shown the
call as it is now. Forms also carry a CSRF token derived from the session (and the
``Origin`` header must be this site's), on top of the SameSite=Lax session cookie.

Pages (all but sign-in and ``/assets`` need a signed-in user; call pages need a handler):

- ``/sign-in``, ``/sign-out``
- ``/`` start a call, the handler's calls in progress (or go to one by its reference)
- ``/calls/{id}`` the current question, or the person search at the person check
- ``/calls/{id}/change?step=...`` an earlier question, to correct its answer
- ``/calls/{id}/check`` check your answers, with a change link for each
- ``/calls/{id}/outcome`` what to tell the caller, send the link, finish or override
- ``/calls/{id}/take-over`` (POST) take over another handler's call; every call page of a
  call that is not yours shows whose it is, with this form, instead of the call

CSS, JavaScript and fonts come from the npm package ``govuk-frontend`` (``npm ci``),
served at ``/assets``.

The modules, by concern:

- :mod:`~api.web.pages`: the addresses and what each does (``mount_screen``)
- :mod:`~api.web.routing`: adding pages, each given the signed-in handler, the checked
  form and the call it needs
- :mod:`~api.web.screen`: rendering, who may see a page, the page for each refusal, and
  the question, check and outcome pages
- :mod:`~api.web.forms`: reading and checking forms (CSRF and origin, answers, dates, the
  person search)
- :mod:`~api.web.presenter`: the codes in a saved call as words
- :mod:`~api.web.texts`: labels, and times, dates and messages as sentences
- :mod:`~api.web.notices`: one-off notices for the next page
- :mod:`~api.web.assets`: the GOV.UK Frontend files at ``/assets``
"""

from __future__ import annotations

from api.web.pages import mount_screen

__all__ = ["mount_screen"]
