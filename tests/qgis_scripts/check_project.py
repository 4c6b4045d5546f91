"""Open a run's QGIS project in a real, headless QGIS and report what QGIS made of it (JSON).

Run by the system Python that carries QGIS's bindings (``/usr/bin/python3`` on Debian), with
``QT_QPA_PLATFORM=offscreen``; it imports nothing of corridors, so it needs no environment:

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 tests/qgis_scripts/check_project.py RUN_FOLDER OUT_FOLDER

Writes ``OUT_FOLDER/map.png`` (the project rendered), ``OUT_FOLDER/layout.png`` and
``OUT_FOLDER/layout.pdf`` (the print layout exported) and prints one JSON object.
"""

import json
import os
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from qgis.core import (Qgis, QgsApplication, QgsLayoutExporter, QgsMapLayerType, QgsMapRendererSequentialJob,
                       QgsMapSettings, QgsProject, QgsRenderContext, QgsVectorLayer)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor


def image_stats(image, background=(255, 255, 255)):
    """(share of pixels that differ from the background, number of distinct colours) of a QImage."""
    w, h = image.width(), image.height()
    step = max(1, min(w, h) // 200)
    differ, total, colours = 0, 0, set()
    for y in range(0, h, step):
        for x in range(0, w, step):
            c = image.pixelColor(x, y)
            rgb = (c.red(), c.green(), c.blue())
            colours.add(rgb)
            total += 1
            differ += rgb != background
    return differ / total, len(colours)


def renderer_info(layer):
    if layer.type() == QgsMapLayerType.VectorLayer:
        if layer.renderer() is None:
            return {"renderer": None}
        r = layer.renderer()
        info = {"renderer": r.type(), "labels": bool(layer.labelsEnabled())}
        symbols = r.symbols(QgsRenderContext()) if hasattr(r, "symbols") else []
        info["colours"] = [s.color().name() for s in symbols]
        if r.type() == "graduatedSymbol":
            info["classes"] = [[rg.lowerValue(), rg.upperValue()] for rg in r.ranges()]
        return info
    r = layer.renderer()
    info = {"renderer": r.type()}
    shader = getattr(r, "shader", lambda: None)()
    if shader is not None:
        fn = shader.rasterShaderFunction()
        info["stops"] = len(fn.colorRampItemList())
        info["ramp_type"] = int(fn.colorRampType())
    tr = r.rasterTransparency()
    info["transparent_values"] = [[p.min, p.max] for p in tr.transparentSingleValuePixelList()] if tr else []
    info["legend"] = [item.label for item in shader.rasterShaderFunction().colorRampItemList()] if shader else []
    return info


def main(run: Path, out: Path) -> dict:
    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], False)
    app.initQgis()
    result = {"qgis_version": Qgis.QGIS_VERSION, "python": sys.version.split()[0]}
    project = QgsProject.instance()
    qgs = run / "corridors.qgs"
    result["read"] = bool(project.read(str(qgs)))
    in_file = [e.text for e in ET.parse(qgs).getroot().iter("id") if e.text]
    tree_ids = {n.layerId() for n in project.layerTreeRoot().findLayers()}
    attached = {n.layerId() for n in project.layerTreeRoot().findLayers() if n.layer() is not None}
    layers = {}
    for lid, layer in project.mapLayers().items():
        entry = {"id": lid, "valid": layer.isValid(), "in_tree": lid in attached, "source": layer.source(),
                 "id_kept": lid in in_file}
        entry.update(renderer_info(layer))
        layers[layer.name()] = entry
    result["layers"] = layers
    result["tree_without_layer"] = sorted(tree_ids - attached)

    # styles from the GeoPackage: each layer added on its own (as from the browser) gets its default style
    standalone = {}
    for lyr in project.mapLayers().values():
        if lyr.type() != QgsMapLayerType.VectorLayer or lyr.renderer() is None:
            continue
        path, _, rest = lyr.source().partition("|layername=")
        table = rest.split("|")[0]
        alone = QgsVectorLayer(f"{path}|layername={table}", table, "ogr")
        n_styles = alone.listStylesInDatabase()[0]
        standalone[table] = {"valid": alone.isValid(), "styles_in_db": n_styles, **renderer_info(alone)}
    result["gpkg_styles"] = standalone

    # render the project's visible layers
    settings = QgsMapSettings()
    visible = [n.layer() for n in project.layerTreeRoot().findLayers() if n.isVisible() and n.layer() is not None]
    settings.setLayers(visible)
    settings.setDestinationCrs(project.crs())
    settings.setBackgroundColor(QColor(255, 255, 255))
    settings.setOutputSize(QSize(900, 500))
    extent = project.viewSettings().defaultViewExtent()
    settings.setExtent(extent if not extent.isEmpty() else visible[0].extent())
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    image.save(str(out / "map.png"))
    share, colours = image_stats(image)
    result["render"] = {"layers": len(visible), "non_background_share": share, "colours": colours,
                        "errors": [e.message for e in job.errors()]}

    # the print layout
    layouts = project.layoutManager().printLayouts()
    result["layouts"] = []
    for layout in layouts:
        kinds = sorted(type(item).__name__ for item in layout.items() if hasattr(item, "uuid"))
        exporter = QgsLayoutExporter(layout)
        image_settings = QgsLayoutExporter.ImageExportSettings()
        image_settings.generateWorldFile = False
        image_settings.exportMetadata = False
        png = exporter.exportToImage(str(out / "layout.png"), image_settings)
        pdf = exporter.exportToPdf(str(out / "layout.pdf"), QgsLayoutExporter.PdfExportSettings())
        from qgis.PyQt.QtGui import QImage

        img = QImage(str(out / "layout.png"))
        lshare, lcolours = image_stats(img)
        legend = [item for item in layout.items() if type(item).__name__ == "QgsLayoutItemLegend"]
        legend_rows = legend[0].model().rowCount() if legend else 0
        result["layouts"].append({"name": layout.name(), "items": kinds, "png_ok": png == QgsLayoutExporter.Success,
                                  "pdf_ok": pdf == QgsLayoutExporter.Success, "non_background_share": lshare,
                                  "colours": lcolours, "legend_rows": legend_rows,
                                  "pdf_bytes": (out / "layout.pdf").stat().st_size if pdf == 0 else 0})
    return result


if __name__ == "__main__":
    folder, out_folder = Path(sys.argv[1]), Path(sys.argv[2])
    out_folder.mkdir(parents=True, exist_ok=True)
    print("CHECK_RESULT " + json.dumps(main(folder, out_folder)), flush=True)
    os._exit(0)  # QGIS 3.22 can crash tearing its objects down after exitQgis; the result is out
