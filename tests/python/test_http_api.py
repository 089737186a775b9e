"""Issue item 5 with the official Python SDK (pusher==3.3.4) against the built binary.

The Python SDK has two quirks the server must accept: it sends ``body_md5`` on GET requests
(MD5 of the empty body) and posts ``terminate_connections`` to ``/users/{id}/...`` without the
``/apps/{app_id}`` prefix. Run with ``tests/.venv/bin/python -m unittest discover -s tests/python``.
"""

import json
import os
import re
import shutil
import signal
import struct
import subprocess
import tempfile
import threading
import time
import unittest
from pathlib import Path

import pusher
import pusher.errors
import websocket

REPO_ROOT = Path(__file__).resolve().parents[2]
LISTEN_RE = re.compile(r"listening on http://([^:\s]+):(\d+)")
# pusher-http-python only accepts numeric app ids, so this suite runs its own app.
APP = {"app_id": "4242", "key": "py-key", "secret": "py-secret"}
CONFIG = '[[apps]]\nid = "%s"\nkey = "%s"\nsecret = "%s"\n' % (APP["app_id"], APP["key"], APP["secret"])
_counter = [0]


def uniq(prefix):
    _counter[0] += 1
    return "%s-%d-%d" % (prefix, os.getpid(), _counter[0])


def binary_path():
    """$SWITCHBOARD_BIN, else ${CARGO_TARGET_DIR:-target}/debug/switchboard."""
    from_env = os.environ.get("SWITCHBOARD_BIN")
    if from_env:
        return Path(from_env).resolve()
    target = REPO_ROOT / os.environ.get("CARGO_TARGET_DIR", "target")
    return target / "debug" / "switchboard"


