"""Tests for the exercise checkers of parts 7 to 9: correct answers pass, wrong ones get a hint."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from vdp101.client import Gateway, connect, trigger_multipart
from vdp101.exercises import check
from vdp101.folder import FolderDetections, detect_folder
from vdp101.samples import data_dir, sample_path
from vdp101.widgets import URL_NEEDS_SAMPLE, DetectionExplorer

AB_ID_QUERY = "SELECT _airbyte_ab_id FROM _airbyte_raw_vdp WHERE _airbyte_data->>'index' = ?"

TABLE_COLUMNS = ["image", "category", "score", "left", "top", "width", "height", "model"]

# The first table that 08-3 is called on, as its messages name it.
FIRST_TABLE = "a table in which the best object of an image is neither its first nor its last row"


def _frames_without_spoon(detections):
    return [
        position
        for position, found in enumerate(detections)
        if all(obj.category != "spoon" for obj in found.objects)
    ]


def _top_category(table):
    return table.loc[table.groupby("image")["score"].idxmax()].set_index("image")["category"]


def _folder_results(folder, rows, *, images=("a.jpg", "b.jpg"), skipped=("notes.txt",)):
    table = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    return FolderDetections(folder=folder, table=table, images=images, skipped=skipped)


def _duplicate_folder(tmp_path, first="a.jpg", second="b.jpg", source="chelsea.jpg"):
    shutil.copy(sample_path(source), tmp_path / first)
    shutil.copy(sample_path("chelsea.jpg"), tmp_path / second)
    (tmp_path / "notes.txt").write_text("two copies of one photo\n")
    return tmp_path


@pytest.fixture
def local_gateway(gateway: str) -> Gateway:
    """The session's local gateway as a client Gateway."""
    return connect(gateway, quiet=True)


@pytest.fixture
def explorer(local_gateway: Gateway) -> DetectionExplorer:
    return DetectionExplorer(gateway=local_gateway)


@pytest.fixture
def coffee_explorer(explorer: DetectionExplorer) -> DetectionExplorer:
    """An explorer that has run coffee.jpg with the multipart method."""
    explorer.image.value = ("sample", "coffee.jpg")
    explorer.method.value = "multipart"
    explorer.run()
    return explorer


# 07-1


def test_07_1_three_requests_pass():
    feedback = check("07-1", 3)

    assert feedback.passed is True
    assert feedback.message == (
        "12 frames in batches of 5 make 3 requests, with 5, 5 and 2 frames. There are still 12 indices, "
        "one per frame."
    )


def test_07_1_rounded_down_count_fails():
    feedback = check("07-1", 2)

    assert feedback.passed is False
    assert feedback.message == (
        "2 requests of 5 frames carry 10 of the 12 frames. What happens to the frames that are left?"
    )


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (12, "12 is the number of frames. One request carries up to 5 of them."),
        (5, "5 is the number of frames per request, not the number of requests."),
        (
            4,
            (
                "4 requests is not what trigger_async_multipart sends for 12 frames. It puts the frames "
                "into requests in order, at most 5 to a request."
            ),
        ),
        (2.4, "The answer should be an int, the number of requests, not float."),
        (True, "The answer should be an int, the number of requests, not bool."),
    ],
)
def test_07_1_wrong_counts_get_hints(answer, message):
    feedback = check("07-1", answer)

    assert feedback.passed is False
    assert feedback.message == message


# 07-2


def test_07_2_frames_without_spoon_pass():
    feedback = check("07-2", _frames_without_spoon)

    assert feedback.passed is True
    assert feedback.message == (
        "A frame is in the list when no object of its Detections has the category 'spoon', including a "
        "frame in which the model found nothing."
    )


def test_07_2_frames_with_spoon_fail():
    def frames_with_spoon(detections):
        return [n for n, found in enumerate(detections) if any(o.category == "spoon" for o in found.objects)]

    feedback = check("07-2", frames_with_spoon)

    assert feedback.passed is False
    assert feedback.message == (
        "For 6 frames in which the spoon appears from frame 2 on the function returned the frames that "
        "contain a spoon. Return the other ones."
    )


