"""What the fictional demo city is (`tools/make_demo_city.py` writes it out): its streets and communities,
member units and their squads, categories with their time-limit profiles and criteria, and the invented
roads, bridges and people its sensors and users are named after. Data only: every random choice is the
generator's."""
from __future__ import annotations

SEED = 20260106
COUNTY = "330106"
CENTER_LAT, CENTER_LON = 30.25, 120.16

# --------------------------------------------------------------------------------------------------
# streets and communities (street code, Chinese, English, [(community code, Chinese, English)])

STREETS = [
    ("001", "明湖街道", "Minghu Subdistrict",
     [("001", "湖畔社区", "Hupan Community"), ("002", "柳岸社区", "Liu'an Community"),
      ("003", "荷风社区", "Hefeng Community")]),
    ("002", "桂园街道", "Guiyuan Subdistrict",
     [("001", "桂花社区", "Guihua Community"), ("002", "学府社区", "Xuefu Community"),
      ("003", "青石社区", "Qingshi Community")]),
    ("003", "松岭街道", "Songling Subdistrict",
     [("001", "松涛社区", "Songtao Community"), ("002", "竹苑社区", "Zhuyuan Community"),
      ("003", "茶山社区", "Chashan Community")]),
    ("004", "云溪街道", "Yunxi Subdistrict",
     [("001", "云栖社区", "Yunqi Community"), ("002", "溪口社区", "Xikou Community"),
      ("003", "梅坞社区", "Meiwu Community")]),
]


def street_prefix(code3: str) -> str:
    return COUNTY + code3


# The second district (澄江区 / Chengjiang District, as invented as the first), east of Qingyuan in the same
# city: its own streets, grids, units and a district operator who sees only its cases. Drawn from its own
# random stream, so that the first district's files stay as they were.
CITY = COUNTY[:4]
COUNTY2 = "330108"
STREETS2 = [
    ("001", "澄湖街道", "Chenghu Subdistrict",
     [("001", "澄心社区", "Chengxin Community"), ("002", "湖滨社区", "Hubin Community")]),
    ("002", "江岸街道", "Jiang'an Subdistrict",
     [("001", "江畔社区", "Jiangpan Community"), ("002", "渔港社区", "Yugang Community")]),
]
COLS2, ROWS2 = 6, 3  # each street three columns wide: its name fits on the map


# --------------------------------------------------------------------------------------------------
# member units: (id, name, name_en, level, parent_id, kind, phone)

