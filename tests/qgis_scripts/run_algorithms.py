"""Run the corridors Processing algorithms in a real, headless QGIS and report the results (JSON).

Run by the system Python with QGIS's bindings and ``QT_QPA_PLATFORM=offscreen``:

    python3 tests/qgis_scripts/run_algorithms.py PLUGINS_DIR CALLS.json

``PLUGINS_DIR`` holds the installed ``corridors_processing`` plugin; ``CALLS.json`` is a list of
``{"algorithm": "corridors:NAME", "params": {...}}``. For each call the script prints what
``processing.run`` returned (or the error) and what the call added to the project's layer tree.
"""

import json
import os
import sys
from pathlib import Path

from qgis.core import QgsApplication, QgsProject


def tree(project):
    out = []
    for group in project.layerTreeRoot().children():
        layers = [(n.name(), n.layer().isValid() if n.layer() else False,
                   n.layer().renderer().type() if n.layer() and n.layer().renderer() else None)
                  for n in getattr(group, "findLayers", lambda: [])()]
        out.append({"group": group.name(), "layers": layers})
    return out


def main(plugins_dir, calls):
    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], False)
    app.initQgis()
    sys.path.insert(0, "/usr/share/qgis/python/plugins")
    sys.path.insert(0, str(plugins_dir))
    import processing
    from processing.core.Processing import Processing

    Processing.initialize()
    import corridors_processing
    from corridors_processing.provider import CorridorsProvider

    provider = CorridorsProvider()
    QgsApplication.processingRegistry().addProvider(provider)
    result = {"algorithms": sorted(a.id() for a in provider.algorithms()),
              "plugin": str(Path(corridors_processing.__file__).parent), "calls": []}
    project = QgsProject.instance()
    for call in calls:
        before = len(project.mapLayers())
        entry = {"algorithm": call["algorithm"]}
        try:
            out = processing.run(call["algorithm"], call["params"])
            entry["result"] = {k: (v if isinstance(v, (int, float, str, type(None))) else str(v)) for k, v in out.items()}
        except Exception as exc:  # noqa: BLE001 - reported to the test
            entry["error"] = "{}: {}".format(type(exc).__name__, exc)
        entry["added_layers"] = len(project.mapLayers()) - before
        entry["tree"] = tree(project)
        result["calls"].append(entry)
    return result


if __name__ == "__main__":
    calls = json.loads(Path(sys.argv[2]).read_text(encoding="utf-8"))
    print("CHECK_RESULT " + json.dumps(main(Path(sys.argv[1]), calls)), flush=True)
    os._exit(0)  # QGIS 3.22 can crash tearing its objects down; the result is out