def test_07_2_empty_frame_left_out():
    def frames_with_other_objects(detections):
        return [
            n
            for n, found in enumerate(detections)
            for obj in found.objects[:1]
            if "spoon" not in {o.category for o in found.objects}
        ]

    feedback = check("07-2", frames_with_other_objects)

    assert feedback.message == (
        "For 5 frames in which the spoon leaves at frame 1 and frame 4 has no objects the function "
        "returned [1, 2]. Frame 4 has no objects at all, so it has no spoon either."
    )


def test_07_2_notebook_answer_fails():
    feedback = check("07-2", lambda detections: [0, 1])

    assert feedback.message == (
        "For 5 frames in which the spoon leaves at frame 1 and frame 4 has no objects the function "
        "returned [0, 1]. A frame belongs in the list when none of its objects has the category 'spoon'."
    )


def test_07_2_set_result_rejected():
    feedback = check("07-2", lambda detections: set(_frames_without_spoon(detections)))

    assert feedback.message == (
        "For 6 frames in which the spoon appears from frame 2 on the function returned a set. "
        "Return a sorted list of ints."
    )


def test_07_2_called_function_rejected():
    feedback = check("07-2", [0, 1])

    assert feedback.message == "The answer should be your function itself (its name, without parentheses), not list."


# 07-3


def test_07_3_index_query_passes():
    feedback = check("07-3", AB_ID_QUERY)

    assert feedback.passed is True
    assert feedback.message == (
        "The query returns the one row whose _airbyte_data->>'index' equals the parameter, with its "
        "_airbyte_ab_id, on SQLite and PostgreSQL alike."
    )


def test_07_3_json_arrow_finds_nothing():
    feedback = check("07-3", AB_ID_QUERY.replace("->>", "->"))

    assert feedback.passed is False
    assert feedback.message == (
        "On a test table the query found no row for the index it was given. Compare the index field of "
        "_airbyte_data with the parameter: ->> reads a field as text, while -> returns JSON, with quotes "
        "around a string."
    )


def test_07_3_hard_coded_index_rejected():
    sql = "SELECT _airbyte_ab_id FROM _airbyte_raw_vdp WHERE _airbyte_data->>'index' = '01M91BKKNN9WM0VHJQGKXWKEVJ'"

    feedback = check("07-3", sql)

    assert feedback.message == (
        "The query has no ? placeholder. Put a ? where the index goes and pass the index as a parameter: "
        "query_destination(database, sql, [indices[-1]])."
    )


def test_07_3_question_mark_in_quotes_ignored():
    feedback = check("07-3", "SELECT '?' AS _airbyte_ab_id FROM _airbyte_raw_vdp WHERE _airbyte_data->>'index' = ?")

    assert feedback.message == (
        "On a test table the query returned the _airbyte_ab_id '?', which is not the id of the row of the "
        "index it was given."
    )


def test_07_3_missing_filter_returns_all_rows():
    feedback = check("07-3", "SELECT _airbyte_ab_id FROM _airbyte_raw_vdp WHERE ? IS NOT NULL")

    assert feedback.message == (
        "On a test table the query returned 3 rows, but each index has one row. Keep only the row whose "
        "index field equals the parameter."
    )


def test_07_3_other_column_named():
    feedback = check("07-3", AB_ID_QUERY.replace("_airbyte_ab_id", "_airbyte_emitted_at"))

    assert feedback.message == "The query returned the columns ['_airbyte_emitted_at']. Select _airbyte_ab_id."


def test_07_3_sql_error_reported():
    feedback = check("07-3", "SELECT _airbyte_ab_id FROM results WHERE _airbyte_data->>'index' = ?")

    assert feedback.message == "The query failed on a test table of the same shape: no such table: results."


def test_07_3_sqlite_only_function_rejected():
    sql = "SELECT _airbyte_ab_id FROM _airbyte_raw_vdp WHERE json_extract(_airbyte_data, '$.index') = ?"

    feedback = check("07-3", sql)

    assert feedback.message == (
        "json_extract exists in SQLite only. Read the index with the operator ->>, so that the query also "
        "runs on PostgreSQL."
    )


def test_07_3_rows_instead_of_sql():
    feedback = check("07-3", [{"_airbyte_ab_id": "1b1525f5-2a44-5eff-aed2-fad3fb7ad871"}])

    assert feedback.message == (
        "The answer should be the SQL text, a str, not list. Pass the query itself, not the rows it returns."
    )


# 08-1


