"""The corridors Processing algorithms. Each collects its parameters, hands them to one job of
``corridors.qgis_plugin.jobs`` (run in corridors' own Python) and adds what it wrote to the
current project. Written for QGIS 3.22+ and the Python it ships (3.9 on Windows): no newer syntax.
"""

import xml.etree.ElementTree as ET
from pathlib import Path

from qgis.core import (QgsProcessing, QgsProcessingAlgorithm, QgsProcessingException, QgsProcessingOutputFile,
                       QgsProcessingOutputFolder, QgsProcessingOutputNumber, QgsProcessingOutputString,
                       QgsProcessingParameterBoolean, QgsProcessingParameterEnum, QgsProcessingParameterField,
                       QgsProcessingParameterFile, QgsProcessingParameterFileDestination,
                       QgsProcessingParameterFolderDestination, QgsProcessingParameterNumber,
                       QgsProcessingParameterPoint, QgsProcessingParameterRasterDestination,
                       QgsProcessingParameterRasterLayer, QgsProcessingParameterVectorDestination,
                       QgsProcessingParameterVectorLayer, QgsProject, QgsRasterLayer, QgsVectorLayer)

from .runner import configured_python, python_setting, run_job

NEIGHBOURS = ["8 (queen)", "4 (rook)"]
SOLVERS = ["as the INI says", "direct", "auto", "cg+amg", "cholmod", "pardiso", "splu"]
SPECIES_FILE = "corridors_species.txt"


def _species():
    """Species profiles recorded at install (``corridors qgis-plugin --install``)."""
    path = Path(__file__).resolve().parent / SPECIES_FILE
    if not path.is_file():
        return []
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _python():
    return configured_python(python_setting())


def _add_group(project, title, layers):
    """Add ``layers`` [(layer, visible)] (top first) to a new group at the top of the layer tree."""
    root = project.layerTreeRoot()
    group = root.insertGroup(0, title)
    added = 0
    for layer, visible in layers:
        if not layer.isValid():
            continue
        project.addMapLayer(layer, False)
        node = group.addLayer(layer)
        node.setItemVisibilityChecked(visible)
        added += 1
    return added


def project_layers(qgs):
    """[(source, title, provider, visible)] of a corridors project file, top first."""
    root = ET.parse(str(qgs)).getroot()
    folder = Path(qgs).parent
    checked = {el.get("id"): el.get("checked") == "Qt::Checked" for el in root.iter("layer-tree-layer")}
    by_id = {ml.findtext("id"): ml for ml in root.iter("maplayer")}
    out = []
    for item in root.find("layerorder"):
        ml = by_id[item.get("id")]
        source = ml.findtext("datasource")
        path, sep, rest = source.partition("|")
        absolute = str((folder / path).resolve()) + (sep + rest if sep else "")
        out.append((absolute, ml.findtext("layername"), ml.findtext("provider"), checked.get(item.get("id"), True)))
    return out


class _Algorithm(QgsProcessingAlgorithm):
    NAME = ""
    TITLE = ""
    HELP = ""

    def name(self):
        return self.NAME

    def displayName(self):  # noqa: N802
        return self.TITLE

    def group(self):
        return "corridors"

    def groupId(self):  # noqa: N802
        return "corridors"

    def shortHelpString(self):  # noqa: N802
        return self.HELP

    def createInstance(self):  # noqa: N802
        return type(self)()

    def _vector(self, parameters, name, context, feedback):
        """A file path GDAL reads for vector parameter ``name`` (memory layers are exported)."""
        if parameters.get(name) in (None, ""):
            return None
        return self.parameterAsCompatibleSourceLayerPath(parameters, name, context, ["gpkg", "shp"], "gpkg", feedback)

    def _raster(self, parameters, name, context):
        layer = self.parameterAsRasterLayer(parameters, name, context)
        if layer is None:
            return None, None
        if layer.providerType() != "gdal":
            raise QgsProcessingException("{}: {} is not a raster file; save it as a GeoTIFF first".format(name, layer.name()))
        return layer.source(), layer

    def _neighbours(self, parameters, context):
        return 8 if self.parameterAsEnum(parameters, "NEIGHBOURS", context) == 0 else 4

    def _add_neighbours(self):
        self.addParameter(QgsProcessingParameterEnum("NEIGHBOURS", "Neighbours", options=NEIGHBOURS, defaultValue=0))


