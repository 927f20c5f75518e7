"""Tests of the plots of a folder's detection table."""

from __future__ import annotations

import shutil
from pathlib import Path

import matplotlib
import pandas as pd
import pytest

from vdp101.drawing import category_color
from vdp101.folder import TABLE_COLUMNS, FolderDetections, filter_detections
from vdp101.folder_plots import plot_box_sizes, plot_category_counts, plot_image_grid, plot_score_distribution
from vdp101.samples import sample_path

matplotlib.use("Agg")

ROWS = [
    ("chelsea.jpg", "cat", 0.94, 18, 0, 384, 300, "models/yolov7"),
    ("coffee.jpg", "cup", 0.91, 172, 17, 237, 292, "models/yolov7"),
    ("coffee.jpg", "spoon", 0.78, 325, 64, 100, 262, "models/yolov7"),
    ("coffee.jpg", "dining table", 0.55, 0, 0, 600, 400, "models/yolov7"),
    ("extra.jpg", "spoon", 0.62, 5, 6, 40, 80, "models/yolov7"),
]


@pytest.fixture
def table() -> pd.DataFrame:
    return pd.DataFrame(ROWS, columns=list(TABLE_COLUMNS))


@pytest.fixture
def results(tmp_path: Path, table: pd.DataFrame) -> FolderDetections:
    for name in ("chelsea.jpg", "coffee.jpg"):
        shutil.copy(sample_path(name), tmp_path / name)
    return FolderDetections(folder=tmp_path, table=table[table["image"] != "extra.jpg"], images=("chelsea.jpg", "coffee.jpg"))


def rgb(category: str) -> tuple[float, float, float, float]:
    red, green, blue = category_color(category)
    return (red / 255, green / 255, blue / 255, 1.0)


def test_category_counts_bar_per_category(table):
    axis = plot_category_counts(table).axes[0]
    bars = axis.patches

    assert [label.get_text() for label in axis.get_yticklabels()] == ["dining table", "cup", "cat", "spoon"]
    assert [bar.get_width() for bar in bars] == [1, 1, 1, 2]
    assert bars[3].get_facecolor() == pytest.approx(rgb("spoon"))
    assert axis.get_title() == "Objects per category"


def test_score_distribution_counts_every_row(table):
    axis = plot_score_distribution(table, bins=5).axes[0]
    heights = [bar.get_height() for bar in axis.patches]

    # Bins of 0.2: 0.55 falls in [0.4, 0.6), 0.62 and 0.78 in [0.6, 0.8), 0.91 and 0.94 in [0.8, 1.0].
    assert heights == [0, 0, 1, 2, 2]
    assert axis.get_xlim() == (0.0, 1.0)


def test_box_sizes_point_per_object(table):
    axis = plot_box_sizes(table).axes[0]
    points = {
        collection.get_label(): [tuple(offset) for offset in collection.get_offsets()]
        for collection in axis.collections
    }

    assert points == {
        "cat": [(384, 300)],
        "cup": [(237, 292)],
        "dining table": [(600, 400)],
        "spoon": [(100, 262), (40, 80)],
    }
    assert axis.get_xlabel() == "width (pixels)"


@pytest.fixture
def empty_table() -> pd.DataFrame:
    return pd.DataFrame(columns=list(TABLE_COLUMNS))


@pytest.mark.parametrize(
    ("plot", "title"),
    [
        (plot_category_counts, "Objects per category"),
        (plot_score_distribution, "Score distribution"),
        (plot_box_sizes, "Bounding box sizes"),
    ],
)
def test_empty_table_shows_message(plot, title, empty_table):
    axis = plot(empty_table).axes[0]

    assert [text.get_text() for text in axis.texts] == ["No detections to plot: the table has no rows."]
    assert axis.get_title() == title
    assert axis.axison is False
    assert len(axis.patches) == 0
    assert len(axis.collections) == 0
    assert axis.get_legend() is None


def test_plots_with_rows_show_no_message(table):
    for plot in (plot_category_counts, plot_score_distribution, plot_box_sizes):
        axis = plot(table).axes[0]

        assert len(axis.texts) == 0
        assert axis.axison is True


def test_image_grid_titles_count_boxes(results):
    figure = plot_image_grid(results)

    assert [axis.get_title() for axis in figure.axes] == ["chelsea.jpg: 1 box", "coffee.jpg: 3 boxes"]


def test_image_grid_draws_filtered_table(results):
    confident = filter_detections(results.table, min_score=0.8)

    figure = plot_image_grid(results, table=confident, columns=1)

    assert [axis.get_title() for axis in figure.axes] == ["chelsea.jpg: 1 box", "coffee.jpg: 1 box"]
    assert figure.axes[1].images[0].get_array().shape == (400, 600, 3)


def test_image_grid_fills_rows(results):
    figure = plot_image_grid(results, images=["coffee.jpg", "chelsea.jpg", "coffee.jpg"], columns=2)

    assert len(figure.axes) == 4
    assert [axis.get_title() for axis in figure.axes] == ["coffee.jpg: 3 boxes", "chelsea.jpg: 1 box", "coffee.jpg: 3 boxes", ""]
    assert [len(axis.images) for axis in figure.axes] == [1, 1, 1, 0]


def test_image_grid_without_images_shows_message(results):
    figure = plot_image_grid(results, images=[])

    assert len(figure.axes) == 1
    assert [text.get_text() for text in figure.axes[0].texts] == [
        "No images to show: the list of image names is empty."
    ]
    assert len(figure.axes[0].images) == 0


def test_image_grid_of_empty_folder(tmp_path, empty_table):
    empty = FolderDetections(folder=tmp_path, table=empty_table, images=())

    for figure in (plot_image_grid(empty), plot_image_grid(empty, images=empty.images[:9])):
        assert [text.get_text() for text in figure.axes[0].texts] == [
            f"No images to show: the folder {tmp_path.name} contains none."
        ]


def test_image_grid_image_without_rows(results, empty_table):
    figure = plot_image_grid(results, table=empty_table, images=["chelsea.jpg"])

    assert [axis.get_title() for axis in figure.axes] == ["chelsea.jpg: 0 boxes"]
    assert figure.axes[0].images[0].get_array().shape == (300, 451, 3)


def test_image_grid_zero_columns_raises(results):
    with pytest.raises(ValueError) as raised:
        plot_image_grid(results, columns=0)

    assert str(raised.value) == "columns must be at least 1, got 0. Pass columns=3, for example."
