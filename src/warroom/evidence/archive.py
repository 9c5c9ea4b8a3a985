"""Safe extraction of a bundle shipped as a `.tar.gz`, `.tar` or `.zip`.

Archives come from other people's machines, so nothing in one is trusted: a member whose path
leaves the extraction folder (absolute, or with `..`) or a link that points out of it is not
extracted and is listed as skipped; device files and FIFOs are skipped too. Sizes are counted as
bytes are written, not taken from headers (a zip can lie about them), and an archive that would
unpack to more than the limit is refused with an `InputError`: that is a bomb, not evidence.
"""

from __future__ import annotations

import calendar
import gzip
import os
import shutil
import stat
import tarfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, NoReturn

from warroom.errors import InputError

_CHUNK = 1 << 20


@dataclass(frozen=True)
class ArchiveLimits:
    """How much an archive may unpack to before it is refused."""

    max_bytes: int = 16 << 30  # 16 GiB of unpacked files
    max_members: int = 200_000


@dataclass
class Extracted:
    """Where an archive was unpacked, and the members that were left out (path, reason)."""

    folder: Path
    skipped: list[tuple[str, str]] = field(default_factory=list)


def is_archive(path: Path) -> bool:
    """True for a zip or (possibly compressed) tar file, recognised by content."""
    return path.is_file() and (zipfile.is_zipfile(path) or tarfile.is_tarfile(path))


def extract(archive: Path, destination: Path, *, limits: ArchiveLimits) -> Extracted:
    """Unpack `archive` into the empty folder `destination`, safely (see the module docstring)."""
    budget = _Budget(limits=limits, archive=archive.name)
    result = Extracted(folder=destination)
    try:
        if zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as bundle_zip:
                _extract_zip(bundle_zip, destination, budget=budget, result=result)
        else:
            with tarfile.open(archive, mode="r:*") as bundle_tar:
                _extract_tar(bundle_tar, destination, budget=budget, result=result)
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise InputError(
            f"{archive.name} is not a readable archive ({exc})",
            hint="check that the file was copied whole, or unpack it and pass the folder",
        ) from exc
    return result


@dataclass
class _Budget:
    limits: ArchiveLimits
    archive: str
    written: int = 0
    members: int = 0

    def count_member(self) -> None:
        self.members += 1
        if self.members > self.limits.max_members:
            raise InputError(
                f"{self.archive} has more than {self.limits.max_members} members",
                hint="unpack it yourself and pass the folder if it is really evidence",
            )

    def count_bytes(self, size: int) -> None:
        self.written += size
        if self.written > self.limits.max_bytes:
            self.refuse()

    def refuse(self) -> NoReturn:
        raise InputError(
            f"{self.archive} unpacks to more than {self.limits.max_bytes} bytes "
            "(a decompression bomb, or a bundle too large to read)",
            hint="unpack it yourself and pass the folder if it is really evidence",
        )


def _safe_target(destination: Path, name: str) -> Path | None:
    """Where a member goes, or None when its path would leave `destination`."""
    pure = PurePosixPath(name.replace("\\", "/"))
    if pure.is_absolute() or ".." in pure.parts or (pure.parts and ":" in pure.parts[0]):
        return None
    parts = [part for part in pure.parts if part not in ("", ".")]
    return destination.joinpath(*parts) if parts else None


def _link_inside(destination: Path, link: Path, target: str) -> bool:
    """True when a link at `link` pointing to `target` stays inside `destination`."""
    if target.startswith(("/", "\\")):
        return False
    resolved = os.path.normpath(os.path.join(link.parent, target))
    return Path(resolved).is_relative_to(destination)


def _copy(source: IO[bytes], target: Path, *, budget: _Budget) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as out:
        while chunk := source.read(_CHUNK):
            budget.count_bytes(len(chunk))
            out.write(chunk)


_ESCAPES = "path leaves the bundle (absolute, or with '..'); not extracted"
_LINK_OUT = "link points outside the bundle; not extracted"


def _extract_tar(
    bundle_tar: tarfile.TarFile, destination: Path, *, budget: _Budget, result: Extracted
) -> None:
    for member in bundle_tar:
        budget.count_member()
        target = _safe_target(destination, member.name)
        if target is None:
            if member.name.strip("./"):
                result.skipped.append((member.name, _ESCAPES))
            continue
        if member.isdir():
            target.mkdir(parents=True, exist_ok=True)
        elif member.isreg():
            source = bundle_tar.extractfile(member)
            if source is not None:
                _copy(source, target, budget=budget)
                os.utime(target, (member.mtime, member.mtime))
        elif member.issym() or member.islnk():
            _tar_link(member, target, destination, result=result)
        else:
            result.skipped.append((member.name, "device file or FIFO; not extracted"))


def _tar_link(
    member: tarfile.TarInfo, target: Path, destination: Path, *, result: Extracted
) -> None:
    if member.islnk():  # hard link: its target is a path from the archive's root
        source = _safe_target(destination, member.linkname)
        if source is None or not source.is_file():
            result.skipped.append((member.name, _LINK_OUT))
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
        return
    if not _link_inside(destination, target, member.linkname):
        result.skipped.append((member.name, _LINK_OUT))
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    target.symlink_to(member.linkname)


def _extract_zip(
    bundle_zip: zipfile.ZipFile, destination: Path, *, budget: _Budget, result: Extracted
) -> None:
    infos = bundle_zip.infolist()
    if sum(info.file_size for info in infos) > budget.limits.max_bytes:
        budget.refuse()  # the headers already say too much; real sizes are counted below too
    for info in infos:
        budget.count_member()
        target = _safe_target(destination, info.filename)
        if target is None:
            result.skipped.append((info.filename, _ESCAPES))
        elif info.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        elif info.flag_bits & 0x1:
            result.skipped.append((info.filename, "encrypted member; not extracted"))
        elif stat.S_ISLNK(info.external_attr >> 16):
            link_to = bundle_zip.read(info)[:4096].decode("utf-8", errors="replace")
            if not _link_inside(destination, target, link_to):
                result.skipped.append((info.filename, _LINK_OUT))
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(link_to)
        else:
            with bundle_zip.open(info) as source:
                _copy(source, target, budget=budget)
            moment = calendar.timegm((*info.date_time, 0, 0, 0))
            os.utime(target, (moment, moment))
