<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<qgis version="3.28.0-Firenze" styleCategories="AllStyleCategories">
  <pipe>
    <rasterrenderer type="singlebandpseudocolor" band="1" opacity="0.8" alphaBand="-1" classificationMin="0.0" classificationMax="48639.625" nodataColor="">
      <rasterTransparency />
      <rastershader>
        <colorrampshader colorRampType="INTERPOLATED" classificationMode="1" clip="0" minimumValue="0.0" maximumValue="48639.625" labelPrecision="4">
          <item value="0.0" label="0" color="#08306b" alpha="255" />
          <item value="12159.90625" label="1.216e+04" color="#2171b5" alpha="255" />
          <item value="24319.8125" label="2.432e+04" color="#6baed6" alpha="255" />
          <item value="36479.71875" label="3.648e+04" color="#c6dbef" alpha="255" />
          <item value="48639.625" label="4.864e+04" color="#f7fbff" alpha="255" />
        </colorrampshader>
      </rastershader>
    </rasterrenderer>
    <brightnesscontrast brightness="0" contrast="0" gamma="1" />
    <huesaturation saturation="0" grayscaleMode="0" colorizeOn="0" />
    <rasterresampler maxOversampling="2" />
  </pipe>
  <blendMode>0</blendMode>
</qgis>
