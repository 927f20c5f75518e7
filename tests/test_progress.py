"""Tests of the image progress bars and the text they leave in a saved notebook."""

from __future__ import annotations

from typing import Any

import pytest
from tqdm.notebook import tqdm as notebook_tqdm

from vdp101 import _progress
from vdp101._progress import PROGRESS_FORMAT, NotebookImageBar, image_progress_bar


class RecordingDisplay:
    """Stands in for IPython's display: records the text form of each display and update."""

    def __init__(self) -> None:
        self.shown: list[str] = []
        self.updates: list[str] = []

    def __call__(self, widget: Any, *, display_id: bool) -> RecordingDisplay:
        assert display_id is True
        self.shown.append(repr(widget))
        return self

    def update(self, widget: Any) -> None:
        self.updates.append(repr(widget))


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> RecordingDisplay:
    recording = RecordingDisplay()
    monkeypatch.setattr(_progress, "display", recording)
    return recording


def test_finished_bar_updates_its_display(recorder: RecordingDisplay) -> None:
    with NotebookImageBar(total=12, desc="vdp-101-async", bar_format=PROGRESS_FORMAT) as bar:
        bar.update(4)
        bar.update(8)

    assert recorder.shown == ["vdp-101-async:   0%|          | 0/12 images"]
    assert recorder.updates == ["vdp-101-async: 100%|##########| 12/12 images"]


def test_stopped_bar_shows_last_count(recorder: RecordingDisplay) -> None:
    with pytest.raises(RuntimeError), NotebookImageBar(total=5, desc="Detecting", bar_format=PROGRESS_FORMAT) as bar:
        bar.update(2)
        raise RuntimeError("the gateway stopped")

    assert recorder.updates == ["Detecting:  40%|####      | 2/5 images"]


def test_bar_closed_twice_updates_once(recorder: RecordingDisplay) -> None:
    bar = NotebookImageBar(total=1, desc="Detecting", bar_format=PROGRESS_FORMAT)
    bar.update(1)

    bar.close()
    bar.close()

    assert recorder.updates == ["Detecting: 100%|##########| 1/1 images"]


def test_disabled_bar_displays_nothing(recorder: RecordingDisplay) -> None:
    with NotebookImageBar(total=3, desc="Detecting", bar_format=PROGRESS_FORMAT, disable=True) as bar:
        bar.update(3)

    assert recorder.shown == []
    assert recorder.updates == []


def test_outside_notebook_bar_is_text(capsys: pytest.CaptureFixture[str]) -> None:
    with image_progress_bar(total=2, description="Detecting") as bar:
        bar.update(2)

    assert not isinstance(bar, notebook_tqdm)
    assert capsys.readouterr().err.rstrip("\n").split("\r")[-1] == "Detecting: 100%|██████████| 2/2 images"
