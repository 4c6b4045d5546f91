"""The plugin: registers the corridors Processing provider when QGIS starts Processing."""

from qgis.core import QgsApplication

from .provider import CorridorsProvider


class CorridorsPlugin:
    def __init__(self, iface=None):
        self.iface = iface
        self.provider = None

    def initProcessing(self):  # noqa: N802 - QGIS's name
        self.provider = CorridorsProvider()
        QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self):  # noqa: N802
        self.initProcessing()

    def unload(self):
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
