"""Progress bars that leave their final state in a saved notebook.

tqdm's notebook bar is an ipywidgets widget. Viewers without the widget state, such
as GitHub, show the text that the widget carried when it was first displayed, so a
finished bar would read "0%". ``NotebookImageBar`` displays the widget under a
display id and updates that display when the bar closes, so JupyterLab and nbconvert
save the final state, such as "100%|##########| 12/12 images". The widget itself
moves live.

NOTE: nbval ignores display updates and compares the first text with the saved
one. The pattern "progress bar" in tests/nbval_sanitize.cfg makes the two equal.
"""

from __future__ import annotations

from typing import Any

from IPython.display import DisplayHandle, display
from tqdm.auto import tqdm as auto_tqdm
from tqdm.notebook import tqdm as notebook_tqdm

__all__ = ["PROGRESS_FORMAT", "NotebookImageBar", "image_progress_bar"]

# A bar without elapsed time or rate, so that saved notebook outputs are the same
# from run to run.
PROGRESS_FORMAT = "{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} images"


class NotebookImageBar(notebook_tqdm):  # type: ignore[misc]
    """tqdm's widget bar, displayed under a display id that is updated when it closes."""

    def __init__(self, **options: Any) -> None:
        super().__init__(display=False, **options)
        self._display_handle: DisplayHandle | None = None
        if not self.disable:
            self._display_handle = display(self.container, display_id=True)
            self.displayed = True

    def close(self) -> None:
        was_open = not self.disable
        super().close()
        if was_open and self._display_handle is not None:
            # The widget's text/plain form is rendered from the bar's count at this moment.
            self._display_handle.update(self.container)


def image_progress_bar(*, total: int, description: str, disable: bool = False) -> Any:
    """Create a progress bar that counts images, for use as a context manager.

    In a Jupyter kernel with ipywidgets, where ``tqdm.auto`` picks the widget bar, the
    bar is a NotebookImageBar. Elsewhere it is tqdm's text bar on stderr.

    Args:
        total: number of images the bar counts to.
        description: text before the bar, e.g. the pipeline id.
        disable: show nothing; ``update`` and ``close`` still work.
    """
    options: dict[str, Any] = {"total": total, "desc": description, "bar_format": PROGRESS_FORMAT, "disable": disable}
    if issubclass(auto_tqdm, notebook_tqdm):
        return NotebookImageBar(**options)
    return auto_tqdm(**options)
