"""Tests of running a folder of images through a pipeline and of the detection table."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pandas as pd
import pytest

import vdp101.client
from vdp101.client import Gateway, connect
from vdp101.errors import PipelineNotFoundError
from vdp101.folder import (
    TABLE_COLUMNS,
    FolderDetections,
    count_categories,
    detect_folder,
    export_csv,
    export_json,
    filter_detections,
    find_images,
)
from vdp101.samples import sample_path

SAMPLE_ROWS = [
    ("astronaut.jpg", "person", 0.97, 20, 15, 345, 497, "models/yolov7"),
    ("chelsea.jpg", "cat", 0.94, 18, 0, 384, 300, "models/yolov7"),
    ("coffee.jpg", "cup", 0.91, 172, 17, 237, 292, "models/yolov7"),
    ("coffee.jpg", "spoon", 0.78, 325, 64, 100, 262, "models/yolov7"),
    ("coffee.jpg", "dining table", 0.55, 0, 0, 600, 400, "models/yolov7"),
    ("horse.png", "horse", 0.89, 17, 8, 373, 305, "models/yolov7"),
]


def sample_table() -> pd.DataFrame:
    return pd.DataFrame(SAMPLE_ROWS, columns=list(TABLE_COLUMNS))


def table_tuples(table: pd.DataFrame) -> list[tuple]:
    return list(table.itertuples(index=False, name=None))


@pytest.fixture
def local_gateway(gateway: str) -> Gateway:
    """The session's local gateway as a client Gateway."""
    return connect(gateway, quiet=True)


@pytest.fixture
def samples_folder(tmp_path: Path) -> Path:
    """A folder with the four annotated sample images and a README."""
    for name in ("astronaut.jpg", "chelsea.jpg", "coffee.jpg", "horse.png"):
        shutil.copy(sample_path(name), tmp_path / name)
    (tmp_path / "README.md").write_text("Sample photos\n")
    return tmp_path


@pytest.fixture
def mixed_folder(tmp_path: Path) -> Path:
    """A folder with two images, two files that are not images, a hidden file and a subfolder."""
    shutil.copy(sample_path("horse.png"), tmp_path / "horse.png")
    shutil.copy(sample_path("coffee.jpg"), tmp_path / "coffee.jpg")
    (tmp_path / "notes.txt").write_text("shopping list\n")
    (tmp_path / "fake.jpg").write_bytes(b"not a JPEG at all")
    (tmp_path / ".DS_Store").write_bytes(b"\x00\x01")
    (tmp_path / "more").mkdir()
    shutil.copy(sample_path("chelsea.jpg"), tmp_path / "more" / "chelsea.jpg")
    return tmp_path


@pytest.fixture
def sent_batches(monkeypatch) -> list[list[str]]:
    """Record the file names of each multipart request."""
    batches: list[list[str]] = []
    original = vdp101.client.trigger_multipart

    def recording_trigger(pipeline_id, image_paths, **options):
        batches.append([Path(path).name for path in image_paths])
        return original(pipeline_id, image_paths, **options)

    monkeypatch.setattr(vdp101.client, "trigger_multipart", recording_trigger)
    return batches


def test_find_images_checks_content(mixed_folder):
    images, others = find_images(mixed_folder)

    assert [path.name for path in images] == ["coffee.jpg", "horse.png"]
    assert [path.name for path in others] == ["fake.jpg", "notes.txt"]


def test_find_images_missing_folder_raises(tmp_path):
    missing = tmp_path / "nowhere"

    with pytest.raises(NotADirectoryError) as raised:
        find_images(missing)

    assert str(raised.value) == (
        f"Image folder {str(missing)!r} does not exist or is not a folder. "
        "Pass the path of a folder that contains JPEG or PNG files."
    )


def test_detect_folder_tabulates_samples(local_gateway, samples_folder):
    results = detect_folder(samples_folder, gateway=local_gateway, progress=False)

    assert table_tuples(results.table) == SAMPLE_ROWS
    assert list(results.table.columns) == list(TABLE_COLUMNS)
    assert results.images == ("astronaut.jpg", "chelsea.jpg", "coffee.jpg", "horse.png")
    assert results.skipped == ("README.md",)
    assert results.rejected == ()
    assert results.note == "Skipped 1 file that is not an image: README.md."


def test_detect_folder_sends_batches(local_gateway, samples_folder, sent_batches):
    results = detect_folder(samples_folder, gateway=local_gateway, batch_size=3, progress=False)

    assert sent_batches == [["astronaut.jpg", "chelsea.jpg", "coffee.jpg"], ["horse.png"]]
    assert table_tuples(results.table) == SAMPLE_ROWS


def test_detect_folder_skips_other_files(gateway, mixed_folder, caplog):
    caplog.set_level(logging.INFO, logger="vdp101.folder")
    results = detect_folder(mixed_folder, gateway=gateway, progress=False)

    assert results.images == ("coffee.jpg", "horse.png")
    assert results.skipped == ("fake.jpg", "notes.txt")
    assert [row[:2] for row in table_tuples(results.table)] == [
        ("coffee.jpg", "cup"),
        ("coffee.jpg", "spoon"),
        ("coffee.jpg", "dining table"),
        ("horse.png", "horse"),
    ]
    assert f"Skipped files in {mixed_folder} that are not images: fake.jpg, notes.txt" in caplog.messages


