"""
A PEP 517 build backend in the standard library alone, so that ``pip install ./clients/python``
works offline on any Python 3.9+ (no setuptools or wheel to download). It builds a pure-Python
wheel of ``spool_client``, an sdist, and an editable wheel for ``pip install -e``.
"""
from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import tarfile
import zipfile
from typing import Dict, List, Optional, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE = "spool_client"


def _project() -> Dict[str, str]:
    """The [project] table's plain string fields (name, version, description, requires-python, license)."""
    text = open(os.path.join(HERE, "pyproject.toml"), encoding="utf-8").read()
    section = re.search(r"^\[project\]\s*$(.*?)(?=^\[)", text + "\n[", re.S | re.M)
    assert section, "pyproject.toml has no [project] table"
    fields = dict(re.findall(r'^([A-Za-z-]+)\s*=\s*"([^"]*)"\s*$', section.group(1), re.M))
    license_text = re.search(r'^license\s*=\s*\{\s*text\s*=\s*"([^"]*)"\s*\}', section.group(1), re.M)
    if license_text:
        fields["license"] = license_text.group(1)
    return fields


def _dist_name(project: Dict[str, str]) -> str:
    return re.sub(r"[-_.]+", "_", project["name"]).lower()


def _metadata(project: Dict[str, str]) -> str:
    readme = os.path.join(HERE, "README.md")
    lines = [
        "Metadata-Version: 2.1",
        f"Name: {project['name']}",
        f"Version: {project['version']}",
        f"Summary: {project.get('description', '')}",
        f"Requires-Python: {project.get('requires-python', '>=3.9')}",
        f"License: {project.get('license', '')}",
        "Classifier: Programming Language :: Python :: 3",
        "Classifier: Typing :: Typed",
    ]
    if os.path.exists(readme):
        lines.append("Description-Content-Type: text/markdown")
        return "\n".join(lines) + "\n\n" + open(readme, encoding="utf-8").read()
    return "\n".join(lines) + "\n"


def _package_files() -> List[Tuple[str, str]]:
    """(path in the archive, path on disk) of the package's modules and py.typed."""
    folder = os.path.join(HERE, PACKAGE)
    names = sorted(n for n in os.listdir(folder) if n.endswith(".py") or n == "py.typed")
    return [(f"{PACKAGE}/{n}", os.path.join(folder, n)) for n in names]


def _record_line(path: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}"


def _write_wheel(directory: str, contents: List[Tuple[str, bytes]]) -> str:
    project = _project()
    name, version = _dist_name(project), project["version"]
    info = f"{name}-{version}.dist-info"
    files = list(contents) + [
        (f"{info}/METADATA", _metadata(project).encode()),
        (f"{info}/WHEEL", b"Wheel-Version: 1.0\nGenerator: spool_client build_backend\nRoot-Is-Purelib: true\nTag: py3-none-any\n"),
        (f"{info}/top_level.txt", f"{PACKAGE}\n".encode()),
    ]
    record = "\n".join([_record_line(p, d) for p, d in files] + [f"{info}/RECORD,,"]) + "\n"
    filename = f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(directory, filename), "w", zipfile.ZIP_DEFLATED) as wheel:
        for path, data in files + [(f"{info}/RECORD", record.encode())]:
            wheel.writestr(zipfile.ZipInfo(path, date_time=(2020, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
    return filename


def get_requires_for_build_wheel(config_settings: Optional[dict] = None) -> List[str]:
    return []


def get_requires_for_build_sdist(config_settings: Optional[dict] = None) -> List[str]:
    return []


def get_requires_for_build_editable(config_settings: Optional[dict] = None) -> List[str]:
    return []


def build_wheel(wheel_directory: str, config_settings: Optional[dict] = None, metadata_directory: Optional[str] = None) -> str:
    return _write_wheel(wheel_directory, [(path, open(disk, "rb").read()) for path, disk in _package_files()])


def build_editable(wheel_directory: str, config_settings: Optional[dict] = None, metadata_directory: Optional[str] = None) -> str:
    """A wheel whose .pth file puts this folder on sys.path: edits to the sources take effect at once."""
    return _write_wheel(wheel_directory, [(f"__editable__.{PACKAGE}.pth", (HERE + "\n").encode())])


def build_sdist(sdist_directory: str, config_settings: Optional[dict] = None) -> str:
    project = _project()
    base = f"{_dist_name(project)}-{project['version']}"
    files = [(p, d) for p, d in _package_files()] + [(n, os.path.join(HERE, n)) for n in ("pyproject.toml", "build_backend.py", "README.md") if os.path.exists(os.path.join(HERE, n))]
    filename = f"{base}.tar.gz"
    with tarfile.open(os.path.join(sdist_directory, filename), "w:gz", format=tarfile.PAX_FORMAT) as sdist:
        for path, data in [(p, open(d, "rb").read()) for p, d in files] + [("PKG-INFO", _metadata(project).encode())]:
            member = tarfile.TarInfo(f"{base}/{path}")
            member.size, member.mtime, member.mode = len(data), 1577836800, 0o644
            sdist.addfile(member, io.BytesIO(data))
    return filename
