"""Runs one corridors job in corridors' own Python (``python -m corridors qgis-job JOB.json``):
progress lines go to the Processing feedback, cancelling stops the process, an error becomes a
QgsProcessingException with corridors' one-line message."""

import json
import os
import queue
import subprocess
import tempfile
import threading
from pathlib import Path

from qgis.core import QgsProcessingException

try:  # the Processing plugin's settings (present wherever the Processing framework is)
    from processing.core.ProcessingConfig import ProcessingConfig, Setting
except ImportError:  # pragma: no cover - QGIS without the Processing plugin
    ProcessingConfig = Setting = None

PYTHON_SETTING = "CORRIDORS_PYTHON"
PYTHON_FILE = "corridors_python.txt"
#: variables QGIS sets for its own Python, GDAL and PROJ that must not reach corridors' Python
_QGIS_ONLY = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "GDAL_DATA", "GDAL_DRIVER_PATH", "PROJ_LIB", "PROJ_DATA",
              "QGIS_PREFIX_PATH")


def python_setting():
    """The provider setting's value ('' when unset or outside QGIS's Processing)."""
    if ProcessingConfig is None:
        return ""
    return ProcessingConfig.getSetting(PYTHON_SETTING) or ""


def configured_python(setting_value=None):
    """The Python that runs corridors: the provider setting, the installed file, $CORRIDORS_PYTHON."""
    candidates = [setting_value]
    recorded = Path(__file__).resolve().parent / PYTHON_FILE
    if recorded.is_file():
        candidates.append(recorded.read_text(encoding="utf-8").strip())
    candidates.append(os.environ.get(PYTHON_SETTING))
    for c in candidates:
        if c:
            if not Path(c).is_file():
                raise QgsProcessingException(
                    "corridors' Python {} does not exist; set it in Processing > Options > Providers > corridors, "
                    "or reinstall the plugin with `corridors qgis-plugin --install` from that Python".format(c))
            return c
    raise QgsProcessingException(
        "no Python with corridors is configured; install the plugin with `corridors qgis-plugin --install` "
        "from the Python where corridors is installed, or set it in Processing > Options > Providers > corridors")


def _clean_env():
    env = {k: v for k, v in os.environ.items() if k not in _QGIS_ONLY}
    env["PYTHONNOUSERSITE"] = "1"
    return env


def run_job(python, job, params, feedback):
    """Run ``job`` with ``params`` (JSON-ready) and return its result (a dict)."""
    with tempfile.TemporaryDirectory(prefix="corridors-job-") as tmp:
        job_file = Path(tmp) / "job.json"
        result_file = Path(tmp) / "result.json"
        job_file.write_text(json.dumps({"job": job, "params": params, "result": str(result_file)}), encoding="utf-8")
        cmd = [python, "-m", "corridors", "-v", "qgis-job", str(job_file)]
        feedback.pushDebugInfo("running: " + " ".join(cmd))
        with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_clean_env(),
                              cwd=tmp) as proc:
            code, errors = _follow(proc, feedback)
        if code != 0:
            message = errors[-1] if errors else "corridors stopped with exit status {}".format(code)
            raise QgsProcessingException(message)
        return json.loads(result_file.read_text(encoding="utf-8"))


def _follow(proc, feedback):
    """Relay the job's output to ``feedback`` until it ends (or stop it when cancelled)."""
    lines = queue.Queue()

    def pump(stream, tag):
        for line in stream:
            lines.put((tag, line.rstrip("\n")))
        lines.put((tag, None))

    for stream, tag in ((proc.stderr, "err"), (proc.stdout, "out")):
        threading.Thread(target=pump, args=(stream, tag), daemon=True).start()
    errors, open_streams = [], 2
    while open_streams:
        if feedback.isCanceled():
            proc.terminate()
            proc.wait(timeout=30)
            raise QgsProcessingException("cancelled")
        try:
            tag, line = lines.get(timeout=0.2)
        except queue.Empty:
            continue
        if line is None:
            open_streams -= 1
        elif line.startswith("PROGRESS "):
            feedback.setProgress(float(line.split()[1]))
        elif tag == "err":
            if line.startswith("error: "):
                errors.append(line[len("error: "):])
            feedback.pushInfo(line)
    return proc.wait(), errors
