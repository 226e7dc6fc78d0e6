"""The findings tests build logs with the helpers of the chain analytics' tests."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bottlenecks"))