def test_08_1_counts_and_same_table_pass():
    feedback = check("08-1", (5, 1, True))

    assert feedback.passed is True
    assert feedback.message == (
        "5 requests with batch_size=1 and 1 with batch_size=8, and the same table: the batch size decides "
        "how the images share requests, not what the model finds in each."
    )


def test_08_1_comparison_result_passes(local_gateway):
    results_one = detect_folder(data_dir(), gateway=local_gateway, batch_size=1, progress=False)
    results_eight = detect_folder(data_dir(), gateway=local_gateway, batch_size=8, progress=False)

    feedback = check("08-1", (5, 1, results_one.table.equals(results_eight.table)))

    assert feedback.passed is True


def test_08_1_counting_all_files_fails():
    feedback = check("08-1", (8, 1, True))

    assert feedback.passed is False
    assert feedback.message == (
        "8 is the number of files in the folder. detect_folder sends only the images and skips the other files."
    )


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (
            (4, 1, True),
            (
                "With batch_size=1 each request carries one image, so 4 requests do not fit. Count the "
                "images that find_images returns."
            ),
        ),
        (
            (5, 0, True),
            (
                "With batch_size=8, 0 requests do not fit. A request carries up to 8 images, and a batch "
                "that is not full is sent too."
            ),
        ),
        (
            (5, 1, False),
            "Run detect_folder with both batch sizes and compare the tables with first.table.equals(second.table).",
        ),
        (
            (5, 1, "yes"),
            "The third value should be True or False, not str. Compare the two tables with DataFrame.equals.",
        ),
        ((5.0, 1, True), "The first two values should be ints, the numbers of requests, not float."),
        (
            {1: 5, 8: 1},
            (
                "The answer should be a tuple of three values: the number of requests with batch_size=1, "
                "the number with batch_size=8, and whether the two tables are equal (True or False)."
            ),
        ),
    ],
)
def test_08_1_wrong_answers_get_hints(answer, message):
    feedback = check("08-1", answer)

    assert feedback.passed is False
    assert feedback.message == message


# 08-2


def test_08_2_two_copies_pass(tmp_path, local_gateway):
    folder = _duplicate_folder(tmp_path)

    results = detect_folder(folder, gateway=local_gateway, progress=False)
    feedback = check("08-2", results)

    assert feedback.passed is True
    assert feedback.message == (
        "results names the skipped text file and counts both copies as images. Their rows differ only in "
        "the image column: the model sees the pixels, not the file name."
    )


def test_08_2_different_photos_fail(tmp_path, local_gateway):
    folder = _duplicate_folder(tmp_path, source="coffee.jpg")

    results = detect_folder(folder, gateway=local_gateway, progress=False)
    feedback = check("08-2", results)

    assert feedback.passed is False
    assert feedback.message == (
        "a.jpg and b.jpg are different files. Copy one photo twice, for example with shutil.copy."
    )


def test_08_2_sample_folder_rejected(local_gateway):
    results = detect_folder(data_dir(), gateway=local_gateway, progress=False)

    feedback = check("08-2", results)

    assert feedback.message == (
        "These are the results of the sample folder. Make a new folder with a text file and two copies of "
        "one photo, and run detect_folder on it."
    )


def test_08_2_folder_without_text_file(tmp_path):
    feedback = check("08-2", _folder_results(tmp_path, [], skipped=()))

    assert feedback.message == "detect_folder skipped no file. Put a text file in the folder too."


def test_08_2_three_images_rejected(tmp_path):
    feedback = check("08-2", _folder_results(tmp_path, [], images=("a.jpg", "b.jpg", "c.jpg")))

    assert feedback.message == (
        "The folder has 3 images. Put exactly two in it: copies of one photo under different names."
    )


def test_08_2_deleted_folder_named(tmp_path):
    folder = tmp_path / "gone"

    feedback = check("08-2", _folder_results(folder, []))

    assert feedback.message == f"{folder / 'a.jpg'} no longer exists. Keep the folder until the check has run."


def test_08_2_copies_without_rows(tmp_path):
    folder = _duplicate_folder(tmp_path)

    feedback = check("08-2", _folder_results(folder, []))

    assert feedback.message == (
        "Neither copy has a row, so there is nothing to compare. The local gateway finds objects only in "
        "the sample photos: copy one of those."
    )


