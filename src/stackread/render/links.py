"""Where source links in drawings and the gallery go: the code at the release on opendev when the
tree is a published release, else the files read; --link-template overrides both."""

from __future__ import annotations

import pathlib
import re
from urllib.parse import quote

from stackread.flows.release import Release

OPENDEV = "https://opendev.org/openstack/{project}/src/tag/{version}/{{path}}#L{{line}}"


def link_template(release: Release, override: str | None = None) -> str | None:
    """--link-template when given; opendev at the release's tag when the tree is a published release
    (an sdist: its PKG-INFO names the project and version); None links to the files themselves."""
    if override is not None:
        return override
    if release.known:
        project = re.sub(r"[-_.]+", "-", release.project).lower()  # python-novaclient, os_brick -> os-brick
        return OPENDEV.format(project=quote(project), version=quote(release.version))
    return None


def source_url(release: Release, template: str | None, path: str, line: int) -> str:
    """The link to path:line: the template filled in, else file:// to the file under the tree read."""
    if template is not None:
        return template.format(path=quote(path.replace("\\", "/")), line=line)
    full = (pathlib.Path(release.source).resolve() / path).as_posix()
    return f"file://{quote(full)}#L{line}"
