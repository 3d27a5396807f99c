"""The two HTTP routes beside the Streamlit app that manage the sign-in cookie (leadcore.accounts.sessions).

A Streamlit script talks to the browser over a websocket and cannot set cookies, so the page posts the one-time
handoff code here and gets the session token back as an HttpOnly, SameSite=Strict cookie that no script can read.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from leadcore.accounts import sessions
from leadcore.errors import AuthError
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


ROUTES = [Route("/_session/start", start, methods=["POST"]), Route("/_session/end", end, methods=["POST"])]
