"""Running git on a repository stackread reads, without running any command the repository names.

A repository's own configuration (.git/config, config.worktree, and whatever they include) can
name programs that git starts by itself: core.fsmonitor on every read of the index, hooks on
checkout, merge and ref updates, filter drivers (chosen by .gitattributes) whenever a file is
hashed or checked out, diff and merge drivers, gpg.program, credential helpers, ssh and
upload-pack commands on fetch. Whoever wrote the tree chose those, so none of them may run.

Every git run of stackread (subprocess or GitPython) goes through `for_repository` or
`for_new_clone`: a fixed set of `-c` settings switches off what stackread never needs (hooks,
fsmonitor, ext:: transport, submodule recursion, automatic gc), and every command-valued key that
the repository's own scopes set is overridden on the command line, where git reads it last: with
the user's own value (system or global configuration) when there is one, else with a value that
runs nothing. The user's configuration is the user's, and stays in force.
"""

from __future__ import annotations

import dataclasses
import os
import pathlib
import subprocess
from collections.abc import Mapping, Sequence

TIMEOUT = 30  # seconds; reading the configuration is instant unless something is wrong

# Switched off whoever set them: stackread reads trees and updates its own clones, and needs none.
FIXED = (
    "core.fsmonitor=false",
    "core.hooksPath=/dev/null",
    "protocol.ext.allow=never",  # ext:: URLs run a command to connect
    "submodule.recurse=false",  # a submodule has its own configuration, unread here
    "fetch.recurseSubmodules=false",
    "status.submoduleSummary=false",
    "gc.auto=0",  # no background gc (with its pre-auto-gc hook) left behind in the cache
    "maintenance.auto=false",
    "log.showSignature=false",  # both would run gpg.program
    "merge.verifySignatures=false",
)
ENV = {
    "GIT_PAGER": "cat",  # beats core.pager and pager.<command>; output is never a terminal anyway
    "GIT_EDITOR": ":",
    "GIT_OPTIONAL_LOCKS": "0",  # `git status` must not rewrite the user's index
}
# Scopes whose settings are the user's own; "local" and "worktree" are the repository's.
TRUSTED_SCOPES = frozenset({"system", "global", "command"})

# Keys (as `git config --list` prints them: section and name lowercased) whose value is a command,
# with the value that runs nothing ('*': see command_pattern).
COMMAND_KEYS = {
    "core.fsmonitor": "false",
    "core.hookspath": "/dev/null",
    "core.sshcommand": "ssh",
    "core.askpass": "",
    "core.editor": "",
    "core.pager": "cat",
    "core.alternaterefscommand": "",
    "sequence.editor": "",
    "pager.*": "false",
    "diff.external": "",
    "diff.*.textconv": "",
    "diff.*.command": "",
    "filter.*.clean": "",
    "filter.*.smudge": "",
    "filter.*.process": "",
    "filter.*.required": "false",  # a required filter with no command would fail every read
    "merge.*.driver": "",
    "gpg.program": "",
    "gpg.*.program": "",
    "gpg.ssh.defaultkeycommand": "",
    "remote.*.uploadpack": "git-upload-pack",
    "remote.*.receivepack": "git-receive-pack",
}
# Lists: an empty value clears what came before, then the user's own entries are put back.
LIST_KEYS = ("credential.helper", "credential.*.helper")


@dataclasses.dataclass(frozen=True)
class SafeGit:
    """How to run git on one repository: `-c` settings and environment variables."""

    settings: tuple[str, ...]  # "key=value", or "key" for a bare boolean true
    env: Mapping[str, str]

    def argv(self, *args: str) -> list[str]:
        return ["git", *(part for setting in self.settings for part in ("-c", setting)), *args]

    def environ(self) -> dict[str, str]:
        return {**os.environ, **self.env}

    def run(self, *args: str, timeout: float = TIMEOUT) -> subprocess.CompletedProcess:
        """`git ARGS` with stdout and stderr captured as text; raises OSError or SubprocessError."""
        return subprocess.run(self.argv(*args), capture_output=True, text=True, timeout=timeout, check=False,
                              env=self.environ(), stdin=subprocess.DEVNULL)

    def apply(self, command, **persistent) -> None:
        """Make every later run of a GitPython `git.Git` (a Repo's `.git`) use these settings and the
        `persistent` options (which replace any set before)."""
        command.set_persistent_git_options(c=list(self.settings), **persistent)
        command.update_environment(**self.env)


def for_new_clone() -> SafeGit:
    """For `git clone`: the new repository has no configuration of its own yet."""
    return SafeGit(FIXED, dict(ENV))


def for_repository(location: Sequence[str]) -> SafeGit | None:
    """For the repository git finds with `location` (["-C", dir] or ["--git-dir", dir]).

    None when its configuration cannot be read: nothing may then be run in it, since nothing
    can say what it would run."""
    fixed = for_new_clone()
    try:
        done = fixed.run(*location, "config", "--show-scope", "-z", "--list")
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    settings, env = overrides(parse_listing(done.stdout))
    # The fixed settings last, so that they win even over the user's own hooks or fsmonitor.
    return SafeGit((*settings, *FIXED), {**ENV, **env})


def for_directory(root: pathlib.Path) -> SafeGit | None:
    return for_repository(["-C", str(root)])


def parse_listing(text: str) -> list[tuple[str, str, str | None]]:
    """(scope, key, value) of `git config --show-scope -z --list`: scope NUL key LF value NUL."""
    fields = text.split("\0")
    entries = []
    for scope, item in zip(fields[0::2], fields[1::2]):
        key, newline, value = item.partition("\n")
        entries.append((scope, key, value if newline else None))
    return entries


def overrides(entries: list[tuple[str, str, str | None]]) -> tuple[list[str], dict[str, str]]:
    """The `-c` settings and environment that undo every command the untrusted scopes name."""
    settings: list[str] = []
    env: dict[str, str] = {}
    seen: set[str] = set()
    for scope, key, _value in entries:
        if scope in TRUSTED_SCOPES or key in seen:
            continue
        seen.add(key)
        own = [v for s, k, v in entries if k == key and s in TRUSTED_SCOPES]
        pattern = command_pattern(key)
        if key == "core.gitproxy":
            # The first match wins and the repository's entries come before ours, so no -c can
            # undo them; an empty $GIT_PROXY_COMMAND makes git ignore every core.gitProxy.
            env["GIT_PROXY_COMMAND"] = ""
        elif pattern in LIST_KEYS:
            settings += [f"{key}=", *(_setting(key, v) for v in own)]
        elif pattern is not None:
            settings.append(_setting(key, own[-1]) if own else f"{key}={COMMAND_KEYS[pattern]}")
    return settings, env


def command_pattern(key: str) -> str | None:
    """The entry of COMMAND_KEYS or LIST_KEYS that `key` is, if any.

    git prints section and name lowercased and the subsection as written; a pattern's '*' stands
    for the subsection (`diff.*.textconv`) or, with none, for the name (`pager.*`)."""
    section, _, rest = key.partition(".")
    subsection, _, name = rest.rpartition(".")
    shapes = (key, f"{section}.*.{name}" if subsection else f"{section}.*")
    return next((shape for shape in shapes if shape in COMMAND_KEYS or shape in LIST_KEYS), None)


def _setting(key: str, value: str | None) -> str:
    return key if value is None else f"{key}={value}"
