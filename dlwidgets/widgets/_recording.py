"""What every widget that plays a recording in the browser shares: stepping it from code, rewinding on a new view."""

from __future__ import annotations

__all__ = ["Recording"]


class Recording:
    """Mixin for a CourseWidget whose traits ``step`` (frames shown, -1 = all) and ``playing`` the browser
    advances; ``_FRAMES`` names the view's count of frames."""

    _FRAMES = "frames"

    def step_forward(self) -> int:
        """Show one more frame, as the Step button does (pausing, and wrapping to the first); returns the step."""
        total = self.view.get(self._FRAMES, 0)
        current = total if self.step < 0 else self.step
        self.playing = False
        self.step = 1 if current >= total else current + 1
        return self.step

    def _on_new_view(self) -> None:
        """A new view shows its whole recording; an impossible setting stops the playing."""
        self.step = -1
        if self.error:
            self.playing = False
