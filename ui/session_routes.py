"""The HTTP routes beside the Streamlit app: the sign-in cookie (leadcore.accounts.sessions) and the grid's CSV.

A Streamlit script talks to the browser over a websocket and cannot set cookies, so the page posts the one-time
handoff code here and gets the session token back as an HttpOnly, SameSite=Strict cookie that no script can read.

Nor can a Streamlit download stream: ``st.download_button`` holds the whole file in the server's memory. The grid's
"Download CSV" links to ``/_export/leads.csv?<the grid's filter>`` instead, which streams the file in chunks as the
database hands the rows over, signed in by the same cookie.
"""

from __future__ import annotations

from datetime import date

from starlette.concurrency import iterate_in_threadpool, run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from leadcore.accounts import sessions
from leadcore.errors import AuthError
from leadcore.grid import export
from leadcore.grid.filters import LeadFilters
from ui.resources import uow


async def start(request: Request) -> Response:
    """Trade a handoff code for the cookie (once per code, within two minutes of the login)."""
    try:
        body = await request.json()
        code = str(body.get("code") or "") if isinstance(body, dict) else ""
        cookie = await run_in_threadpool(sessions.exchange, uow(), code)
    except (ValueError, AuthError) as e:
        return JSONResponse({"error": str(e) or "bad request"}, status_code=401)
    response = Response(status_code=204)
    response.set_cookie(sessions.COOKIE, cookie.token, max_age=cookie.max_age_s, path="/", httponly=True,
                        samesite="strict", secure=request.url.scheme == "https")
    return response


async def end(request: Request) -> Response:
    """End the cookie's session (if it is still live) and drop the cookie."""
    token = request.cookies.get(sessions.COOKIE, "")
    found = await run_in_threadpool(sessions.resume, uow(), token)
    if found is not None:
        await run_in_threadpool(sessions.end, uow(), found[0])
    response = Response(status_code=204)
    response.delete_cookie(sessions.COOKIE, path="/", httponly=True, samesite="strict")
    return response


async def export_leads(request: Request) -> Response:
    """The signed-in user's leads matching the grid filter in the query string, as a streamed CSV file."""
    found = await run_in_threadpool(sessions.resume, uow(), request.cookies.get(sessions.COOKIE, ""))
    if found is None:
        return JSONResponse({"error": "Sign in to download leads"}, status_code=401)
    actor = found[1].actor()
    filters = LeadFilters.from_params(dict(request.query_params))
    chunks = export.export_csv(uow(), actor, filters)
    name = f"leads-{date.today().isoformat()}.csv"
    return StreamingResponse(iterate_in_threadpool(chunks), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="{name}"',
                                      "Cache-Control": "no-store"})


EXPORT_PATH = "_export/leads.csv"
ROUTES = [Route("/_session/start", start, methods=["POST"]), Route("/_session/end", end, methods=["POST"]),
          Route("/" + EXPORT_PATH, export_leads, methods=["GET"])]