UNITS = [
    ("city_office", "清源区城市管理办公室（数字城管指挥中心）",
     "Qingyuan District City Management Office (Digital City Management Command Centre)",
     0, None, "coordination", "0571-8690-1000"),
    # level 1: district departments and utility companies
    ("sanitation", "区环境卫生管理中心", "District Sanitation Management Centre", 1, "city_office",
     "sanitation", "0571-8690-1100"),
    ("roads", "区市政道路管理中心", "District Municipal Roads Management Centre", 1, "city_office",
     "roads", "0571-8690-1200"),
    ("drainage", "区排水管理中心", "District Drainage Management Centre", 1, "city_office",
     "drainage", "0571-8690-1300"),
    ("greenery", "区园林绿化管理中心", "District Parks and Greenery Centre", 1, "city_office",
     "greenery", "0571-8690-1400"),
    ("traffic_police", "区公安分局交通警察大队", "District Traffic Police Brigade", 1, "city_office",
     "traffic_police", "0571-8690-1500"),
    ("enforcement", "区综合行政执法局", "District Urban Management Law Enforcement Bureau", 1,
     "city_office", "law_enforcement", "0571-8690-1600"),
    ("water_supply", "清源供水有限公司", "Qingyuan Water Supply Co.", 1, "city_office",
     "water_supply", "0571-8690-1700"),
    ("gas", "清源燃气有限公司", "Qingyuan Gas Co.", 1, "city_office", "gas", "0571-8690-1800"),
    ("power", "国网清源供电公司", "Qingyuan Power Supply Co.", 1, "city_office", "power",
     "0571-8690-1900"),
    ("housing", "区住房和城乡建设局", "District Housing and Urban-Rural Development Bureau", 1,
     "city_office", "housing", "0571-8690-2000"),
    ("telecom", "清源通信管线联合办公室", "Qingyuan Telecom Ducts Joint Office", 1, "city_office",
     "telecom", "0571-8690-2100"),
    # level 2: squads, stations and teams
    ("sanitation_west", "环卫第一作业所（西片）", "Sanitation Works Station 1 (West)", 2,
     "sanitation", "sanitation", "0571-8690-1110"),
    ("sanitation_east", "环卫第二作业所（东片）", "Sanitation Works Station 2 (East)", 2,
     "sanitation", "sanitation", "0571-8690-1120"),
    ("roads_north", "市政养护第一中队（北片）", "Road Maintenance Squad 1 (North)", 2, "roads",
     "roads", "0571-8690-1210"),
    ("roads_south", "市政养护第二中队（南片）", "Road Maintenance Squad 2 (South)", 2, "roads",
     "roads", "0571-8690-1220"),
    ("bridges", "桥梁隧道管理所", "Bridges and Tunnels Station", 2, "roads", "bridges",
     "0571-8690-1230"),
    ("streetlights", "路灯管理所", "Street Lighting Station", 2, "roads", "street_lighting",
     "0571-8690-1240"),
    ("drainage_maint", "排水管网养护所", "Drainage Network Maintenance Station", 2, "drainage",
     "drainage", "0571-8690-1310"),
    ("greenery_maint", "绿化养护中队", "Greenery Maintenance Squad", 2, "greenery", "greenery",
     "0571-8690-1410"),
    ("enf_minghu", "明湖执法中队", "Minghu Enforcement Squad", 2, "enforcement", "law_enforcement",
     "0571-8690-1610"),
    ("enf_guiyuan", "桂园执法中队", "Guiyuan Enforcement Squad", 2, "enforcement",
     "law_enforcement", "0571-8690-1620"),
    ("enf_songling", "松岭执法中队", "Songling Enforcement Squad", 2, "enforcement",
     "law_enforcement", "0571-8690-1630"),
    ("enf_yunxi", "云溪执法中队", "Yunxi Enforcement Squad", 2, "enforcement", "law_enforcement",
     "0571-8690-1640"),
    # level 3: grid teams and work teams (班组 / 网格组)
    ("enf_minghu_hupan", "明湖中队湖畔网格组", "Minghu Squad, Hupan Grid Team", 3, "enf_minghu",
     "law_enforcement", "0571-8690-1611"),
    ("enf_minghu_liuan", "明湖中队柳岸网格组", "Minghu Squad, Liu'an Grid Team", 3, "enf_minghu",
     "law_enforcement", "0571-8690-1612"),
    ("sanitation_west_team1", "环卫一所保洁一班", "Sanitation Station 1, Cleaning Team 1", 3,
     "sanitation_west", "sanitation", "0571-8690-1111"),
    ("roads_north_repair", "市政一中队道路抢修班", "Road Squad 1, Emergency Repair Team", 3,
     "roads_north", "roads", "0571-8690-1211"),
]

# the second district's units (under the city office; their jurisdiction is the district's)
UNITS2 = [
    ("cj_office", "澄江区城市管理分中心", "Chengjiang District City Management Sub-centre", 1, "city_office",
     "coordination", "0571-8692-1000"),
    ("cj_sanitation", "澄江区环卫所", "Chengjiang District Sanitation Station", 2, "cj_office", "sanitation",
     "0571-8692-1100"),
    ("cj_roads", "澄江区市政养护所", "Chengjiang District Road Maintenance Station", 2, "cj_office", "roads",
     "0571-8692-1200"),
]

# which squads cover which streets
ROADS_SQUAD = {"001": "roads_north", "002": "roads_north", "003": "roads_south",
               "004": "roads_south"}
SANITATION_SQUAD = {"001": "sanitation_west", "002": "sanitation_east",
                    "003": "sanitation_west", "004": "sanitation_east"}
ENFORCEMENT_SQUAD = {"001": "enf_minghu", "002": "enf_guiyuan", "003": "enf_songling",
                     "004": "enf_yunxi"}

# --------------------------------------------------------------------------------------------------
# categories

# time-limit profiles: (urgent, ordinary, complex)
PROFILES = {
    "quick": ("1h", "4wh", "2wd"),      # street order, rubbish: fast turn-round
    "std": ("2h", "1wd", "3wd"),        # the common default
    "repair": ("4h", "3wd", "5wd"),     # facility repairs
    "build": ("4h", "5wd", "15wd"),     # buildings, illegal construction
    "emerg": ("30m", "2h", "24h"),      # emergencies: calendar time
}

