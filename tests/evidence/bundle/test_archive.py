"""Bundles shipped as archives: unpacked safely, or refused with a clear message."""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

import pytest

from warroom.errors import InputError
from warroom.evidence.archive import ArchiveLimits
from warroom.evidence.bundle import load_bundle

METRICS = b"timestamp,metric,value\n2026-03-04T14:00:00Z,cpu,1.5\n"


def _add(archive: tarfile.TarFile, name: str, data: bytes = b"", **kind: object) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = 1772632800
    for key, value in kind.items():
        setattr(info, key, value)
    archive.addfile(info, io.BytesIO(data) if data else None)


def _tar_gz(path: Path, build: object) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        build(archive)  # type: ignore[operator]
    return path


def test_archive_tar_gz_loads_like_a_folder(tmp_path: Path) -> None:
    def build(archive: tarfile.TarFile) -> None:
        _add(archive, "bundle/metrics/m.csv", METRICS)
        _add(archive, "bundle/warroom.yaml", b"service: shop\n")

    path = _tar_gz(tmp_path / "bundle.tar.gz", build)
    bundle = load_bundle(path)
    root = bundle.root
    assert bundle.manifest.service == "shop"
    assert bundle.con.execute("SELECT metric, value, source FROM metrics").fetchall() == [
        ("cpu", 1.5, "metrics/m.csv")
    ]
    assert root.is_dir()
    bundle.close()
    assert not root.exists()  # the unpacked copy is removed on close


def test_archive_path_traversal_and_links_out_are_skipped(tmp_path: Path) -> None:
    def build(archive: tarfile.TarFile) -> None:
        _add(archive, "m.csv", METRICS)
        _add(archive, "../evil.csv", METRICS)
        _add(archive, "/etc/evil.csv", METRICS)
        _add(archive, "passwd", type=tarfile.SYMTYPE, linkname="/etc/passwd")
        _add(archive, "up", type=tarfile.SYMTYPE, linkname="../../outside")
        _add(archive, "hard", type=tarfile.LNKTYPE, linkname="../../etc/passwd")
        _add(archive, "inside", type=tarfile.SYMTYPE, linkname="m.csv")
        _add(archive, "fifo", type=tarfile.FIFOTYPE)

    path = _tar_gz(tmp_path / "evil.tar.gz", build)
    with load_bundle(path) as bundle:
        skipped = bundle.inputs()["skipped"]
        sources = bundle.con.execute("SELECT source FROM metrics ORDER BY source").fetchall()
    escapes = "path leaves the bundle (absolute, or with '..'); not extracted"
    link_out = "link points outside the bundle; not extracted"
    assert skipped == [
        {"path": "evil.tar.gz:../evil.csv", "reason": escapes},
        {"path": "evil.tar.gz:/etc/evil.csv", "reason": escapes},
        {"path": "evil.tar.gz:fifo", "reason": "device file or FIFO; not extracted"},
        {"path": "evil.tar.gz:hard", "reason": link_out},
        {"path": "evil.tar.gz:passwd", "reason": link_out},
        {"path": "evil.tar.gz:up", "reason": link_out},
    ]
    assert sources == [("inside",), ("m.csv",)]  # a link inside the bundle is fine
    assert not (tmp_path / "evil.csv").exists()


def test_archive_zip_traversal_is_skipped_and_good_members_load(tmp_path: Path) -> None:
    path = tmp_path / "bundle.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("m.csv", METRICS)
        archive.writestr("../../evil.csv", METRICS)
    with load_bundle(path) as bundle:
        assert bundle.inputs()["metrics_samples"] == 1
        assert bundle.inputs()["skipped"] == [
            {
                "path": "bundle.zip:../../evil.csv",
                "reason": "path leaves the bundle (absolute, or with '..'); not extracted",
            }
        ]


def test_archive_zip_bomb_over_the_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.csv", b"0" * (4 << 20))
    assert path.stat().st_size < 64 << 10  # a few KiB that claim megabytes
    with pytest.raises(InputError, match="unpacks to more than 1048576 bytes") as caught:
        load_bundle(path, limits=ArchiveLimits(max_bytes=1 << 20))
    assert "decompression bomb" in caught.value.message


def test_archive_tar_bomb_is_stopped_while_writing(tmp_path: Path) -> None:
    def build(archive: tarfile.TarFile) -> None:
        _add(archive, "zeros.csv", b"0" * (3 << 20))

    path = _tar_gz(tmp_path / "bomb.tar.gz", build)
    with pytest.raises(InputError, match="decompression bomb"):
        load_bundle(path, limits=ArchiveLimits(max_bytes=1 << 20))


def test_archive_with_too_many_members_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for index in range(5):
            archive.writestr(f"f{index}.txt", b"x")
    with pytest.raises(InputError, match="more than 3 members"):
        load_bundle(path, limits=ArchiveLimits(max_members=3))


def test_archive_truncated_is_an_input_error(tmp_path: Path) -> None:
    def build(archive: tarfile.TarFile) -> None:
        _add(archive, "m.csv", METRICS * 2000)

    whole = _tar_gz(tmp_path / "whole.tar.gz", build).read_bytes()
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(InputError, match="not a readable archive"):
        load_bundle(cut)
