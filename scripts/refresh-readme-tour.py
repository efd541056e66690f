#!/usr/bin/env python3
"""Re-runs every `$ azpath …` example in README.md and writes its current output back.

The test `the_readme_tour_shows_what_azpath_prints_today` fails when the README is stale; run
`cargo build && scripts/refresh-readme-tour.py`, then read the diff before committing it.
"""
import pathlib
import re
import subprocess

root = pathlib.Path(__file__).resolve().parent.parent
readme = root / "README.md"
binary = root / "target" / "debug" / "azpath"


def run(match: re.Match) -> str:
    command = match.group(1)
    out = subprocess.run([str(binary), *command.split()[1:]], capture_output=True, text=True, cwd=root).stdout
    return "```text\n$ " + command + "\n" + out.rstrip("\n") + "\n```"


text = readme.read_text()
readme.write_text(re.sub(r"```text\n\$ (azpath [^\n]*)\n(?:(?!```).*\n)*?```", run, text))