# (code, name, name_en, profile, default priority, emergency)
COMPONENTS = [
    # 01 public utilities 公用设施
    ("C0101", "上水井盖", "Water supply manhole cover", "std", "ordinary", 0),
    ("C0102", "污水井盖", "Sewer manhole cover", "std", "ordinary", 0),
    ("C0103", "雨水井盖", "Storm drain manhole cover", "std", "ordinary", 0),
    ("C0104", "雨水箅子", "Gully grate", "std", "ordinary", 0),
    ("C0105", "电力井盖", "Power manhole cover", "std", "ordinary", 0),
    ("C0106", "通信井盖", "Telecom manhole cover", "std", "ordinary", 0),
    ("C0107", "燃气井盖", "Gas valve cover", "std", "ordinary", 0),
    ("C0108", "消防栓", "Fire hydrant", "repair", "ordinary", 0),
    ("C0109", "变压器箱", "Transformer / power cabinet", "repair", "ordinary", 0),
    ("C0110", "路灯", "Street lamp", "repair", "ordinary", 0),
    ("C0111", "燃气调压设施", "Gas pressure regulator", "repair", "ordinary", 0),
    ("C0112", "公用电话亭/通信箱", "Telecom cabinet", "repair", "ordinary", 0),
    # 02 roads and traffic 道路交通
    ("C0201", "交通信号灯", "Traffic signal", "std", "urgent", 0),
    ("C0202", "交通标志牌", "Traffic sign", "repair", "ordinary", 0),
    ("C0203", "道路隔离护栏", "Road barrier / guardrail", "repair", "ordinary", 0),
    ("C0204", "人行道板", "Sidewalk paving", "repair", "ordinary", 0),
    ("C0205", "车行道路面", "Carriageway pavement", "repair", "ordinary", 0),
    ("C0206", "桥梁", "Bridge", "repair", "ordinary", 0),
    ("C0207", "下穿通道", "Underpass", "repair", "ordinary", 0),
    ("C0208", "公交站亭", "Bus shelter", "repair", "ordinary", 0),
    ("C0209", "路名牌", "Street name sign", "repair", "ordinary", 0),
    ("C0210", "人行天桥", "Pedestrian overpass", "repair", "ordinary", 0),
    ("C0211", "非机动车停放设施", "Bicycle parking facility", "repair", "ordinary", 0),
    # 03 city appearance and environment 市容环境
    ("C0301", "公共厕所", "Public toilet", "std", "ordinary", 0),
    ("C0302", "垃圾箱", "Litter bin", "quick", "ordinary", 0),
    ("C0303", "垃圾收集点", "Refuse collection point", "std", "ordinary", 0),
    ("C0304", "公共座椅", "Public bench", "repair", "ordinary", 0),
    ("C0305", "广告牌匾", "Shop signboard / billboard", "repair", "ordinary", 0),
    ("C0306", "垃圾中转站", "Refuse transfer station", "std", "ordinary", 0),
    # 04 parks and greenery 园林绿化
    ("C0401", "古树名木", "Heritage tree", "std", "urgent", 0),
    ("C0402", "行道树", "Street tree", "std", "ordinary", 0),
    ("C0403", "绿地", "Green space", "repair", "ordinary", 0),
    ("C0404", "花坛花箱", "Flower bed / planter", "repair", "ordinary", 0),
    ("C0405", "护树设施", "Tree guard", "repair", "ordinary", 0),
    ("C0406", "公园游园设施", "Park facility", "repair", "ordinary", 0),
    # 05 buildings and land 房屋土地
    ("C0501", "危险房屋", "Dangerous building", "build", "urgent", 0),
    ("C0502", "建筑外立面", "Building facade", "build", "ordinary", 0),
    ("C0503", "闲置地块", "Vacant lot", "build", "ordinary", 0),
    ("C0504", "人防工程出入口", "Civil air-defence entrance", "build", "ordinary", 0),
    # 06 other facilities 其他设施
    ("C0601", "视频监控设施", "CCTV camera", "repair", "ordinary", 0),
    ("C0602", "水位监测设施", "Water-level monitor", "std", "ordinary", 0),
    ("C0603", "桥梁结构监测设施", "Bridge structural monitor", "std", "ordinary", 0),
    ("C0604", "防汛设施", "Flood-control facility", "std", "urgent", 0),
]