class Server:
    """`switchboard serve --host 127.0.0.1 --port 0 --config …` in a scrubbed environment."""

    def __init__(self):
        binary = binary_path()
        if not binary.exists():
            raise RuntimeError(
                "switchboard binary not found at %s: build it with `cargo build -p switchboard` "
                "(or point SWITCHBOARD_BIN at a built binary)" % binary
            )
        self.tmp = tempfile.mkdtemp(prefix="switchboard-py-")
        config = os.path.join(self.tmp, "switchboard.toml")
        with open(config, "w") as f:
            f.write(CONFIG)
        env = {
            k: v
            for k, v in os.environ.items()
            if not re.match(r"^(SWITCHBOARD_|PUSHER_|REVERB_|SOKETI_|RUST_LOG$)", k)
        }
        env.update({"HOME": self.tmp, "XDG_DATA_HOME": os.path.join(self.tmp, "data"), "NO_COLOR": "1"})
        self.proc = subprocess.Popen(
            [str(binary), "serve", "--host", "127.0.0.1", "--port", "0", "--config", config],
            cwd=self.tmp,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.stdout = []
        self.stderr = []
        found = threading.Event()
        self.host = self.port = None

        def read_stdout():
            for line in self.proc.stdout:
                self.stdout.append(line)
                m = LISTEN_RE.search(line)
                if m and not found.is_set():
                    self.host, self.port = m.group(1), int(m.group(2))
                    found.set()

        def read_stderr():
            for line in self.proc.stderr:
                self.stderr.append(line)

        threading.Thread(target=read_stdout, daemon=True).start()
        threading.Thread(target=read_stderr, daemon=True).start()
        deadline = time.time() + 15
        while not found.wait(0.05):
            if self.proc.poll() is not None or time.time() > deadline:
                self.stop()
                raise RuntimeError(
                    "switchboard did not start (exit %s)\nstdout:\n%s\nstderr:\n%s"
                    % (self.proc.returncode, "".join(self.stdout), "".join(self.stderr))
                )

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        shutil.rmtree(self.tmp, ignore_errors=True)


class Closed(Exception):
    def __init__(self, code):
        super().__init__("socket closed with %s" % code)
        self.code = code


class Raw:
    """A raw WebSocket client that records every Pusher frame."""

    def __init__(self, server, key=APP["key"]):
        url = "ws://%s:%d/app/%s?protocol=7&client=js&version=8.6.0&flash=false" % (
            server.host,
            server.port,
            key,
        )
        self.ws = websocket.create_connection(url, timeout=5)
        self.frames = []
        self.close_code = None
        established = self.wait(lambda f: f.get("event") == "pusher:connection_established")
        self.socket_id = json.loads(established["data"])["socket_id"]

    def _read(self, timeout):
        self.ws.settimeout(timeout)
        opcode, data = self.ws.recv_data(control_frame=True)
        if opcode == websocket.ABNF.OPCODE_CLOSE:
            self.close_code = struct.unpack("!H", data[:2])[0] if len(data) >= 2 else None
            raise Closed(self.close_code)
        if opcode == websocket.ABNF.OPCODE_TEXT:
            self.frames.append(json.loads(data.decode("utf-8")))

    def wait(self, pred, timeout=5.0, start=0):
        """The first frame at index >= start matching pred (reads more frames as needed)."""
        for f in self.frames[start:]:
            if pred(f):
                return f
        deadline = time.time() + timeout
        while True:
            remaining = deadline - time.time()
            if remaining <= 0:
                raise AssertionError("no matching frame within %ss; got %s" % (timeout, self.frames))
            seen = max(len(self.frames), start)
            try:
                self._read(remaining)
            except websocket.WebSocketTimeoutException:
                continue
            for f in self.frames[seen:]:
                if pred(f):
                    return f

    def wait_close(self, timeout=5.0):
        try:
            self.wait(lambda f: False, timeout)
        except Closed as closed:
            return closed.code
        raise AssertionError("socket was not closed")

    def send(self, frame):
        self.ws.send(json.dumps(frame))

    def barrier(self):
        """pusher:ping → pusher:pong: everything the server sent before has arrived."""
        seen = len(self.frames)
        self.send({"event": "pusher:ping", "data": {}})
        self.wait(lambda f: f.get("event") == "pusher:pong", start=seen)

    def subscribe(self, channel, auth=None):
        data = {"channel": channel, "auth": ""}
        if auth:
            data.update(auth)
        seen = len(self.frames)
        self.send({"event": "pusher:subscribe", "data": data})
        frame = self.wait(
            lambda f: f.get("channel") == channel
            or f.get("event") in ("pusher:error", "pusher:subscription_error"),
            start=seen,
        )
        if frame.get("event") != "pusher_internal:subscription_succeeded":
            raise AssertionError("subscribe to %s failed: %s" % (channel, frame))
        return frame

    def close(self):
        try:
            self.ws.close()
        except Exception:
            pass


class PythonSdkTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server()
        cls.client = pusher.Pusher(
            host=cls.server.host, port=cls.server.port, ssl=False, timeout=5, **APP
        )
        cls.sockets = []

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def tearDown(self):
        for s in self.sockets:
            s.close()
        self.sockets.clear()

    def raw(self):
        s = Raw(self.server)
        self.sockets.append(s)
        return s

    def presence_member(self, channel, user_id):
        s = self.raw()
        s.subscribe(channel, self.client.authenticate(channel, s.socket_id, {"user_id": user_id}))
        return s

    def test_trigger_delivers_python_encoded_data(self):
        channel = uniq("py-news")
        s = self.raw()
        s.subscribe(channel)
        self.assertEqual(self.client.trigger(channel, "py-event", {"a": 1}), {})
        frame = s.wait(lambda f: f.get("event") == "py-event")
        self.assertEqual(frame, {"event": "py-event", "channel": channel, "data": json.dumps({"a": 1})})

    def test_trigger_socket_id_exclusion(self):
        channel = uniq("py-excl")
        a, b = self.raw(), self.raw()
        a.subscribe(channel)
        b.subscribe(channel)
        self.client.trigger(channel, "skip-a", {}, socket_id=a.socket_id)
        b.wait(lambda f: f.get("event") == "skip-a")
        a.barrier()
        self.assertFalse([f for f in a.frames if f.get("event") == "skip-a"])

    def test_trigger_batch(self):
        c1, c2 = uniq("py-b"), uniq("py-b")
        s = self.raw()
        s.subscribe(c1)
        s.subscribe(c2)
        result = self.client.trigger_batch(
            [{"channel": c1, "name": "e1", "data": "one"}, {"channel": c2, "name": "e2", "data": "two"}]
        )
        self.assertEqual(result, {})
        self.assertEqual(s.wait(lambda f: f.get("event") == "e1")["data"], "one")
        self.assertEqual(s.wait(lambda f: f.get("event") == "e2")["data"], "two")

    def test_channels_info_get_with_body_md5(self):
        channel = "presence-" + uniq("py-room")
        self.presence_member(channel, "u1")
        self.presence_member(channel, "u1")
        self.presence_member(channel, "u2")
        result = self.client.channels_info(prefix_filter=channel, attributes=["user_count"])
        self.assertEqual(result, {"channels": {channel: {"user_count": 2}}})

    def test_channels_info_without_attributes(self):
        prefix = uniq("py-list") + "-"
        self.raw().subscribe(prefix + "a")
        self.assertEqual(self.client.channels_info(prefix_filter=prefix), {"channels": {prefix + "a": {}}})

    def test_channel_info(self):
        channel = "presence-" + uniq("py-info")
        self.presence_member(channel, "solo")
        self.assertEqual(
            self.client.channel_info(channel, ["user_count"]), {"occupied": True, "user_count": 1}
        )
        self.assertEqual(self.client.channel_info(uniq("py-empty")), {"occupied": False})

    def test_users_info(self):
        channel = "presence-" + uniq("py-users")
        self.presence_member(channel, "py-a")
        self.presence_member(channel, "py-b")
        result = self.client.users_info(channel)
        self.assertEqual(sorted(u["id"] for u in result["users"]), ["py-a", "py-b"])

    def test_authenticate_private_channel(self):
        channel = "private-" + uniq("py-priv")
        s = self.raw()
        frame = s.subscribe(channel, self.client.authenticate(channel, s.socket_id))
        self.assertEqual(frame["data"], "{}")

    def test_authenticate_user_and_send_to_user(self):
        user_id = uniq("py-user")
        s = self.raw()
        signed = self.client.authenticate_user(s.socket_id, {"id": user_id})
        s.send({"event": "pusher:signin", "data": signed})
        success = s.wait(lambda f: f.get("event") in ("pusher:signin_success", "pusher:error"))
        self.assertEqual(success["event"], "pusher:signin_success", success)
        self.assertEqual(success["data"]["user_data"], signed["user_data"])
        self.client.send_to_user(user_id, "hello", {"x": 1})
        frame = s.wait(lambda f: f.get("event") == "hello")
        self.assertEqual(frame["channel"], "#server-to-user-" + user_id)

    def test_terminate_user_connections_without_apps_prefix(self):
        user_id = uniq("py-term")
        s = self.raw()
        s.send({"event": "pusher:signin", "data": self.client.authenticate_user(s.socket_id, {"id": user_id})})
        s.wait(lambda f: f.get("event") == "pusher:signin_success")
        self.assertEqual(self.client.terminate_user_connections(user_id), {})
        self.assertEqual(s.wait_close(), 4009)

    def test_wrong_secret_is_a_bad_auth(self):
        bad = pusher.Pusher(
            app_id=APP["app_id"], key=APP["key"], secret="wrong", host=self.server.host,
            port=self.server.port, ssl=False, timeout=5,
        )
        with self.assertRaises(pusher.errors.PusherBadAuth):
            bad.trigger("c", "e", {})
        with self.assertRaises(pusher.errors.PusherBadAuth):
            bad.channels_info()


if __name__ == "__main__":
    unittest.main()