class RunScenario(_Algorithm):
    NAME = "run"
    TITLE = "Find and rank transboundary corridors (main job)"
    HELP = ("Runs corridors' main job: resistance, border reserves, least-cost links and corridors, circuit "
            "metrics, ranking, gaps and pinch points. Give a scenario file (TOML), or leave it empty for the "
            "embedded North-East Asia dataset; any input or number given here replaces the scenario's. The "
            "output folder gets corridors.gpkg (styled), the rasters, corridors.qgs, report.html and "
            "ranking.csv; the layers are added to the current project, styled.")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterFile("SCENARIO", "Scenario file (TOML; empty: embedded default)",
                                                     extension="toml", optional=True))
        species = _species()
        self._species = [""] + species
        self.addParameter(QgsProcessingParameterEnum("SPECIES", "Species profile",
                                                     options=["(the scenario's)"] + species, defaultValue=0))
        self.addParameter(QgsProcessingParameterRasterLayer("LANDCOVER", "Land cover (classes of the profiles)",
                                                            optional=True))
        self.addParameter(QgsProcessingParameterVectorLayer("PROTECTED_AREAS", "Protected areas",
                                                            [QgsProcessing.TypeVectorPolygon], optional=True))
        self.addParameter(QgsProcessingParameterVectorLayer("COUNTRIES", "Countries",
                                                            [QgsProcessing.TypeVectorPolygon], optional=True))
        for key, label in (("BORDER_DISTANCE", "Border distance (m)"), ("MAX_GAP", "Largest gap between reserves (m)"),
                           ("MAX_COST_DISTANCE", "Largest cost distance (cost units)"),
                           ("CORRIDOR_WIDTH", "Corridor width (cost units)")):
            self.addParameter(QgsProcessingParameterNumber(key, label, QgsProcessingParameterNumber.Double,
                                                           optional=True, minValue=0.0))
        self.addParameter(QgsProcessingParameterBoolean("LOAD", "Add the outputs to the current project",
                                                        defaultValue=True))
        self.addParameter(QgsProcessingParameterFolderDestination("OUTPUT", "Output folder"))
        self.addOutput(QgsProcessingOutputFile("PROJECT", "QGIS project"))
        self.addOutput(QgsProcessingOutputFile("GPKG", "GeoPackage"))
        self.addOutput(QgsProcessingOutputFile("REPORT", "Report"))
        self.addOutput(QgsProcessingOutputNumber("LINKS", "Ranked links"))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        species = _species()
        pick = self.parameterAsEnum(parameters, "SPECIES", context)
        params = {"scenario": self.parameterAsFile(parameters, "SCENARIO", context) or None,
                  "species": species[pick - 1] if pick > 0 and pick <= len(species) else None,
                  "landcover": self._raster(parameters, "LANDCOVER", context)[0],
                  "protected_areas": self._vector(parameters, "PROTECTED_AREAS", context, feedback),
                  "countries": self._vector(parameters, "COUNTRIES", context, feedback),
                  "output": self.parameterAsFileOutput(parameters, "OUTPUT", context)}
        for key in ("BORDER_DISTANCE", "MAX_GAP", "MAX_COST_DISTANCE", "CORRIDOR_WIDTH"):
            if parameters.get(key) not in (None, ""):
                params[key.lower()] = self.parameterAsDouble(parameters, key, context)
        result = run_job(_python(), "run", params, feedback)
        self._load = self.parameterAsBoolean(parameters, "LOAD", context)
        self._result = result
        if result.get("flyway_sites"):  # a bird profile: its flyway sites, no corridor
            feedback.pushInfo("flyway of {} sites; outputs in {}".format(result["flyway_sites"], result["folder"]))
        else:
            feedback.pushInfo("{} links ranked; outputs in {}".format(result["links"], result["folder"]))
        return {"OUTPUT": result["folder"], "PROJECT": result["project"], "GPKG": result["gpkg"],
                "REPORT": result["report"], "LINKS": result["links"]}

    def postProcessAlgorithm(self, context, feedback):  # noqa: N802
        if not getattr(self, "_load", False):
            return {}
        project = context.project() or QgsProject.instance()
        layers = []
        for source, title, provider, visible in project_layers(self._result["project"]):
            layer = QgsVectorLayer(source, title, "ogr") if provider == "ogr" else QgsRasterLayer(source, title, "gdal")
            layers.append((layer, visible))
        n = _add_group(project, "corridors: " + Path(self._result["folder"]).name, layers)
        feedback.pushInfo("added {} layers to the project".format(n))
        return {}