EVENTS = [
    # 01 city appearance and environment 市容环境
    ("E0101", "暴露垃圾", "Exposed rubbish", "quick", "ordinary", 0),
    ("E0102", "积存垃圾渣土", "Accumulated waste / muck", "std", "ordinary", 0),
    ("E0103", "道路不洁", "Dirty road surface", "quick", "ordinary", 0),
    ("E0104", "水域不洁", "Polluted water surface", "std", "ordinary", 0),
    ("E0105", "绿地脏乱", "Littered green space", "quick", "ordinary", 0),
    ("E0106", "焚烧垃圾树叶", "Burning rubbish or leaves", "quick", "urgent", 0),
    ("E0107", "餐饮油烟污染", "Restaurant cooking-fume pollution", "std", "ordinary", 0),
    ("E0108", "动物尸体", "Dead animal", "quick", "urgent", 0),
    ("E0109", "乱涂写乱张贴", "Graffiti and fly-posting", "quick", "ordinary", 0),
    ("E0110", "乱堆物堆料", "Materials piled in public space", "quick", "ordinary", 0),
    ("E0111", "沿街晾挂", "Laundry hung along the street", "quick", "ordinary", 0),
    # 02 advertising 宣传广告
    ("E0201", "非法小广告", "Illegal small advertisements", "quick", "ordinary", 0),
    ("E0202", "违规户外广告", "Unauthorised outdoor advertising", "std", "ordinary", 0),
    ("E0203", "违规悬挂横幅", "Unauthorised banners", "quick", "ordinary", 0),
    ("E0204", "广告牌破损", "Damaged billboard", "std", "urgent", 0),
    # 03 construction management 施工管理
    ("E0301", "施工扰民", "Construction noise at night", "quick", "ordinary", 0),
    ("E0302", "工地扬尘", "Construction-site dust", "std", "ordinary", 0),
    ("E0303", "渣土运输遗撒", "Muck spilled by trucks", "quick", "urgent", 0),
    ("E0304", "违规占道施工", "Unauthorised roadworks", "std", "ordinary", 0),
    ("E0305", "施工废弃料", "Abandoned construction waste", "std", "ordinary", 0),
    ("E0306", "违法建设", "Illegal construction", "build", "complex", 0),
    # 04 emergencies 突发事件
    ("E0401", "道路积水", "Waterlogging", "emerg", "urgent", 1),
    ("E0402", "路面塌陷", "Road collapse / sinkhole", "emerg", "urgent", 1),
    ("E0403", "燃气泄漏", "Gas leak", "emerg", "urgent", 1),
    ("E0404", "树木倒伏", "Fallen tree", "emerg", "urgent", 1),
    ("E0405", "井盖缺失", "Manhole cover missing or displaced", "emerg", "urgent", 1),
    ("E0406", "排水管道冒溢", "Drainage overflow", "emerg", "urgent", 1),
    ("E0407", "供水管爆裂", "Burst water main", "emerg", "urgent", 1),
    ("E0408", "桥梁结构异常", "Bridge structural anomaly (displacement, strain)", "emerg",
     "urgent", 1),
    ("E0409", "路面结冰", "Icy road", "emerg", "urgent", 1),
    ("E0410", "电力线路故障", "Fallen power line", "emerg", "urgent", 1),
    ("E0411", "房屋险情", "Building in danger (tilt, cracks)", "emerg", "urgent", 1),
    ("E0412", "地面沉降", "Ground settlement", "emerg", "urgent", 1),
    # 05 street order 街面秩序
    ("E0501", "无照游商", "Unlicensed street vendors", "quick", "ordinary", 0),
    ("E0502", "店外经营", "Trading outside the shop", "quick", "ordinary", 0),
    ("E0503", "占道经营", "Stalls occupying the road", "quick", "ordinary", 0),
    ("E0504", "机动车乱停放", "Illegal parking", "quick", "ordinary", 0),
    ("E0505", "非机动车乱停放", "Bicycles parked in disorder", "quick", "ordinary", 0),
    ("E0506", "露天烧烤", "Open-air barbecue", "quick", "ordinary", 0),
    ("E0507", "噪声扰民", "Street noise", "quick", "ordinary", 0),
    # 06 other 其他
    ("E0601", "其他事件", "Other event", "std", "ordinary", 0),
    ("E0602", "群租房安全隐患", "Overcrowded rental hazard", "build", "ordinary", 0),
    ("E0603", "违规排污", "Illegal sewage discharge", "std", "urgent", 0),
]

