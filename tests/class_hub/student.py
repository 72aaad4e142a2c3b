"""A student's browser, reduced to its HTTP requests: log in, follow an nbgitpuller link, run a notebook.

Each step does what the page's own JavaScript would do (nbgitpuller's status page opens an
event stream and then goes to ``urlpath``; JupyterLab runs cells over the kernel websocket),
so the hub, the proxy, the single-user server and nbgitpuller are the real ones.
"""

import html
import json
import re
import time
import uuid
from urllib.parse import unquote, urljoin, urlsplit

import requests
import websocket


class Student:
    def __init__(self, hub_url, name, password):
        self.hub_url, self.name, self.password = hub_url.rstrip("/"), name, password
        self.browser = requests.Session()
        self.base = "%s/user/%s/" % (self.hub_url, name)

    # ---------------------------------------------------------------- pages

    def open(self, url):
        """GET ``url`` as a browser would: log in when asked to, launch a stopped server when asked to."""
        page = self.browser.get(url, timeout=180)
        if urlsplit(page.url).path.endswith("/hub/login"):
            form = {"username": self.name, "password": self.password, "_xsrf": _form_value(page.text, "_xsrf")}
            page = self.browser.post(page.url, data=form, timeout=180)
        if page.status_code == 424:  # "Server not running": the student presses Launch
            launch = re.search(r'<a[^>]*id="start"[^>]*href="([^"]+)"', page.text)
            assert launch, "the hub's 'server not running' page has no launch link:\n" + page.text[:2000]
            page = self.browser.get(urljoin(page.url, html.unescape(launch[1])), timeout=180)
        # The hub's "your server is starting" page: its script waits for the server, then goes
        # on to the link's target; the page itself redirects there once the server is ready.
        deadline = time.monotonic() + 180
        while "/hub/spawn-pending/" in urlsplit(page.url).path and time.monotonic() < deadline:
            time.sleep(1)
            page = self.browser.get(page.url, timeout=180)
        page.raise_for_status()
        return page

    def follow_pull_link(self, link):
        """Follow an nbgitpuller link to its end: {"events": [...], "landing": url path, "opened": path}.

        "opened" is the file path that ``urlpath`` points JupyterLab at (lab/tree/PATH), or None.
        """
        page = self.open(link)
        body = re.search(r"<body([^>]*)>", page.text)
        assert body and "data-repo" in body[1], "not nbgitpuller's status page: %s\n%s" % (page.url, page.text[:2000])
        data = {key: unquote(html.unescape(value)) for key, value in re.findall(r'data-([\w-]+)="([^"]*)"', body[1])}
        query = {"_xsrf": data["xsrf"], "repo": data["repo"], "targetpath": data["targetpath"]}
        for key in ("depth", "branch", "backup"):
            if key in data:
                query[key] = data[key]
        events = []
        with self.browser.get(urljoin(self.hub_url, data["base-url"] + "git-pull/api"), params=query,
                              stream=True, timeout=180) as stream:
            stream.raise_for_status()
            for line in stream.iter_lines(decode_unicode=True):
                if line.startswith("data: "):
                    events.append(json.loads(line[len("data: "):]))
                    if events[-1].get("phase") in ("finished", "error"):
                        break
        landing = data["base-url"] + data["path"]
        self.open(urljoin(self.hub_url, landing))
        prefix = data["base-url"] + "lab/tree/"
        opened = landing[len(prefix):] if landing.startswith(prefix) else None
        return {"events": events, "landing": landing, "opened": opened}

    # ---------------------------------------------------------------- REST

    def api(self, method, path, **kwargs):
        """A call to the student's own server's REST API, with the browser's cookies and XSRF header."""
        headers = {"X-XSRFToken": self._cookies()["_xsrf"]}
        response = self.browser.request(method, self.base + "api/" + path, headers=headers, timeout=180, **kwargs)
        return response

    def _cookies(self):
        """The cookies a browser sends to the student's server: those whose path covers /user/NAME/."""
        path = urlsplit(self.base).path
        return {c.name: c.value for c in self.browser.cookies if path.startswith(c.path)}

    def exists(self, path):
        return self.api("GET", "contents/" + path, params={"content": "0"}).status_code == 200

    def read_notebook(self, path):
        response = self.api("GET", "contents/" + path)
        response.raise_for_status()
        return response.json()["content"]

    def save_notebook(self, path, notebook):
        response = self.api("PUT", "contents/" + path, json={"type": "notebook", "format": "json", "content": notebook})
        response.raise_for_status()

    # ---------------------------------------------------------------- kernel

    def run_notebook(self, path, cell_timeout=300):
        """Start a kernel for ``path`` and run its code cells in order, as Run All does.

        Returns (notebook with the outputs as JupyterLab would save them, errors, kernel id).
        """
        notebook = self.read_notebook(path)
        session = self.api("POST", "sessions", json={"path": path, "type": "notebook", "name": path,
                                                      "kernel": {"name": "python3"}})
        session.raise_for_status()
        kernel_id = session.json()["kernel"]["id"]
        url = "ws" + self.base[len("http"):] + "api/kernels/%s/channels?session_id=%s" % (kernel_id, uuid.uuid4().hex)
        cookie = "; ".join("%s=%s" % item for item in self._cookies().items())
        socket = websocket.create_connection(url, header=["Cookie: " + cookie], origin=self.hub_url,
                                             timeout=cell_timeout)
        errors = []
        try:
            for index, cell in enumerate(notebook["cells"]):
                if cell["cell_type"] != "code":
                    continue
                count, outputs, reply = _execute(socket, cell["source"], cell_timeout)
                cell["execution_count"], cell["outputs"] = count, outputs
                for output in outputs:
                    if output["output_type"] == "error":
                        errors.append((index, output["ename"], output["evalue"]))
                if reply["status"] != "ok" and not any(e[0] == index for e in errors):
                    errors.append((index, reply["status"], reply.get("evalue", "")))
        finally:
            socket.close()
        return notebook, errors, kernel_id


