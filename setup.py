"""Packages: liveui and its subpackages, and the demo gallery (examples/) installed as
`liveui_examples` so `python -m liveui demo` works after a plain install. (pyproject.toml
cannot both find packages and add a mapped one, hence this file.)"""

from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["liveui", "liveui.*"]) + ["liveui_examples"],
    package_dir={"liveui_examples": "examples"},
)
