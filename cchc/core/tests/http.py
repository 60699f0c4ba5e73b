"""A person's browser over real HTTP, for tests and benchmarks against a live server: cookies,
the CSRF token of a form, a login, multipart posts. Standard library only."""

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid


def _session_cookie(value: str, domain: str) -> http.cookiejar.Cookie:
    return http.cookiejar.Cookie(
        0, "sessionid", value, None, False, domain, False, False, "/", True, False, None, True, None, None, {}
    )


class Browser:
    """A person's session over real HTTP: cookies, the CSRF token of a form, multipart posts.
    Given a session cookie (from a test client's login) or none (then call ``login``)."""

    def __init__(self, base: str, session_cookie: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.session_cookie = session_cookie

    def _request(self, path: str, data: bytes | None = None, headers: dict | None = None):
        request = urllib.request.Request(self.base + path, data=data, headers=headers or {})
        if self.session_cookie and not any(c.name == "sessionid" for c in self.jar):
            self.jar.set_cookie(
                _session_cookie(self.session_cookie, http.cookiejar.eff_request_host(request)[1])
            )
        request.add_header("Referer", self.base + path)
        with self.opener.open(request, timeout=30) as response:
            return response.status, response.read().decode()

    def get(self, path: str):
        return self._request(path)

    def post_file(self, path: str, fields: dict, name: str, data: bytes, form_page: str | None = None):
        """POST a file as the form on ``form_page`` (default: ``path`` itself) would."""
        _, page = self.get(form_page or path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{token}\r\n'.encode()
        ]
        for key, value in fields.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
            )
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n".encode()
            + data
            + f"\r\n--{boundary}--\r\n".encode()
        )
        return self._request(
            path, b"".join(parts), {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        )

    def login(self, username: str, password: str, path: str = "/dang-nhap/") -> None:
        _, page = self.get(path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token, "username": username, "password": password}
        ).encode()
        self._request(path, body, {"Content-Type": "application/x-www-form-urlencoded"})
        session = next((c.value for c in self.jar if c.name == "sessionid"), "")
        if not session:
            raise RuntimeError(f"Đăng nhập không thành công với tài khoản {username}.")
        self.session_cookie = session
