<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<qgis version="3.28.0-Firenze" styleCategories="AllStyleCategories">
  <pipe>
    <rasterrenderer type="singlebandpseudocolor" band="1" opacity="0.8" alphaBand="-1" classificationMin="0.002469787448644638" classificationMax="0.21732557654380832" nodataColor="">
      <rasterTransparency />
      <rastershader>
        <colorrampshader colorRampType="INTERPOLATED" classificationMode="1" clip="0" minimumValue="0.002469787448644638" maximumValue="0.21732557654380832" labelPrecision="4">
          <item value="0.002469787448644638" label="0.00247" color="#0d0887" alpha="255" />
          <item value="0.04544094526767737" label="0.04544" color="#6a00a8" alpha="255" />
          <item value="0.0884121030867101" label="0.08841" color="#b12a90" alpha="255" />
          <item value="0.13138326090574284" label="0.1314" color="#e16462" alpha="255" />
          <item value="0.17435441872477558" label="0.1744" color="#fca636" alpha="255" />
          <item value="0.21732557654380832" label="0.2173" color="#f0f921" alpha="255" />
        </colorrampshader>
      </rastershader>
    </rasterrenderer>
    <brightnesscontrast brightness="0" contrast="0" gamma="1" />
    <huesaturation saturation="0" grayscaleMode="0" colorizeOn="0" />
    <rasterresampler maxOversampling="2" />
  </pipe>
  <blendMode>0</blendMode>
</qgis>