def test_08_2_edited_rows_differ(tmp_path):
    folder = _duplicate_folder(tmp_path)
    rows = [
        ("a.jpg", "cat", 0.94, 18, 0, 384, 300, "models/yolov7"),
        ("b.jpg", "cat", 0.5, 18, 0, 384, 300, "models/yolov7"),
    ]

    feedback = check("08-2", _folder_results(folder, rows))

    assert feedback.message == (
        "The rows of a.jpg and b.jpg differ. Run detect_folder again on the folder, and pass its result unchanged."
    )


def test_08_2_table_is_not_results():
    feedback = check("08-2", pd.DataFrame(columns=TABLE_COLUMNS))

    assert feedback.message == "The answer should be what detect_folder returns, a FolderDetections, not DataFrame."


# 08-3


def test_08_3_idxmax_rows_pass():
    feedback = check("08-3", _top_category)

    assert feedback.passed is True
    assert feedback.message == (
        "For each image the Series gives the category of the row with the highest score, wherever that row "
        "is in the table and whatever its index label."
    )


def test_08_3_sorted_last_passes():
    feedback = check("08-3", lambda table: table.sort_values("score").groupby("image")["category"].last())

    assert feedback.passed is True


def test_08_3_first_row_fails():
    feedback = check("08-3", lambda table: table.groupby("image")["category"].first())

    assert feedback.passed is False
    assert feedback.message == (
        f"For {FIRST_TABLE} the function returned the "
        "category of each image's first row. Take the row with the highest score instead."
    )


def test_08_3_positional_lookup_fails():
    def top_by_position(table):
        return table.iloc[table.groupby("image")["score"].idxmax()].set_index("image")["category"]

    feedback = check("08-3", top_by_position)

    assert feedback.message == (
        "For a table with the rows of two images mixed and the index labels 10, 3, 7, 5 the function raised "
        "IndexError: positional indexers are out-of-bounds"
    )


def test_08_3_max_score_rejected():
    feedback = check("08-3", lambda table: table.groupby("image")["score"].max())

    assert feedback.message == (
        f"For {FIRST_TABLE} the Series holds numbers. "
        "Return the category of the best-scoring object, not its score."
    )


def test_08_3_dataframe_rejected():
    feedback = check("08-3", lambda table: table.loc[table.groupby("image")["score"].idxmax()])

    assert feedback.message == (
        f"For {FIRST_TABLE} the function returned a "
        "DataFrame. Return a Series: one category per image."
    )


def test_08_3_row_index_rejected():
    feedback = check("08-3", lambda table: table.loc[table.groupby("image")["score"].idxmax(), "category"])

    assert feedback.message == (
        f"For {FIRST_TABLE} the Series has the index "
        "[1, 3, 5]. Index it by image name, with one entry per image."
    )


def test_08_3_last_row_fails():
    feedback = check("08-3", lambda table: table.groupby("image")["category"].last())

    assert feedback.message == (
        f"For {FIRST_TABLE} the function returned "
        "{'a.jpg': 'dining table', 'b.jpg': 'cat', 'c.png': 'person'}, which is not the category of each image's "
        "highest-scoring object."
    )


# 09-1


def _method_tables(explorer, name="my-horse.png"):
    explorer.add_uploads([{"name": name, "content": sample_path("horse.png").read_bytes()}])
    tables = {}
    for method in ("base64", "multipart", "url"):
        explorer.method.value = method
        explorer.run()
        tables[method] = explorer.table.value
    return tables, explorer.error_message


def test_09_1_upload_comparison_passes(explorer):
    tables, url_message = _method_tables(explorer)

    answer = {"base64": tables["base64"], "multipart": tables["multipart"], "url": url_message}

    feedback = check("09-1", answer)

    assert feedback.passed is True
    assert feedback.message == (
        "base64 and multipart carry the same bytes, so the table is the same. The URL method needs an "
        "address that the gateway can download from, and a file uploaded into the notebook has none."
    )


def test_09_1_notice_html_accepted(explorer):
    tables, _url_message = _method_tables(explorer)

    answer = {"base64": tables["base64"], "multipart": tables["multipart"], "url": explorer.notice.value}

    feedback = check("09-1", answer)

    assert feedback.passed is True


