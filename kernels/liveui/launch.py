"""Start an IPython kernel for the liveui checkout this file belongs to.

Its root goes first on sys.path, so notebooks import this checkout's `liveui` and its `examples`
(the browser demo's views) even where liveui is not installed in editable mode.
"""

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)

from ipykernel.kernelapp import launch_new_instance  # noqa: E402

launch_new_instance()
