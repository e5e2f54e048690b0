"""The server extension that sends kernel messages without Nagle's delay, and its installation."""

import json
import logging
import pathlib
import re
import shutil
import subprocess
import sys
import types

import pytest

from dlwidgets.lab_server import _load_jupyter_server_extension, without_nagle

ROOT = pathlib.Path(__file__).resolve().parents[1]
CONFIG = ROOT / "jupyter-config" / "jupyter_server_config.d" / "dlwidgets.json"


class FakeHandler:
    def __init__(self, fail=False):
        self.nodelay = None
        self.fail = fail

    def set_nodelay(self, value):
        if self.fail:
            raise AssertionError("websocket already closed")
        self.nodelay = value


class FakeConnection:
    def __init__(self, handler):
        self.websocket_handler = handler
        self.connected = False

    def connect(self):
        self.connected = True
        return "connected"


def test_the_wrapped_connection_turns_nagle_off_before_connecting():
    handler = FakeHandler()
    connection = without_nagle(FakeConnection)(handler)
    assert connection.connect() == "connected"
    assert handler.nodelay is True and connection.connected


def test_a_socket_that_refuses_the_option_still_connects():
    connection = without_nagle(FakeConnection)(FakeHandler(fail=True))
    assert connection.connect() == "connected"


def test_wrapping_twice_changes_nothing_and_keeps_the_configured_class():
    wrapped = without_nagle(FakeConnection)
    assert without_nagle(wrapped) is wrapped
    assert issubclass(wrapped, FakeConnection) and wrapped.__name__ == "NoDelayFakeConnection"


def test_loading_the_extension_wraps_whatever_connection_class_the_server_uses():
    settings = {"kernel_websocket_connection_class": FakeConnection}
    app = types.SimpleNamespace(web_app=types.SimpleNamespace(settings=settings),
                                kernel_websocket_connection_class=FakeConnection, log=logging.getLogger("test"))
    _load_jupyter_server_extension(app)
    wrapped = settings["kernel_websocket_connection_class"]
    assert issubclass(wrapped, FakeConnection) and wrapped._sends_without_delay


def test_the_real_default_connection_class_can_be_wrapped():
    channels = pytest.importorskip("jupyter_server.services.kernels.connection.channels")
    wrapped = without_nagle(channels.ZMQChannelsWebsocketConnection)
    assert issubclass(wrapped, channels.ZMQChannelsWebsocketConnection)


def test_the_config_file_enables_the_extension_and_is_installed_with_the_package():
    assert json.loads(CONFIG.read_text()) == {"ServerApp": {"jpserver_extensions": {"dlwidgets.lab_server": True}}}
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert '"etc/jupyter/jupyter_server_config.d" = ["jupyter-config/jupyter_server_config.d/dlwidgets.json"]' in pyproject
    assert "jupyter-config/jupyter_server_config.d/dlwidgets.json" in (ROOT / "dev").read_text()


def test_the_jupyter_server_of_this_environment_loads_the_extension():
    jupyter = shutil.which("jupyter", path=str(pathlib.Path(sys.executable).parent))
    if jupyter is None:
        pytest.skip("no Jupyter server in this environment")
    listed = subprocess.run([jupyter, "server", "extension", "list"], capture_output=True, text=True, check=True)
    text = re.sub(r"\x1b\[[0-9;]*m", "", listed.stdout + listed.stderr)   # without colours
    assert re.search(r"dlwidgets\.lab_server\s+enabled", text) and re.search(r"dlwidgets\.lab_server\s+OK", text), text
