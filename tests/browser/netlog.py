"""What a page asked the network for, read from Chromium's performance log
(the DevTools Network events chromedriver records under goog:loggingPrefs).

One reader for both the browser tests (which requests failed, which host they
went to) and the benchmark (how many bytes of each type the page weighs)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urlsplit

NETWORK_SCHEMES = ("http", "https", "ws", "wss")


@dataclass
class Request:
    """One network request of the page, as the browser saw it."""
    url: str
    # DevTools resource type: Document, Stylesheet, Script, Font, Image, ...
    type: str = "Other"
    status: int | None = None    # HTTP status, None if no response came
    encoded_bytes: int = 0       # bytes received (body as sent, plus headers)
    error: str | None = None     # why loading failed (net::ERR_...), None if it did not

    @property
    def host(self) -> str | None:
        return urlsplit(self.url).hostname

    @property
    def failed(self) -> bool:
        return self.error is not None or self.status is None or self.status >= 400


def read(performance_log: list[dict]) -> list[Request]:
    """The network requests in `driver.get_log("performance")` entries, in order.
    data: and blob: URLs are not network requests and are left out."""
    requests: dict[str, Request] = {}
    for entry in performance_log:
        message = json.loads(entry["message"])["message"]
        method, params = message["method"], message.get("params", {})
        key = params.get("requestId")
        if method == "Network.requestWillBeSent":
            url = params["request"]["url"]
            if urlsplit(url).scheme in NETWORK_SCHEMES:
                # A redirect reuses the request id: the last hop is the one that loads.
                requests[key] = Request(url=url, type=params.get("type", "Other"))
        elif key not in requests:
            continue
        elif method == "Network.responseReceived":
            requests[key].status = params["response"]["status"]
            requests[key].type = params.get("type", requests[key].type)
        elif method == "Network.loadingFinished":
            requests[key].encoded_bytes = int(params.get("encodedDataLength", 0))
        elif method == "Network.loadingFailed":
            requests[key].error = params.get("errorText") or "failed"
    return list(requests.values())


def bytes_by_type(requests: list[Request]) -> dict[str, int]:
    """Encoded bytes per DevTools resource type."""
    totals: dict[str, int] = {}
    for request in requests:
        totals[request.type] = totals.get(request.type, 0) + request.encoded_bytes
    return totals
