"""Package list for setuptools; all metadata lives in pyproject.toml.

The top-level ``resources/`` folder (icons, templates, examples) is shipped as the data-only
package ``workbench.resources`` so that ``importlib.resources`` finds it installed and frozen.
"""

from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["workbench", "workbench.*"]) + ["workbench.resources"],
    package_dir={"workbench.resources": "resources"},
    package_data={"workbench.resources": ["**/*"]},
    include_package_data=False,
)
