"""The corridor pipeline: one scenario in, one output folder out.

Steps live in small modules: :mod:`.resistance`, :mod:`.network`, :mod:`.circuits`,
:mod:`.centrality`, :mod:`.ranking`, :mod:`.gaps`, :mod:`.outputs`, :mod:`.project`, :mod:`.report`,
:mod:`.manifest`, :mod:`.compare`; :mod:`.executor` fans independent pieces out to dask.
"""

from .compare import CompareResult, compare_runs
from .executor import Executor
from .run import RunResult, run_batch, run_scenario

__all__ = ["run_scenario", "run_batch", "RunResult", "compare_runs", "CompareResult", "Executor"]