class CostDistance(_Algorithm):
    NAME = "cost_distance"
    TITLE = "Cost distance"
    HELP = ("Accumulated least cost from the nearest source cell to every cell of a resistance raster (a step "
            "costs the mean of the two cells' resistances times its length, as scikit-image's MCP_Geometric and "
            "ArcGIS). Sources are the cells whose centre lies in a source feature. Cost units = resistance x "
            "map units; cells beyond the largest cost, or cut off by nodata, are nodata.")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterRasterLayer("RESISTANCE", "Resistance raster"))
        self.addParameter(QgsProcessingParameterVectorLayer("SOURCES", "Source features",
                                                            [QgsProcessing.TypeVectorAnyGeometry]))
        self._add_neighbours()
        self.addParameter(QgsProcessingParameterNumber("MAX_COST", "Stop at this cost (empty: no limit)",
                                                       QgsProcessingParameterNumber.Double, optional=True,
                                                       minValue=0.0))
        self.addParameter(QgsProcessingParameterRasterDestination("OUTPUT", "Cost distance"))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        resistance, _ = self._raster(parameters, "RESISTANCE", context)
        params = {"resistance": resistance, "sources": self._vector(parameters, "SOURCES", context, feedback),
                  "neighbours": self._neighbours(parameters, context),
                  "output": self.parameterAsOutputLayer(parameters, "OUTPUT", context)}
        if parameters.get("MAX_COST") not in (None, ""):
            params["max_cost"] = self.parameterAsDouble(parameters, "MAX_COST", context)
        result = run_job(_python(), "cost_distance", params, feedback)
        return {"OUTPUT": result["output"]}


class LeastCostPath(_Algorithm):
    NAME = "least_cost_path"
    TITLE = "Least-cost path"
    HELP = ("The least-cost path between two points over a resistance raster, through cell centres, with its "
            "accumulated cost (cost units) and length (map units). Among equal-cost routes the result is "
            "deterministic.")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterRasterLayer("RESISTANCE", "Resistance raster"))
        self.addParameter(QgsProcessingParameterPoint("START", "Start point"))
        self.addParameter(QgsProcessingParameterPoint("END", "End point"))
        self._add_neighbours()
        self.addParameter(QgsProcessingParameterVectorDestination("OUTPUT", "Least-cost path",
                                                                  QgsProcessing.TypeVectorLine))
        self.addOutput(QgsProcessingOutputNumber("COST", "Cost (cost units)"))
        self.addOutput(QgsProcessingOutputNumber("LENGTH", "Length (map units)"))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        resistance, layer = self._raster(parameters, "RESISTANCE", context)
        start = self.parameterAsPoint(parameters, "START", context, layer.crs())
        end = self.parameterAsPoint(parameters, "END", context, layer.crs())
        output = self.parameterAsOutputLayer(parameters, "OUTPUT", context)
        if not output.lower().endswith(".gpkg"):
            raise QgsProcessingException("OUTPUT: save the path as a GeoPackage (.gpkg), got {}".format(output))
        result = run_job(_python(), "least_cost_path", {
            "resistance": resistance, "start": [start.x(), start.y()], "end": [end.x(), end.y()],
            "neighbours": self._neighbours(parameters, context), "output": output}, feedback)
        return {"OUTPUT": result["output"], "COST": result["cost"], "LENGTH": result["length_m"]}


