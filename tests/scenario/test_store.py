"""The kept scenario model: read back it gives the figures of the model computed, and a log that
changed (a new ingest, another events file) or other settings are computed anew."""

import os
import shutil
import stat

import pandas as pd
import pytest

from toolkit.eventlog import event_parts
from toolkit.logdir import LOG_FILES, commit, current_files, ingest_lock
from toolkit.scenario.run import Levers
from toolkit.scenario.store import MODEL_FILE, KeptModel, load_model, save_model

MONTHS = 2
SETTINGS = {"months": MONTHS, "seed": 1, "sample": 1.0}


def _copy(source, target) -> None:
    """A file of a log, or its folder of event parts."""
    if source.is_dir():
        shutil.copytree(source, target)
    else:
        shutil.copyfile(source, target)


def _ingested(log_dir, source) -> None:
    """A new version of ``log_dir`` with the files of ``source``, as an ingest writes it."""
    writers = {name: (lambda path, name=name: _copy(source / name, path)) for name in LOG_FILES}
    with ingest_lock(log_dir):
        commit(log_dir, writers)


@pytest.fixture(scope="module")
def log_dir(tmp_path_factory, chain_log_dir):
    folder = tmp_path_factory.mktemp("kept") / "log"
    _ingested(folder, current_files(chain_log_dir))
    return folder


@pytest.fixture(scope="module")
def model(log_dir, chain_log):
    return KeptModel(chain_log, current_files(log_dir), **SETTINGS).model()


def test_read_back_gives_the_figures_of_the_model_computed(log_dir, chain_log, model):
    path = current_files(log_dir) / MODEL_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = load_model(chain_log, current_files(log_dir), **SETTINGS)
    assert again is not None
    assert again.calibration.estimates == model.calibration.estimates
    assert again.state == model.state
    for levers in (Levers(), Levers(inflow=2.0, homes={"*": 1.3})):
        pd.testing.assert_frame_equal(again.result(levers).table, model.result(levers).table)


def test_other_settings_are_computed_anew(log_dir, chain_log, model):
    files = current_files(log_dir)
    assert load_model(chain_log, files, **{**SETTINGS, "months": MONTHS + 1}) is None
    assert load_model(chain_log, files, **{**SETTINGS, "seed": 2}) is None
    assert load_model(chain_log, files, **{**SETTINGS, "sample": 0.5}) is None


def test_a_new_ingest_starts_without_and_drops_the_old(tmp_path, chain_log_dir, chain_log, model):
    folder = tmp_path / "log"
    _ingested(folder, current_files(chain_log_dir))
    old = current_files(folder)
    save_model(model, old)
    assert load_model(chain_log, old, **SETTINGS) is not None
    _ingested(folder, current_files(chain_log_dir))
    assert current_files(folder) != old
    assert load_model(chain_log, current_files(folder), **SETTINGS) is None
    _ingested(folder, current_files(chain_log_dir))  # the next ingest removes the old versions
    assert not old.exists()


def _plain_log(log_dir, folder) -> None:
    """A log of plain files in ``folder``: the events of ``log_dir`` in one file (one part)."""
    (part,) = event_parts(log_dir / "events.parquet")
    shutil.copyfile(part, folder / "events.parquet")


def test_a_plain_log_whose_events_change_is_computed_anew(tmp_path, chain_log_dir, chain_log,
                                                          model):  # fmt: skip
    _plain_log(chain_log_dir, tmp_path)
    save_model(model, tmp_path)
    assert load_model(chain_log, tmp_path, **SETTINGS) is not None
    events = tmp_path / "events.parquet"
    os.utime(events, ns=(events.stat().st_atime_ns, events.stat().st_mtime_ns + 10**9))
    assert load_model(chain_log, tmp_path, **SETTINGS) is None


def test_an_unreadable_file_is_computed_anew(tmp_path, chain_log_dir, chain_log):
    _plain_log(chain_log_dir, tmp_path)
    (tmp_path / MODEL_FILE).write_text('{"key": {"format"', "utf-8")
    assert load_model(chain_log, tmp_path, **SETTINGS) is None


def test_a_worker_forked_while_the_model_is_prepared_is_not_locked_out(chain_log):
    """The dashboard's workers are forked while the model may still be prepared in a thread of
    the parent: that thread does not exist in a worker, and its lock must not stay held there."""
    kept = KeptModel(chain_log, None, months=3)
    kept.progress.report("calibrating")
    with kept._lock:  # as the preparing thread holds it
        pid = os.fork()
        if pid == 0:  # the worker: free to prepare for itself, nothing half-done inherited
            fresh = kept._lock.acquire(timeout=30) and kept.progress.step == ""
            os._exit(0 if fresh and kept._thread is None else 1)
        _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
