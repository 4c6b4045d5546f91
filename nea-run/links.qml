<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<qgis version="3.28.0-Firenze" styleCategories="AllStyleCategories">
  <renderer-v2 type="graduatedSymbol" attr="Rank" graduatedMethod="GraduatedColor" symbollevels="0" enableorderby="0" forceraster="0">
    <ranges>
      <range lower="0.5" upper="7.5" symbol="0" label="rank 1-7" render="true" />
      <range lower="7.5" upper="14.5" symbol="1" label="rank 8-14" render="true" />
      <range lower="14.5" upper="22.5" symbol="2" label="rank 15-22" render="true" />
      <range lower="22.5" upper="29.5" symbol="3" label="rank 23-29" render="true" />
      <range lower="29.5" upper="36.5" symbol="4" label="rank 30-36" render="true" />
    </ranges>
    <symbols>
      <symbol type="line" name="0" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleLine" enabled="1" pass="0" locked="0">
          <Option type="Map">
            <Option name="line_color" value="26,152,80,255" type="QString" />
            <Option name="line_style" value="solid" type="QString" />
            <Option name="line_width" value="1.6" type="QString" />
            <Option name="line_width_unit" value="MM" type="QString" />
            <Option name="capstyle" value="round" type="QString" />
            <Option name="joinstyle" value="round" type="QString" />
          </Option>
        </layer>
      </symbol>
      <symbol type="line" name="1" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleLine" enabled="1" pass="0" locked="0">
          <Option type="Map">
            <Option name="line_color" value="145,207,96,255" type="QString" />
            <Option name="line_style" value="solid" type="QString" />
            <Option name="line_width" value="1.3250000000000002" type="QString" />
            <Option name="line_width_unit" value="MM" type="QString" />
            <Option name="capstyle" value="round" type="QString" />
            <Option name="joinstyle" value="round" type="QString" />
          </Option>
        </layer>
      </symbol>
      <symbol type="line" name="2" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleLine" enabled="1" pass="0" locked="0">
          <Option type="Map">
            <Option name="line_color" value="217,239,139,255" type="QString" />
            <Option name="line_style" value="solid" type="QString" />
            <Option name="line_width" value="1.05" type="QString" />
            <Option name="line_width_unit" value="MM" type="QString" />
            <Option name="capstyle" value="round" type="QString" />
            <Option name="joinstyle" value="round" type="QString" />
          </Option>
        </layer>
      </symbol>
      <symbol type="line" name="3" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleLine" enabled="1" pass="0" locked="0">
          <Option type="Map">
            <Option name="line_color" value="252,141,89,255" type="QString" />
            <Option name="line_style" value="solid" type="QString" />
            <Option name="line_width" value="0.775" type="QString" />
            <Option name="line_width_unit" value="MM" type="QString" />
            <Option name="capstyle" value="round" type="QString" />
            <Option name="joinstyle" value="round" type="QString" />
          </Option>
        </layer>
      </symbol>
      <symbol type="line" name="4" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleLine" enabled="1" pass="0" locked="0">
          <Option type="Map">
            <Option name="line_color" value="215,48,39,255" type="QString" />
            <Option name="line_style" value="solid" type="QString" />
            <Option name="line_width" value="0.5" type="QString" />
            <Option name="line_width_unit" value="MM" type="QString" />
            <Option name="capstyle" value="round" type="QString" />
            <Option name="joinstyle" value="round" type="QString" />
          </Option>
        </layer>
      </symbol>
    </symbols>
    <mode name="manual" />
    <rotation />
    <sizescale />
  </renderer-v2>
  <labeling type="simple">
    <settings calloutType="simple">
      <text-style fieldName="Rank" fontSize="8.0" textColor="0,0,0,255" fontFamily="Sans Serif" isExpression="0" />
      <text-buffer bufferDraw="1" bufferSize="0.8" bufferColor="255,255,255,255" />
      <placement placement="0" dist="1" />
      <rendering scaleVisibility="0" obstacle="1" />
    </settings>
  </labeling>
  <layerGeometryType>1</layerGeometryType>
</qgis>
