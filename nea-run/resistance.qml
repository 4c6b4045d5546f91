<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<qgis version="3.28.0-Firenze" styleCategories="AllStyleCategories">
  <pipe>
    <rasterrenderer type="singlebandpseudocolor" band="1" opacity="1" alphaBand="-1" classificationMin="1.0" classificationMax="20.0" nodataColor="">
      <rasterTransparency />
      <rastershader>
        <colorrampshader colorRampType="INTERPOLATED" classificationMode="1" clip="0" minimumValue="1.0" maximumValue="20.0" labelPrecision="4">
          <item value="1.0" label="1" color="#006837" alpha="255" />
          <item value="4.166666666666666" label="4.167" color="#31a354" alpha="255" />
          <item value="7.333333333333333" label="7.333" color="#78c679" alpha="255" />
          <item value="10.5" label="10.5" color="#c2e699" alpha="255" />
          <item value="13.666666666666666" label="13.67" color="#ffffcc" alpha="255" />
          <item value="16.833333333333336" label="16.83" color="#fdae61" alpha="255" />
          <item value="20.0" label="20" color="#d7191c" alpha="255" />
        </colorrampshader>
      </rastershader>
    </rasterrenderer>
    <brightnesscontrast brightness="0" contrast="0" gamma="1" />
    <huesaturation saturation="0" grayscaleMode="0" colorizeOn="0" />
    <rasterresampler maxOversampling="2" />
  </pipe>
  <blendMode>0</blendMode>
</qgis>
