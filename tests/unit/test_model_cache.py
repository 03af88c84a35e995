import shutil
from pathlib import Path

from bot import model_cache

ROOT = Path(__file__).resolve().parents[2]


def _copy_inputs(tmp_path: Path) -> Path:
    for name in model_cache.INPUT_FILES:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, tmp_path / name)
    for folder in model_cache.INPUT_DIRS:
        shutil.copytree(ROOT / folder, tmp_path / folder,
                        ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def test_hash_is_stable_for_unchanged_inputs(tmp_path) -> None:
    root = _copy_inputs(tmp_path)
    assert model_cache.inputs_hash(root) == model_cache.inputs_hash(root)
    assert model_cache.inputs_hash(root) == model_cache.inputs_hash(ROOT)


def test_any_training_input_change_changes_the_hash(tmp_path) -> None:
    root = _copy_inputs(tmp_path)
    before = model_cache.inputs_hash(root)
    (root / "data/nlu/new.yml").write_text('version: "3.1"\n')
    added = model_cache.inputs_hash(root)
    assert added != before
    with (root / "config.yml").open("a") as handle:
        handle.write("\n# comment\n")
    assert model_cache.inputs_hash(root) != added


def test_unrelated_files_do_not_retrain(tmp_path) -> None:
    root = _copy_inputs(tmp_path)
    before = model_cache.inputs_hash(root)
    (root / "README.md").write_text("docs change")
    (root / "bot/nlu/__pycache__").mkdir()
    (root / "bot/nlu/__pycache__/x.pyc").write_bytes(b"\0")
    assert model_cache.inputs_hash(root) == before