# Registration and closing criteria (立案标准 / 结案标准) per kind and major class, written in the style of
# the standard's per-category table (docs/evaluation.md says where they come from): {n} / {e} = the name.
CRITERIA = {
    ("component", "01"): ("{n}破损、缺失、移位或功能异常，影响使用或存在安全隐患", "{n}已修复或更换，功能恢复正常，无安全隐患",
                          "{e}: damaged, missing, displaced or not working, hindering use or unsafe",
                          "{e}: repaired or replaced and working, no hazard left"),
    ("component", "02"): ("{n}破损、缺失、倾斜或污损，影响通行或交通安全", "{n}已修复、扶正或更换，通行恢复正常",
                          "{e}: damaged, missing, tilted or defaced, hindering traffic or unsafe",
                          "{e}: repaired, straightened or replaced; traffic normal"),
    ("component", "03"): ("{n}破损、满溢、污损或缺失，影响市容或使用", "{n}已修复、清理或更换，整洁可用",
                          "{e}: damaged, overflowing, dirty or missing", "{e}: repaired, cleaned or replaced"),
    ("component", "04"): ("{n}死亡、倒伏、缺株、破损或遮挡，影响通行、安全或景观", "{n}已扶正、补植、修剪或修复，恢复完好",
                          "{e}: dead, fallen, missing, damaged or obstructing",
                          "{e}: straightened, replanted, pruned or repaired"),
    ("component", "05"): ("{n}破损、有坍塌风险或违规使用，危及安全或影响市容", "{n}险情已排除或已整改，经现场确认",
                          "{e}: damaged, at risk of collapse or misused", "{e}: danger removed or put right, seen on site"),
    ("component", "06"): ("{n}损坏、离线或功能异常", "{n}已修复，功能与数据恢复正常",
                          "{e}: damaged, offline or malfunctioning", "{e}: repaired; function and data normal"),
    ("event", "01"): ("公共区域存在{n}，面积或数量明显，影响市容环境", "{n}已清除，现场整洁无残留",
                      "{e} in a public place, clearly visible", "{e} removed; the place is clean"),
    ("event", "02"): ("公共区域存在{n}，未经许可或有安全隐患", "{n}已清除或整改，未经许可的设置已拆除",
                      "{e} in a public place, unauthorised or unsafe", "{e} removed or put right"),
    ("event", "03"): ("施工现场或周边存在{n}，违反施工管理规定", "{n}已停止或整改，现场符合施工管理规定",
                      "{e} at or around a site, against construction rules", "{e} stopped or put right"),
    ("event", "04"): ("发生{n}，危及人身财产安全或影响城市运行，须立即处置", "{n}险情已排除，现场安全，恢复正常运行",
                      "{e}, endangering people, property or the city's operation: act at once",
                      "{e}: danger removed, the place safe and back to normal"),
    ("event", "05"): ("街面存在{n}，占用公共空间或影响秩序", "{n}已劝离或纠正，街面秩序恢复",
                      "{e} on the street, occupying public space", "{e} moved on or corrected; order restored"),
    ("event", "06"): ("存在{n}，属城市管理职责范围且可核实", "{n}已处置完毕，经现场核实",
                      "{e}, within city management's remit and verifiable", "{e} dealt with, confirmed on site"),
}

# --------------------------------------------------------------------------------------------------
# roads and landmarks used in sensor names (all invented)

ROADS = [
    ("明湖路", "Minghu Road"), ("桂园路", "Guiyuan Road"), ("松岭路", "Songling Road"),
    ("云溪路", "Yunxi Road"), ("学府街", "Xuefu Street"), ("荷风路", "Hefeng Road"),
    ("青石巷", "Qingshi Lane"), ("茶山路", "Chashan Road"), ("梅坞路", "Meiwu Road"),
    ("柳岸街", "Liu'an Street"), ("竹苑路", "Zhuyuan Road"), ("湖滨大道", "Hubin Avenue"),
    ("文澜路", "Wenlan Road"), ("清源大道", "Qingyuan Avenue"), ("云栖路", "Yunqi Road"),
]
BRIDGES = [("明湖大桥", "Minghu Bridge"), ("桂溪桥", "Guixi Bridge"),
           ("松岭高架", "Songling Viaduct")]

PEOPLE = ["张敏", "李强", "王芳", "陈伟", "刘洋", "赵磊", "孙丽", "周杰", "吴刚", "郑爽",
          "冯涛", "褚静", "卫东", "蒋欣", "沈浩", "韩雪", "杨帆", "朱琳", "秦川", "许诺",
          "何平", "吕娜", "施勇", "曹颖"]
