<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<qgis version="3.28.0-Firenze" styleCategories="AllStyleCategories">
  <renderer-v2 type="singleSymbol" symbollevels="0" enableorderby="0" forceraster="0">
    <symbols>
      <symbol type="line" name="0" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleLine" enabled="1" pass="0" locked="0">
          <Option type="Map">
            <Option name="line_color" value="228,26,28,255" type="QString" />
            <Option name="line_style" value="dot" type="QString" />
            <Option name="line_width" value="0.5" type="QString" />
            <Option name="line_width_unit" value="MM" type="QString" />
            <Option name="capstyle" value="round" type="QString" />
            <Option name="joinstyle" value="round" type="QString" />
          </Option>
        </layer>
      </symbol>
    </symbols>
    <rotation />
    <sizescale />
  </renderer-v2>
  <layerGeometryType>1</layerGeometryType>
</qgis>
