"""Set-up promises: pyproject and environment.yml agree, the CLI has help everywhere."""

from __future__ import annotations

import re
import tomllib

import click
import pytest
from click.testing import CliRunner

from forecast import config
from forecast.cli import cli

CONDA_NAMES = {"python-duckdb": "duckdb"}


def _name(spec: str) -> str:
    return re.split(r"[<>=!~\[ ;]", spec.strip(), maxsplit=1)[0].lower()


def test_environment_yml_agrees_with_pyproject():
    import yaml

    project = tomllib.loads((config.PROJ_ROOT / "pyproject.toml").read_text())["project"]
    extras = [d for group in project["optional-dependencies"].values() for d in group]
    wanted = {_name(d) for d in project["dependencies"] + extras}
    env = yaml.safe_load((config.PROJ_ROOT / "environment.yml").read_text())
    names = set()
    for dep in env["dependencies"]:
        for spec in dep["pip"] if isinstance(dep, dict) else [dep]:
            if not spec.startswith("-e"):
                names.add(CONDA_NAMES.get(_name(spec), _name(spec)))
    assert names - {"python", "pip"} == wanted


def _commands(group: click.Group, prefix=()):
    for name, cmd in group.commands.items():
        yield prefix + (name,), cmd
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, prefix + (name,))


@pytest.mark.parametrize(
    "path,cmd", list(_commands(cli)), ids=lambda x: " ".join(x) if isinstance(x, tuple) else ""
)
def test_every_command_has_help_and_an_example(path, cmd):
    assert cmd.help, f"forecast {' '.join(path)} has no help"
    result = CliRunner().invoke(cli, list(path) + ["--help"])
    assert result.exit_code == 0
    if not isinstance(cmd, click.Group):
        assert "Example" in result.output, f"forecast {' '.join(path)} --help shows no example"


def test_public_api_resolves_lazily():
    import forecast

    for name in forecast.__all__:
        obj = getattr(forecast, name)
        assert callable(obj) or isinstance(obj, str), name
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        forecast.nope  # noqa: B018
