"""The driver validates, then writes: each bad input is one line naming the flag or file, and
leaves no workdir; --help exits 0."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from absl import flags as absl_flags
from PIL import Image

from cyclegan_tf import main as driver

FLAGS = absl_flags.FLAGS
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# A tiny run: 2 training pairs of 24 px, no residual block, eager steps.
TINY = [
    "--dataset=synthetic_facades",
    "--synthetic_train=2",
    "--synthetic_test=1",
    "--load_size=28",
    "--crop_size=24",
    "--n_blocks=0",
    "--n_epochs=1",
    "--n_epochs_decay=0",
    "--n_samples=1",
    "--run_eagerly",
    "--progress_interval=0",
]


def run_driver(args: list[str]) -> None:
    """Parses ``args`` as the command line would and runs the driver's main in-process."""
    FLAGS.unparse_flags()
    try:
        driver.main(FLAGS(["cyclegan_tf.main", *args]))
    finally:
        FLAGS.unparse_flags()


def error_line(args: list[str]) -> str:
    with pytest.raises(SystemExit) as exit_info:
        run_driver(args)
    message = str(exit_info.value.code)
    assert message.startswith("error: ") and "\n" not in message, message
    return message


def write_image(path, size=(8, 8)) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    Image.new("RGB", size, (10, 20, 30)).save(path)


@pytest.mark.parametrize(
    "args, named",
    [
        (["--batch_size=-5"], "--batch_size=-5"),
        (["--batch_size=0"], "--batch_size=0"),
        (["--crop_size=64", "--load_size=32"], "--load_size=32"),
        (["--crop_size=30"], "--crop_size=30"),
        (["--synthetic_train=0"], "--synthetic_train=0"),
        (["--synthetic_test=-1"], "--synthetic_test=-1"),
        (["--synthetic_size=8"], "--synthetic_size=8"),
        (["--n_samples=0"], "--n_samples=0"),
        (["--summary_every=0"], "--summary_every=0"),
        (["--checkpoint_every=-1"], "--checkpoint_every=-1"),
        (["--n_blocks=-1"], "--n_blocks=-1"),
        (["--pool_size=-1"], "--pool_size=-1"),
        (["--n_epochs=0", "--n_epochs_decay=0"], "--n_epochs + --n_epochs_decay"),
        (["--n_epochs=-2"], "--n_epochs=-2"),
        (["--lr=0"], "--lr=0"),
        (["--beta_1=1.0"], "--beta_1=1.0"),
        (["--lambda_a=-1"], "--lambda_a=-1"),
        (["--gan_mode=wgangp"], "--gan_mode=wgangp"),
        (["--preprocess=stretch"], "--preprocess=stretch"),
        (["--preprocess=scale_width", "--batch_size=2"], "needs --batch_size=1, not 2"),
        (["--preprocess=none", "--jit_compile"], "--jit_compile with --preprocess=none"),
        (["--norm=group"], "--norm=group"),
        (["--direction=AtoA"], "--direction=AtoA"),
        (["--mixed_precision=float16"], "--mixed_precision=float16"),
        (["--n_layers_d=0"], "--n_layers_d=0"),
        (["--dataset=imagenet"], "--dataset=imagenet"),
        (["--upsample=bilinear"], "--upsample=bilinear"),
        (["--discriminator=patch1"], "--discriminator=patch1"),
        (["--label_palette=cityscapes"], "--label_palette=cityscapes"),
        (["--dataset=folder"], "--dataset=folder needs --data_folder"),
    ],
)
def test_a_bad_flag_is_one_line_naming_it_and_no_workdir(tmp_path, args, named):
    workdir = tmp_path / "run"
    message = error_line([f"--workdir={workdir}", *TINY, *args])
    assert named in message
    assert not workdir.exists()


def test_bad_data_folders_name_the_folder_or_file_and_leave_no_workdir(tmp_path):
    workdir = tmp_path / "run"
    root = tmp_path / "data"

    def check(folder, named):
        args = [f"--workdir={workdir}", *TINY, "--dataset=folder", f"--data_folder={folder}"]
        assert named in error_line(args), folder
        assert not workdir.exists(), folder

    check(tmp_path / "missing", "no such directory")
    (tmp_path / "empty").mkdir()
    check(tmp_path / "empty", os.path.join(str(tmp_path / "empty"), "trainA"))
    for split in ("trainA", "trainB", "testA", "testB"):
        (root / split).mkdir(parents=True)
    write_image(root / "trainA" / "1.png")
    check(root, os.path.join(str(root), "trainB") + ": no images")
    for split in ("trainB", "testA", "testB"):
        write_image(root / split / "1.png")
    (root / "testB" / "2.jpg").write_bytes(b"not a jpeg")
    check(root, os.path.join(str(root), "testB", "2.jpg") + ": cannot read image")


def test_test_mode_on_a_missing_workdir_does_not_create_it(tmp_path):
    workdir = tmp_path / "nothing"
    assert "no trained run" in error_line(["--mode=test", f"--workdir={workdir}"])
    assert not workdir.exists()


def test_an_empty_folder_does_not_lock_the_workdir_for_another_crop_size(tmp_path):
    workdir = tmp_path / "run"
    empty = tmp_path / "empty"
    empty.mkdir()
    error_line([f"--workdir={workdir}", *TINY, "--dataset=folder", f"--data_folder={empty}"])
    assert not workdir.exists()
    # A workdir left by an older version, or by a run killed before its first checkpoint:
    # its config.json (crop 24) must not refuse a run with another crop.
    from cyclegan_tf.config import RunConfig

    workdir.mkdir()
    RunConfig(workdir=str(workdir), crop_size=24).save(str(workdir / "config.json"))
    run_driver([f"--workdir={workdir}", *TINY, "--load_size=36", "--crop_size=32"])
    assert RunConfig.load(str(workdir / "config.json")).crop_size == 32
    assert (workdir / "checkpoints").is_dir()
    # Once it has checkpointed, the run's settings bind the workdir.
    message = error_line([f"--workdir={workdir}", *TINY, "--n_epochs=2"])
    assert "--crop_size=24 differs from 32" in message


def test_help_exits_zero_and_seed_help_is_about_this_driver():
    result = subprocess.run(
        [sys.executable, "-m", "cyclegan_tf.main", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "--crop_size" in result.stdout and "--seed" in result.stdout
    seed_help = result.stdout.split("  --seed\n")[1].split("\n  --")[0]
    assert "weight initialisation" in seed_help and "SeqGAN" not in seed_help