def test_09_1_sample_url_run_fails(explorer):
    tables, _url_message = _method_tables(explorer)
    explorer.image.value = ("sample", "horse.png")
    explorer.run()

    answer = {"base64": tables["base64"], "multipart": tables["multipart"], "url": explorer.error_message}

    feedback = check("09-1", answer)

    assert feedback.passed is False
    assert feedback.message == (
        "answer['url'] is empty. Select your uploaded photo, choose URL, run, and pass explorer.error_message."
    )


def test_09_1_tables_of_two_images_differ(explorer):
    tables, url_message = _method_tables(explorer)
    explorer.image.value = ("sample", "coffee.jpg")
    explorer.method.value = "multipart"
    explorer.run()

    answer = {"base64": tables["base64"], "multipart": explorer.table.value, "url": url_message}

    feedback = check("09-1", answer)

    assert feedback.message == (
        "The two tables differ. Run the same image with both methods, and leave the score slider and the "
        "categories as they are between the two runs."
    )


def test_09_1_table_widget_rejected(explorer):
    feedback = check("09-1", {"base64": explorer.table, "multipart": "", "url": URL_NEEDS_SAMPLE})

    assert feedback.message == "answer['base64'] is the widget. Pass the HTML it shows: explorer.table.value."


def test_09_1_empty_table_rejected():
    feedback = check("09-1", {"base64": "", "multipart": "", "url": URL_NEEDS_SAMPLE})

    assert feedback.message == (
        "answer['base64'] is empty, so the explorer showed no result. Run it, and read "
        "explorer.error_message if the run fails."
    )


def test_09_1_other_error_rejected():
    table = "<p class='vdp101-empty'>No detections to show.</p>"

    feedback = check("09-1", {"base64": table, "multipart": table, "url": "No pipeline is selected."})

    assert feedback.message == (
        "answer['url'] is 'No pipeline is selected.', a message about something else. Select your uploaded "
        "photo, choose URL, run, and pass explorer.error_message."
    )


def test_09_1_missing_key_named():
    feedback = check("09-1", {"base64": "", "multipart": ""})

    assert feedback.message == (
        "The dict has the keys ['base64', 'multipart'], but it should have 'base64', 'multipart' and 'url'."
    )


def test_09_1_list_answer_rejected():
    feedback = check("09-1", ["<table></table>", "<table></table>", URL_NEEDS_SAMPLE])

    assert feedback.message == "The answer should be a dict with the keys 'base64', 'multipart' and 'url', not list."


# 09-2


def test_09_2_threshold_between_scores_passes(coffee_explorer):
    coffee_explorer.min_score.value = 0.6

    feedback = check("09-2", coffee_explorer)

    assert feedback.passed is True
    assert feedback.message == (
        "A threshold of 0.60 is above the dining table's score (0.55) and at most the spoon's (0.78), so it "
        "hides the table and keeps the spoon."
    )


@pytest.mark.parametrize(
    ("threshold", "message"),
    [
        (0.55, "At a threshold of 0.55 the dining table is still drawn. Raise the threshold."),
        (0.8, "At a threshold of 0.80 the spoon is hidden too. Lower the threshold."),
    ],
)
def test_09_2_threshold_outside_scores_fails(coffee_explorer, threshold, message):
    coffee_explorer.min_score.value = threshold

    feedback = check("09-2", coffee_explorer)

    assert feedback.passed is False
    assert feedback.message == message


def test_09_2_category_filter_rejected(coffee_explorer):
    coffee_explorer.categories.value = ("cup", "spoon")

    feedback = check("09-2", coffee_explorer)

    assert feedback.message == (
        "The category 'dining table' is not selected. Select every category again, so that only the score "
        "threshold hides objects."
    )


def test_09_2_other_image_named(explorer):
    explorer.image.value = ("sample", "chelsea.jpg")
    explorer.run()

    feedback = check("09-2", explorer)

    assert feedback.message == (
        "The explorer's last run found no spoon and no dining table. Select coffee.jpg and run it (explorer.run())."
    )


def test_09_2_summary_text_rejected(coffee_explorer):
    feedback = check("09-2", coffee_explorer.summary.value)

    assert feedback.message == "The answer should be the explorer itself, explorer, not str."


# 09-3


