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
      <symbol type="fill" name="0" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleFill" enabled="1" pass="0" locked="0">
          <Option type="Map">
            <Option name="color" value="26,152,80,110" type="QString" />
            <Option name="style" value="solid" type="QString" />
            <Option name="outline_color" value="51,51,51,255" type="QString" />
            <Option name="outline_style" value="solid" type="QString" />
            <Option name="outline_width" value="0.2" type="QString" />
            <Option name="outline_width_unit" value="MM" type="QString" />
          </Option>
        </layer>
      </symbol>
      <symbol type="fill" name="1" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleFill" enabled="1" pass="0" locked="0">
          <Option type="Map">
            <Option name="color" value="145,207,96,110" type="QString" />
            <Option name="style" value="solid" type="QString" />
            <Option name="outline_color" value="51,51,51,255" type="QString" />
            <Option name="outline_style" value="solid" type="QString" />
            <Option name="outline_width" value="0.2" type="QString" />
            <Option name="outline_width_unit" value="MM" type="QString" />
          </Option>
        </layer>
      </symbol>
      <symbol type="fill" name="2" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleFill" enabled="1" pass="0" locked="0">
          <Option type="Map">
            <Option name="color" value="217,239,139,110" type="QString" />
            <Option name="style" value="solid" type="QString" />
            <Option name="outline_color" value="51,51,51,255" type="QString" />
            <Option name="outline_style" value="solid" type="QString" />
            <Option name="outline_width" value="0.2" type="QString" />
            <Option name="outline_width_unit" value="MM" type="QString" />
          </Option>
        </layer>
      </symbol>
      <symbol type="fill" name="3" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleFill" enabled="1" pass="0" locked="0">
          <Option type="Map">
            <Option name="color" value="252,141,89,110" type="QString" />
            <Option name="style" value="solid" type="QString" />
            <Option name="outline_color" value="51,51,51,255" type="QString" />
            <Option name="outline_style" value="solid" type="QString" />
            <Option name="outline_width" value="0.2" type="QString" />
            <Option name="outline_width_unit" value="MM" type="QString" />
          </Option>
        </layer>
      </symbol>
      <symbol type="fill" name="4" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleFill" enabled="1" pass="0" locked="0">
          <Option type="Map">
            <Option name="color" value="215,48,39,110" type="QString" />
            <Option name="style" value="solid" type="QString" />
            <Option name="outline_color" value="51,51,51,255" type="QString" />
            <Option name="outline_style" value="solid" type="QString" />
            <Option name="outline_width" value="0.2" type="QString" />
            <Option name="outline_width_unit" value="MM" type="QString" />
          </Option>
        </layer>
      </symbol>
    </symbols>
    <mode name="manual" />
    <rotation />
    <sizescale />
  </renderer-v2>
  <layerGeometryType>2</layerGeometryType>
</qgis>