class EffectiveResistance(_Algorithm):
    NAME = "effective_resistance"
    TITLE = "Effective resistance between regions"
    HELP = ("Effective resistance (ohms) between every pair of focal regions (polygons, or points) on a "
            "resistance raster, with Circuitscape's graph rules (edge conductance = mean of the two cells' "
            "conductances, diagonals divided by sqrt 2; each region one node). Pairs that are not connected get "
            "an empty value. Writes a CSV table (from_id, to_id, eff_resist).")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterRasterLayer("RESISTANCE", "Resistance raster"))
        self.addParameter(QgsProcessingParameterVectorLayer("FOCAL", "Focal regions",
                                                            [QgsProcessing.TypeVectorAnyGeometry]))
        self.addParameter(QgsProcessingParameterField("ID_FIELD", "Id field (empty: feature order)",
                                                      parentLayerParameterName="FOCAL", optional=True))
        self._add_neighbours()
        self.addParameter(QgsProcessingParameterFileDestination("OUTPUT", "Effective resistances",
                                                                fileFilter="CSV files (*.csv)"))
        self.addOutput(QgsProcessingOutputNumber("PAIRS", "Pairs"))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        resistance, _ = self._raster(parameters, "RESISTANCE", context)
        result = run_job(_python(), "effective_resistance", {
            "resistance": resistance, "focal": self._vector(parameters, "FOCAL", context, feedback),
            "id_field": self.parameterAsString(parameters, "ID_FIELD", context) or None,
            "neighbours": self._neighbours(parameters, context),
            "output": self.parameterAsFileOutput(parameters, "OUTPUT", context)}, feedback)
        self._table = result["output"]
        return {"OUTPUT": result["output"], "PAIRS": result["pairs"]}

    def postProcessAlgorithm(self, context, feedback):  # noqa: N802
        project = context.project() or QgsProject.instance()
        table = QgsVectorLayer(self._table, "effective resistance", "ogr")
        _add_group(project, "corridors: effective resistance", [(table, True)])
        return {}


class CircuitscapeIni(_Algorithm):
    NAME = "circuitscape"
    TITLE = "Run a Circuitscape INI"
    HELP = ("Runs a Circuitscape job (.ini of Circuitscape 4 or Circuitscape.jl: pairwise, one-to-all, "
            "all-to-one, advanced, raster or network) with corridors' solvers, and writes Circuitscape's files "
            "with its names and formats next to the INI's output_file. Relative paths in the INI are read from "
            "the INI's folder. Raster outputs are added to the current project.")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterFile("INI", "Circuitscape INI file", extension="ini"))
        self.addParameter(QgsProcessingParameterEnum("SOLVER", "Solver", options=SOLVERS, defaultValue=0))
        self.addParameter(QgsProcessingParameterBoolean("OVERWRITE", "Replace outputs of an earlier run",
                                                        defaultValue=False))
        self.addOutput(QgsProcessingOutputFolder("OUTPUT_FOLDER", "Output folder"))
        self.addOutput(QgsProcessingOutputString("FILES", "Files written"))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        ini = self.parameterAsFile(parameters, "INI", context)
        solver = self.parameterAsEnum(parameters, "SOLVER", context)
        result = run_job(_python(), "circuitscape", {
            "ini": ini, "solver": SOLVERS[solver] if solver > 0 else None,
            "overwrite": self.parameterAsBoolean(parameters, "OVERWRITE", context)}, feedback)
        self._rasters = result["rasters"]
        self._ini = ini
        return {"OUTPUT_FOLDER": result["folder"], "FILES": ";".join(result["files"])}

    def postProcessAlgorithm(self, context, feedback):  # noqa: N802
        project = context.project() or QgsProject.instance()
        layers = [(QgsRasterLayer(f, Path(f).name, "gdal"), True) for f in self._rasters]
        if layers:
            _add_group(project, "Circuitscape: " + Path(self._ini).stem, layers)
        return {}


ALGORITHMS = (RunScenario, CostDistance, LeastCostPath, EffectiveResistance, CircuitscapeIni)
