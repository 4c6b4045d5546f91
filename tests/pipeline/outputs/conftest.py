"""A headless chromium page driven over the DevTools protocol (a small client on websocket-client):
console messages, exceptions and every network request are recorded from the first byte."""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest


class Page:
    """One chromium tab: ``open(url)``, ``js(expression)``, ``click(x, y)``; ``console``,
    ``errors`` and ``requests`` collect what the page did."""

    def __init__(self, chromium: str):
        import websocket

        self._profile = Path(tempfile.mkdtemp(prefix="corridors-chromium-"))
        self._proc = subprocess.Popen(
            [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
             "--disable-extensions", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--metrics-recording-only", "--host-resolver-rules=MAP * ~NOTFOUND",
             "--remote-debugging-port=0", f"--user-data-dir={self._profile}", "--window-size=1400,1000",
             "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = self._profile / "DevToolsActivePort"
        deadline = time.time() + 60
        while not port_file.exists() or not port_file.read_text().strip():
            if time.time() > deadline or self._proc.poll() is not None:
                self.close()
                raise RuntimeError(f"chromium did not start ({chromium})")
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        tabs = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10).read())
        url = next(t["webSocketDebuggerUrl"] for t in tabs if t.get("type") == "page")
        self._ws = websocket.create_connection(url, timeout=60, suppress_origin=True)
        self._ids = itertools.count(1)
        self.console: list[tuple[str, str]] = []
        self.errors: list[str] = []
        self.requests: list[str] = []
        self._events: list[dict] = []
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable")

    def _record(self, msg: dict) -> None:
        method, params = msg.get("method"), msg.get("params", {})
        if method == "Runtime.consoleAPICalled":
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
            self.console.append((params.get("type", ""), text))
        elif method == "Runtime.exceptionThrown":
            d = params.get("exceptionDetails", {})
            self.errors.append(d.get("exception", {}).get("description") or d.get("text", "exception"))
        elif method == "Log.entryAdded":
            entry = params.get("entry", {})
            self.console.append((entry.get("level", ""), entry.get("text", "")))
        elif method == "Network.requestWillBeSent":
            self.requests.append(params.get("request", {}).get("url", ""))
        self._events.append(msg)

    def send(self, method: str, **params) -> dict:
        mid = next(self._ids)
        self._ws.send(json.dumps({"id": mid, "method": method, "params": params}))
        while True:
            msg = json.loads(self._ws.recv())
            if msg.get("id") == mid:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self._record(msg)

    def wait_for(self, method: str, timeout: float = 60) -> dict:
        for msg in self._events:
            if msg.get("method") == method:
                return msg
        deadline = time.time() + timeout
        while time.time() < deadline:
            msg = json.loads(self._ws.recv())
            self._record(msg)
            if msg.get("method") == method:
                return msg
        raise TimeoutError(method)

    def open(self, url: str) -> None:
        self._events.clear()
        self.send("Page.navigate", url=url)
        self.wait_for("Page.loadEventFired")

    def js(self, expression: str):
        res = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in res:
            raise RuntimeError(f"{expression}: {res['exceptionDetails']}")
        return res["result"].get("value")

    def click(self, x: float, y: float) -> None:
        """A real mouse click at page coordinates (CSS pixels of the viewport)."""
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            extra = {"button": "left", "clickCount": 1} if kind != "mouseMoved" else {}
            self.send("Input.dispatchMouseEvent", type=kind, x=x, y=y, **extra)

    def close(self) -> None:
        try:
            self._ws.close()
        except Exception:  # noqa: BLE001 - the browser may be gone already
            pass
        if self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
        shutil.rmtree(self._profile, ignore_errors=True)


@pytest.fixture(scope="module")
def browser(chromium):
    """A fresh headless chromium tab (:class:`Page`); skipped without chromium or websocket-client."""
    pytest.importorskip("websocket", reason="websocket-client (in the test extra) drives chromium")
    page = Page(chromium)
    yield page
    page.close()
