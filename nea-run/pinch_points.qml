<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<qgis version="3.28.0-Firenze" styleCategories="AllStyleCategories">
  <renderer-v2 type="singleSymbol" symbollevels="0" enableorderby="0" forceraster="0">
    <symbols>
      <symbol type="marker" name="0" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleMarker" enabled="1" pass="0" locked="0">
          <Option type="Map">
            <Option name="name" value="circle" type="QString" />
            <Option name="color" value="255,127,0,255" type="QString" />
            <Option name="outline_color" value="0,0,0,255" type="QString" />
            <Option name="outline_width" value="0.2" type="QString" />
            <Option name="size" value="3.0" type="QString" />
            <Option name="size_unit" value="MM" type="QString" />
          </Option>
        </layer>
      </symbol>
    </symbols>
    <rotation />
    <sizescale />
  </renderer-v2>
  <labeling type="simple">
    <settings calloutType="simple">
      <text-style fieldName="PP_Rank" fontSize="8.0" textColor="0,0,0,255" fontFamily="Sans Serif" isExpression="0" />
      <text-buffer bufferDraw="1" bufferSize="0.8" bufferColor="255,255,255,255" />
      <placement placement="0" dist="1" />
      <rendering scaleVisibility="0" obstacle="1" />
    </settings>
  </labeling>
  <layerGeometryType>0</layerGeometryType>
</qgis>
