<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<qgis version="3.28.0-Firenze" styleCategories="AllStyleCategories">
  <renderer-v2 type="singleSymbol" symbollevels="0" enableorderby="0" forceraster="0">
    <symbols>
      <symbol type="fill" name="0" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleFill" enabled="1" pass="0" locked="0">
          <Option type="Map">
            <Option name="color" value="27,120,55,150" type="QString" />
            <Option name="style" value="solid" type="QString" />
            <Option name="outline_color" value="0,68,27,255" type="QString" />
            <Option name="outline_style" value="solid" type="QString" />
            <Option name="outline_width" value="0.5" type="QString" />
            <Option name="outline_width_unit" value="MM" type="QString" />
          </Option>
        </layer>
      </symbol>
    </symbols>
    <rotation />
    <sizescale />
  </renderer-v2>
  <labeling type="simple">
    <settings calloutType="simple">
      <text-style fieldName="name" fontSize="8.0" textColor="0,0,0,255" fontFamily="Sans Serif" isExpression="0" />
      <text-buffer bufferDraw="1" bufferSize="0.8" bufferColor="255,255,255,255" />
      <placement placement="0" dist="1" />
      <rendering scaleVisibility="0" obstacle="1" />
    </settings>
  </labeling>
  <layerGeometryType>2</layerGeometryType>
</qgis>
