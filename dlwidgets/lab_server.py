"""A Jupyter server extension that sends kernel messages to the browser without waiting.

jupyter_server leaves Nagle's algorithm on for kernel websockets. One widget update reaches
the browser as several small messages in a row (kernel busy, the new state, the echo,
kernel idle); with Nagle on, every message after the first waits for the browser's delayed
TCP acknowledgement, about 40 ms on Linux. That wait, not numpy or drawing, was most of a
widget's key-press-to-pixels time. Browsers already send without delay on their side; this
extension does the same on the server's side of each kernel websocket (TCP_NODELAY).

It also makes saved notebooks keep each widget's picture instead of a live view that dies with
the kernel (``dlwidgets.saved_widgets``).

It is enabled by ``jupyter_server_config.d/dlwidgets.json``, installed with the package,
and wraps whichever websocket connection class the server is configured with.
"""

from __future__ import annotations

import contextlib

__all__ = ["without_nagle"]


def without_nagle(connection_class: type) -> type:
    """A subclass of a kernel websocket connection class that turns Nagle off when it connects."""
    if getattr(connection_class, "_sends_without_delay", False):
        return connection_class

    class NoDelayConnection(connection_class):
        _sends_without_delay = True

        def connect(self):
            with contextlib.suppress(Exception):  # a closed or non-TCP socket simply keeps its default
                self.websocket_handler.set_nodelay(True)
            return super().connect()

    NoDelayConnection.__name__ = NoDelayConnection.__qualname__ = f"NoDelay{connection_class.__name__}"
    NoDelayConnection.__doc__ = f"{connection_class.__name__} with TCP_NODELAY set on its websocket."
    return NoDelayConnection


def _jupyter_server_extension_points():
    return [{"module": "dlwidgets.lab_server"}]


def _load_jupyter_server_extension(serverapp) -> None:
    from .saved_widgets import pre_save_hook

    # a saved notebook keeps each widget's picture, not a live view whose model dies with the kernel
    contents = getattr(serverapp, "contents_manager", None)
    if contents is not None and hasattr(contents, "register_pre_save_hook"):
        contents.register_pre_save_hook(pre_save_hook)
    settings = serverapp.web_app.settings
    configured = settings.get("kernel_websocket_connection_class") or serverapp.kernel_websocket_connection_class
    settings["kernel_websocket_connection_class"] = without_nagle(configured)
    serverapp.log.info("dlwidgets: kernel websockets send without delay (TCP_NODELAY)")