def _form_value(page, name):
    match = re.search(r'name="%s"[^>]*value="([^"]*)"' % name, page)
    assert match, "no %s field in the form" % name
    return html.unescape(match[1])


def _decode(frame):
    """A kernel message from a websocket frame: JSON text, or binary when it carries buffers
    (the explorers' pictures): a count n, n offsets (4-byte big-endian), the JSON, the buffers."""
    if isinstance(frame, str):
        return json.loads(frame)
    count = int.from_bytes(frame[:4], "big")
    offsets = [int.from_bytes(frame[4 + 4 * i:8 + 4 * i], "big") for i in range(count)] + [len(frame)]
    return json.loads(frame[offsets[0]:offsets[1]].decode())


def _execute(socket, code, timeout):
    """Send one execute_request; collect its outputs until the kernel is idle again."""
    msg_id = uuid.uuid4().hex
    socket.send(json.dumps({
        "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": "student", "session": "class",
                   "version": "5.3", "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                    "allow_stdin": False, "stop_on_error": True},
    }))
    deadline = time.monotonic() + timeout
    count, outputs, reply, idle = None, [], None, False
    while reply is None or not idle:
        if time.monotonic() > deadline:
            raise TimeoutError("no reply within %d s to:\n%s" % (timeout, code[:300]))
        message = _decode(socket.recv())
        if message.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        kind, content = message["msg_type"], message["content"]
        if message["channel"] == "shell" and kind == "execute_reply":
            reply = content
        elif kind == "status" and content["execution_state"] == "idle":
            idle = True
        elif kind == "execute_input":
            count = content["execution_count"]
        elif kind == "stream":
            outputs.append({"output_type": "stream", "name": content["name"], "text": content["text"]})
        elif kind in ("display_data", "execute_result"):
            output = {"output_type": kind, "data": content["data"], "metadata": content["metadata"]}
            if kind == "execute_result":
                output["execution_count"] = content["execution_count"]
            outputs.append(output)
        elif kind == "clear_output":
            outputs.clear()
        elif kind == "error":
            outputs.append({"output_type": "error", "ename": content["ename"], "evalue": content["evalue"],
                            "traceback": content["traceback"]})
    return count, outputs, reply
