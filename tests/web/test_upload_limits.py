"""An upload over the limit, to the served desk over a real socket: the browser gets the 413 page (issue 19:
it got "connection reset" because the server answered before reading the body and closed the connection)."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
import uuid
from http.cookiejar import CookieJar

from report_builder.web import MAX_UPLOAD
from web.served import Desk

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def test_an_upload_over_the_limit_gets_the_413_page_not_a_reset(desk: Desk) -> None:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    link = desk.links["教务处"]
    with opener.open(link, timeout=30) as response:
        found = CSRF.search(response.read().decode("utf-8"))
    assert found is not None
    boundary = uuid.uuid4().hex
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{found.group(1)}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="填报表.xlsx"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n").encode() + b"PK" + bytes(MAX_UPLOAD + 4 * 1024 * 1024) + \
        f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(f"{link}/upload", data=body, method="POST",
                                     headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    try:
        opener.open(request, timeout=60)
        raise AssertionError("an over-size upload was accepted")
    except urllib.error.HTTPError as error:  # the page, not a ConnectionResetError
        assert error.code == 413 and "文件过大" in error.read().decode("utf-8")
