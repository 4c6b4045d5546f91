"""QGIS plugin entry point: ``classFactory`` returns the plugin that registers the provider."""


def classFactory(iface):  # noqa: N802 - the name QGIS calls
    from .plugin import CorridorsPlugin

    return CorridorsPlugin(iface)