def test_09_3_curl_output_passes(coffee_explorer, local_gateway):
    output = trigger_multipart("vdp-101-sync", sample_path("coffee.jpg"), gateway=local_gateway).text

    feedback = check("09-3", (coffee_explorer, output))

    assert feedback.passed is True
    assert feedback.message == (
        "Each row of the table is an object of the output: category, score (rounded to 2 decimals in the "
        "table) and bounding_box, in pixels. The explorer reads the same JSON as the command prints."
    )


def test_09_3_parsed_output_accepted(coffee_explorer, local_gateway):
    body = trigger_multipart("vdp-101-sync", sample_path("coffee.jpg"), gateway=local_gateway).json()

    feedback = check("09-3", (coffee_explorer, body))

    assert feedback.passed is True


def test_09_3_output_of_other_image(coffee_explorer, local_gateway):
    output = trigger_multipart("vdp-101-sync", sample_path("chelsea.jpg"), gateway=local_gateway).text

    feedback = check("09-3", (coffee_explorer, output))

    assert feedback.passed is False
    assert feedback.message == (
        "The table's row cup 0.91 is not in the output. Run the command of the explorer's last run, and "
        "pass the explorer after that run."
    )


def test_09_3_json_method_rejected(explorer, local_gateway):
    explorer.image.value = ("sample", "coffee.jpg")
    explorer.run()
    output = trigger_multipart("vdp-101-sync", sample_path("coffee.jpg"), gateway=local_gateway).text

    feedback = check("09-3", (explorer, output))

    assert feedback.message == (
        "The explorer's last request sent JSON to triggerSync. Choose multipart, run, and copy the new command."
    )


def test_09_3_curl_error_quoted(coffee_explorer):
    output = "curl: (7) Failed to connect to 127.0.0.1 port 9 after 0 ms: Couldn't connect to server\n"

    feedback = check("09-3", (coffee_explorer, output))

    assert feedback.message == (
        "cURL printed an error instead of JSON: curl: (7) Failed to connect to 127.0.0.1 port 9 after 0 ms: "
        "Couldn't connect to server. Run the command while this notebook's gateway runs."
    )


def test_09_3_gateway_error_quoted(coffee_explorer):
    output = json.dumps({"code": 5, "message": "Pipeline 'vdp-101-sync' was not found.", "details": []})

    feedback = check("09-3", (coffee_explorer, output))

    assert feedback.message == (
        "The gateway answered the command with an error: Pipeline 'vdp-101-sync' was not found. "
        "Copy the command of the explorer's last run again."
    )


def test_09_3_truncated_output_rejected(coffee_explorer, local_gateway):
    output = trigger_multipart("vdp-101-sync", sample_path("coffee.jpg"), gateway=local_gateway).text

    feedback = check("09-3", (coffee_explorer, output[:-10]))

    assert feedback.message == (
        "The output is not JSON. Paste everything that the command printed, from the first { to the last }."
    )


def test_09_3_hidden_rows_leave_nothing(coffee_explorer, local_gateway):
    output = trigger_multipart("vdp-101-sync", sample_path("coffee.jpg"), gateway=local_gateway).text
    coffee_explorer.min_score.value = 1.0

    feedback = check("09-3", (coffee_explorer, output))

    assert feedback.message == (
        "The explorer's table has no rows, so there are no numbers to find. Lower the score threshold or "
        "select the categories."
    )


def test_09_3_unrun_explorer_rejected(explorer):
    feedback = check("09-3", (explorer, "{}"))

    assert feedback.message == "The explorer has sent no request yet. Choose multipart and run it."


def test_09_3_table_instead_of_explorer(coffee_explorer):
    feedback = check("09-3", (coffee_explorer.table.value, "{}"))

    assert feedback.message == "The first value of the tuple should be the explorer itself, explorer, not str."


def test_09_3_failed_run_reported(explorer):
    explorer.add_uploads([{"name": "my-horse.png", "content": sample_path("horse.png").read_bytes()}])
    explorer.run()

    feedback = check("09-3", (explorer, "{}"))

    assert feedback.message == f"The explorer's last run failed: {URL_NEEDS_SAMPLE}"


def test_09_3_output_alone_rejected():
    feedback = check("09-3", "{}")

    assert feedback.message == (
        "The answer should be a tuple (explorer, output): the explorer, and the text that the cURL command printed."
    )