def test_undecodable_image_is_retried_alone(gateway, tmp_path, sent_batches):
    shutil.copy(sample_path("coffee.jpg"), tmp_path / "coffee.jpg")
    shutil.copy(sample_path("horse.png"), tmp_path / "horse.png")
    coffee = sample_path("coffee.jpg").read_bytes()
    # Pillow identifies a JPEG cut in half, but cannot decode its pixels.
    (tmp_path / "broken.jpg").write_bytes(coffee[: len(coffee) // 2])

    results = detect_folder(tmp_path, gateway=gateway, progress=False)

    assert sent_batches == [
        ["broken.jpg", "coffee.jpg", "horse.png"],
        ["broken.jpg"],
        ["coffee.jpg"],
        ["horse.png"],
    ]
    assert results.rejected == ("broken.jpg",)
    assert results.images == ("broken.jpg", "coffee.jpg", "horse.png")
    assert len(results.table) == 4
    assert results.note == "The gateway could not decode 1 image: broken.jpg."


def test_images_without_objects_have_no_rows(gateway, tmp_path):
    from PIL import Image

    Image.new("RGB", (32, 24), (10, 200, 30)).save(tmp_path / "green.png")

    results = detect_folder(tmp_path, gateway=gateway, progress=False)

    assert results.images == ("green.png",)
    assert len(results.table) == 0
    assert list(results.table.columns) == list(TABLE_COLUMNS)
    assert str(results.table["score"].dtype) == "float64"
    assert repr(results) == f"FolderDetections: 0 objects in 1 image of {tmp_path.name}."


def test_detect_folder_unknown_pipeline_raises(local_gateway, samples_folder):
    with pytest.raises(PipelineNotFoundError) as raised:
        detect_folder(samples_folder, pipeline_id="no-such-pipeline", gateway=local_gateway, progress=False)

    assert str(raised.value).startswith(f"Pipeline 'no-such-pipeline' was not found at {local_gateway.api_url}")


def test_batch_size_below_one_raises(local_gateway, samples_folder):
    with pytest.raises(ValueError) as raised:
        detect_folder(samples_folder, gateway=local_gateway, batch_size=0, progress=False)

    assert str(raised.value) == "batch_size must be at least 1, got 0. Pass batch_size=8, for example."


def test_repr_states_counts_and_note():
    results = FolderDetections(
        folder=Path("/photos/holiday"),
        table=sample_table(),
        images=("a.jpg", "b.jpg", "c.jpg", "d.jpg"),
        skipped=("list.txt",),
    )

    assert repr(results) == (
        "FolderDetections: 6 objects in 4 images of holiday. "
        "Skipped 1 file that is not an image: list.txt."
    )
    assert results.image_path("a.jpg") == Path("/photos/holiday/a.jpg")


def test_filter_detections_by_score():
    kept = filter_detections(sample_table(), min_score=0.9)

    assert table_tuples(kept) == [SAMPLE_ROWS[0], SAMPLE_ROWS[1], SAMPLE_ROWS[2]]
    assert list(kept.index) == [0, 1, 2]


def test_filter_detections_by_category():
    kept = filter_detections(sample_table(), min_score=0.6, categories=["spoon", "dining table"])

    assert table_tuples(kept) == [SAMPLE_ROWS[3]]


def test_count_categories_orders_ties():
    table = sample_table()
    table.loc[len(table)] = ("extra.jpg", "spoon", 0.6, 1, 2, 3, 4, "models/yolov7")

    counts = count_categories(table)

    assert counts.name == "objects"
    assert list(counts.items()) == [
        ("spoon", 2),
        ("cat", 1),
        ("cup", 1),
        ("dining table", 1),
        ("horse", 1),
        ("person", 1),
    ]


def test_export_csv_writes_rows(tmp_path):
    path = export_csv(sample_table().head(2), tmp_path / "out" / "detections.csv")

    assert path == tmp_path / "out" / "detections.csv"
    assert path.read_text().splitlines() == [
        "image,category,score,left,top,width,height,model",
        "astronaut.jpg,person,0.97,20,15,345,497,models/yolov7",
        "chelsea.jpg,cat,0.94,18,0,384,300,models/yolov7",
    ]


def test_export_json_writes_records(tmp_path):
    path = export_json(sample_table().head(2), tmp_path / "out" / "detections.json")

    assert json.loads(path.read_text()) == [
        {
            "image": "astronaut.jpg",
            "category": "person",
            "score": 0.97,
            "left": 20,
            "top": 15,
            "width": 345,
            "height": 497,
            "model": "models/yolov7",
        },
        {
            "image": "chelsea.jpg",
            "category": "cat",
            "score": 0.94,
            "left": 18,
            "top": 0,
            "width": 384,
            "height": 300,
            "model": "models/yolov7",
        },
    ]
