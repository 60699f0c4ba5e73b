"""The two ways in: a browser session (with CSRF on writes) and a bearer token for a system."""

from ninja.security import HttpBearer, SessionAuth

from cchc.api.permissions import token_scope
from cchc.api.services import token_authenticate, token_use_record


class TokenAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request, token: str):
        found = token_authenticate(token)
        if found is None:
            return None
        user = found.integration.user
        user._cchc_scope = token_scope(found)  # what scope_for(user) answers for this request
        request.user = user
        request.api_token = found
        token_use_record(token=found, method=request.method, path=request.path)
        return user


class BrowserSession(SessionAuth):
    """Django's session; ninja checks the CSRF token on unsafe methods."""

    def authenticate(self, request, key):
        user = request.user
        if user.is_authenticated and user.is_active:
            return user
        return None


AUTH = [TokenAuth(), BrowserSession()]
