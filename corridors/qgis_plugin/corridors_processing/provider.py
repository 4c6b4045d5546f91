"""The corridors Processing provider: its algorithms and the setting naming corridors' Python."""

from qgis.core import QgsProcessingProvider

from . import algorithms
from .runner import PYTHON_SETTING, ProcessingConfig, Setting


class CorridorsProvider(QgsProcessingProvider):
    def id(self):
        return "corridors"

    def name(self):
        return "corridors"

    def longName(self):  # noqa: N802
        return "corridors: wildlife corridors (least-cost paths, circuit theory)"

    def load(self):
        if ProcessingConfig is not None:
            ProcessingConfig.settingIcons[self.name()] = self.icon()
            ProcessingConfig.addSetting(Setting(self.name(), PYTHON_SETTING,
                                                "Python with corridors installed (empty: the one recorded at install)",
                                                "", valuetype=Setting.FILE))
            ProcessingConfig.readSettings()
        self.refreshAlgorithms()
        return True

    def unload(self):
        if ProcessingConfig is not None:
            ProcessingConfig.removeSetting(PYTHON_SETTING)

    def loadAlgorithms(self):  # noqa: N802
        for cls in algorithms.ALGORITHMS:
            self.addAlgorithm(cls())

    def supportedOutputRasterLayerExtensions(self):  # noqa: N802
        return ["tif"]

    def supportedOutputVectorLayerExtensions(self):  # noqa: N802
        return ["gpkg"]

    def defaultVectorFileExtension(self, hasGeometry=True):  # noqa: N802, N803
        return "gpkg"

    def defaultRasterFileExtension(self):  # noqa: N802
        return "tif"

