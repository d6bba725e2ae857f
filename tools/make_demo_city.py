#!/usr/bin/env python3
"""Generate the fictional demo city in ``resources/demo_city/`` deterministically.

    .venv/bin/python tools/make_demo_city.py            # (re)write the data files
    .venv/bin/python tools/make_demo_city.py --check    # exit 1 if the files on disk differ

The district, its streets, communities, units, roads, bridges, people and phone numbers are all
invented ("清源区 / Qingyuan District"); only the county division code 330106 and the coordinates
(near lat 30.25, lon 120.16) look real. The output depends on nothing but this file and a fixed seed,
so running it twice gives byte-identical files. ``README.md`` in the output folder is hand-written
and is not touched.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "resources" / "demo_city"
sys.path.insert(0, str(ROOT))

from app.platform.geo import centroid, point_in_polygon  # noqa: E402

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

# --------------------------------------------------------------------------------------------------
# grids

COLS, ROWS = 9, 6
DX, DY = 0.0031, 0.0027            # ≈ 298 m × 300 m at lat 30.25
REMOVED = {(0, 0), (7, 0), (8, 0), (0, 5), (8, 5), (8, 4)}   # irregular district outline


INSPECTORS = 3  # inspector1..3 (`make_users`)


def street_inspectors(s_code: str) -> list[str]:
    """The grid inspectors (监督员) of a street's grids: the street's own, then the next one as a stand-in."""
    n = (int(s_code) - 1) % INSPECTORS
    return [f"inspector{n + 1}", f"inspector{(n + 1) % INSPECTORS + 1}"]


def make_grids(rng: random.Random) -> list[dict]:
    x0 = CENTER_LON - COLS * DX / 2
    y0 = CENTER_LAT - ROWS * DY / 2
    # jittered vertex lattice shared by all cells
    vert: dict[tuple[int, int], tuple[float, float]] = {}
    for i in range(COLS + 1):
        for j in range(ROWS + 1):
            jx = rng.uniform(-0.2, 0.2) * DX
            jy = rng.uniform(-0.2, 0.2) * DY
            vert[(i, j)] = (round(x0 + i * DX + jx, 6), round(y0 + j * DY + jy, 6))
    # optional bend in the middle of each edge, shared by the two cells on either side
    mid: dict[tuple, tuple[float, float] | None] = {}

    def edge_mid(a: tuple[int, int], b: tuple[int, int]) -> tuple[float, float] | None:
        key = (min(a, b), max(a, b))
        if key not in mid:
            if rng.random() < 0.45:
                (ax, ay), (bx, by) = vert[key[0]], vert[key[1]]
                horizontal = key[0][1] == key[1][1]
                off = rng.uniform(-0.12, 0.12)
                mx = (ax + bx) / 2 + (0 if horizontal else off * DX)
                my = (ay + by) / 2 + (off * DY if horizontal else 0)
                mid[key] = (round(mx, 6), round(my, 6))
            else:
                mid[key] = None
        return mid[key]

    cells = [(i, j) for j in range(ROWS) for i in range(COLS) if (i, j) not in REMOVED]
    rings: dict[tuple[int, int], list[list[float]]] = {}
    for i, j in cells:
        corners = [(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1)]   # counter-clockwise
        ring: list[list[float]] = []
        for k in range(4):
            a, b = corners[k], corners[(k + 1) % 4]
            ring.append(list(vert[a]))
            m = edge_mid(a, b)
            if m is not None:
                ring.append(list(m))
        ring.append(ring[0][:])
        rings[(i, j)] = ring

    # streets: quadrants (north-west 001, north-east 002, south-west 003, south-east 004)
    def street_of(cell: tuple[int, int]) -> str:
        i, j = cell
        west, north = i <= 4, j >= 3
        return {(True, True): "001", (False, True): "002", (True, False): "003",
                (False, False): "004"}[(west, north)]

    features = []
    for s_code, s_name, s_en, communities in STREETS:
        s_cells = sorted((c for c in cells if street_of(c) == s_code), key=lambda c: (c[0], c[1]))
        n = len(s_cells)
        bounds = [round(n * k / len(communities)) for k in range(len(communities) + 1)]
        for k, (c_code, c_name, c_en) in enumerate(communities):
            c_cells = sorted(s_cells[bounds[k]:bounds[k + 1]], key=lambda c: (-c[1], c[0]))
            for serial, cell in enumerate(c_cells, start=1):
                code = f"{COUNTY}{s_code}{c_code}{serial:02d}"
                features.append({
                    "type": "Feature",
                    "properties": {
                        "code": code,
                        "name": f"{s_name}{c_name}{serial:02d}网格",
                        "name_en": f"{c_en} Grid {serial:02d}, {s_en}",
                        "street": street_prefix(s_code),
                        "street_name": s_name,
                        "community": street_prefix(s_code) + c_code,
                        "community_name": c_name,
                        "inspectors": street_inspectors(s_code),
                    },
                    "geometry": {"type": "Polygon", "coordinates": [rings[cell]]},
                })
    features.sort(key=lambda f: f["properties"]["code"])
    return features


def make_grids2(rng: random.Random) -> list[dict]:
    """The second district's grids: a plain lattice east of the first district (never overlapping it)."""
    x0 = CENTER_LON + COLS * DX / 2 + 0.004
    y0 = CENTER_LAT - ROWS2 * DY / 2
    vert = {(i, j): (round(x0 + i * DX + rng.uniform(-0.15, 0.15) * DX, 6),
                     round(y0 + j * DY + rng.uniform(-0.15, 0.15) * DY, 6))
            for i in range(COLS2 + 1) for j in range(ROWS2 + 1)}
    features = []
    for s_index, (s_code, s_name, s_en, communities) in enumerate(STREETS2):
        # street 001 the west half, 002 the east half; the first community two columns, the second one
        for k, (c_code, c_name, c_en) in enumerate(communities):
            columns = [s_index * 3 + c for c in ((0, 1) if k == 0 else (2,))]
            cells = [(i, j) for i in columns for j in range(ROWS2 - 1, -1, -1)]
            for serial, (i, j) in enumerate(cells, start=1):
                corners = [(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1)]
                ring = [list(vert[c]) for c in corners] + [list(vert[corners[0]])]
                street = COUNTY2 + s_code
                features.append({
                    "type": "Feature",
                    "properties": {
                        "code": f"{street}{c_code}{serial:02d}",
                        "name": f"{s_name}{c_name}{serial:02d}网格",
                        "name_en": f"{c_en} Grid {serial:02d}, {s_en}",
                        "street": street, "street_name": s_name,
                        "community": street + c_code, "community_name": c_name,
                        "inspectors": ["inspector_cj"],
                    },
                    "geometry": {"type": "Polygon", "coordinates": [ring]},
                })
    features.sort(key=lambda f: f["properties"]["code"])
    return features


# --------------------------------------------------------------------------------------------------
# responsibility matrix


def make_responsibility() -> list[tuple[str, str, str, int]]:
    rules: list[tuple[str, str, str, int]] = []
    add = rules.append
    streets = [s[0] for s in STREETS]

    # --- components
    for code, unit in [("C0101", "water_supply"), ("C0105", "power"), ("C0106", "telecom"),
                       ("C0107", "gas"), ("C0108", "water_supply"), ("C0109", "power"),
                       ("C0110", "streetlights"), ("C0111", "gas"), ("C0112", "telecom")]:
        add((code, "*", unit, 1))
    for code in ("C0102", "C0103", "C0104"):
        add((code, "*", "drainage_maint", 1))
        add((code, "*", "drainage", 2))
    add(("C01", "*", "roads", 1))              # utility covers of unknown owner in the carriageway
    for s in streets:
        add(("C02", street_prefix(s), ROADS_SQUAD[s], 1))
    add(("C02", "*", "roads", 2))
    for code in ("C0201", "C0202"):
        add((code, "*", "traffic_police", 1))
    add(("C0203", "*", "traffic_police", 1))
    add(("C0203", "*", "roads", 2))
    for code in ("C0206", "C0207", "C0210"):
        add((code, "*", "bridges", 1))
        add((code, "*", "roads", 2))
    for s in streets:
        add(("C0211", street_prefix(s), ENFORCEMENT_SQUAD[s], 1))
        add(("C03", street_prefix(s), SANITATION_SQUAD[s], 1))
        add(("C0305", street_prefix(s), ENFORCEMENT_SQUAD[s], 1))
    add(("C03", "*", "sanitation", 2))
    add(("C04", "*", "greenery_maint", 1))
    add(("C04", "*", "greenery", 2))
    add(("C0401", "*", "greenery", 1))          # heritage trees: the department itself
    add(("C05", "*", "housing", 1))
    add(("C0601", "*", "city_office", 1))
    add(("C0602", "*", "drainage", 1))
    add(("C0603", "*", "bridges", 1))
    add(("C0604", "*", "drainage", 1))
    add(("C06", "*", "city_office", 1))

    # --- events
    order_e01 = ("E0106", "E0107", "E0110", "E0111")     # enforcement matters within E01
    for s in streets:
        sp = street_prefix(s)
        add(("E01", sp, SANITATION_SQUAD[s], 1))
        for code in order_e01:
            add((code, sp, ENFORCEMENT_SQUAD[s], 1))
        add(("E0109", sp, SANITATION_SQUAD[s], 1))      # cleaning
        add(("E0109", sp, ENFORCEMENT_SQUAD[s], 2))     # and finding who posted it
        add(("E02", sp, ENFORCEMENT_SQUAD[s], 1))
        add(("E03", sp, ENFORCEMENT_SQUAD[s], 1))
        add(("E0303", sp, SANITATION_SQUAD[s], 1))      # clean the spill first
        add(("E0303", sp, ENFORCEMENT_SQUAD[s], 2))     # then fine the haulier
        add(("E0304", sp, ROADS_SQUAD[s], 1))
        add(("E0304", sp, ENFORCEMENT_SQUAD[s], 2))
        add(("E0402", sp, ROADS_SQUAD[s], 2 if s in ("001", "002") else 1))
        add(("E0405", sp, ROADS_SQUAD[s], 1))
        add(("E0409", sp, ROADS_SQUAD[s], 1))
        add(("E05", sp, ENFORCEMENT_SQUAD[s], 1))
    # community-level: grid teams and a cleaning team
    add(("E01", "330106001001", "sanitation_west_team1", 1))
    add(("E01", "330106001002", "sanitation_west_team1", 1))
    add(("E05", "330106001001", "enf_minghu_hupan", 1))
    add(("E05", "330106001002", "enf_minghu_liuan", 1))
    # the emergency repair team leads on collapses in the north
    for s in ("001", "002"):
        add(("E0402", street_prefix(s), "roads_north_repair", 1))
    # grid-level: the lakeside park grid's litter is the greenery squad's
    add(("E01", "33010600100101", "greenery_maint", 1))
    add(("E0104", "*", "drainage", 1))
    add(("E0105", "*", "greenery_maint", 1))
    add(("E01", "*", "sanitation", 2))
    add(("E02", "*", "enforcement", 2))
    add(("E03", "*", "enforcement", 2))
    add(("E0306", "*", "housing", 2))
    add(("E0401", "*", "drainage_maint", 1))
    add(("E0401", "*", "drainage", 2))
    add(("E0402", "*", "roads", 2))
    add(("E0403", "*", "gas", 1))
    add(("E0404", "*", "greenery_maint", 1))
    add(("E0404", "*", "greenery", 2))
    add(("E0405", "*", "drainage_maint", 2))
    add(("E0406", "*", "drainage_maint", 1))
    add(("E0406", "*", "drainage", 2))
    add(("E0407", "*", "water_supply", 1))
    add(("E0408", "*", "bridges", 1))
    add(("E0408", "*", "roads", 2))
    add(("E0409", "*", "sanitation", 2))
    add(("E0410", "*", "power", 1))
    add(("E0411", "*", "housing", 1))
    add(("E0412", "*", "roads", 1))
    add(("E0412", "*", "housing", 2))
    add(("E04", "*", "city_office", 1))
    add(("E05", "*", "enforcement", 2))
    add(("E0504", "*", "traffic_police", 1))
    add(("E06", "*", "city_office", 1))
    add(("E0602", "*", "housing", 1))
    add(("E0603", "*", "drainage", 1))
    # the second district's own stations take its street cleaning and road repairs
    add(("C02", COUNTY2, "cj_roads", 1))
    add(("C03", COUNTY2, "cj_sanitation", 1))
    add(("E01", COUNTY2, "cj_sanitation", 1))
    add(("E0304", COUNTY2, "cj_roads", 1))
    add(("E06", COUNTY2, "cj_office", 1))
    return rules


# --------------------------------------------------------------------------------------------------
# sensors

SENSOR_RULES = {
    # type: (unit, interval_s, baseline, rules)
    "water_level_underpass": ("m", 60, 0.0, dict(
        warning_high=0.15, alarm_high=0.27, warning_low=None, alarm_low=None, rate_per_min=0.03,
        hysteresis=0.02, min_duration_s=60, silent_after_s=300, min_valid=0.0, max_valid=3.0)),
    "water_level_well": ("m", 60, 0.4, dict(
        warning_high=1.6, alarm_high=2.1, warning_low=None, alarm_low=None, rate_per_min=0.1,
        hysteresis=0.05, min_duration_s=120, silent_after_s=300, min_valid=0.0, max_valid=3.5)),
    "rainfall": ("mm/h", 300, 0.0, dict(
        warning_high=20.0, alarm_high=50.0, warning_low=None, alarm_low=None, rate_per_min=None,
        hysteresis=2.0, min_duration_s=300, silent_after_s=1200, min_valid=0.0, max_valid=300.0)),
    "bridge_displacement": ("mm", 600, 0.0, dict(
        warning_high=15.0, alarm_high=25.0, warning_low=-15.0, alarm_low=-25.0, rate_per_min=2.0,
        hysteresis=1.0, min_duration_s=120, silent_after_s=2400, min_valid=-200.0,
        max_valid=200.0)),
    "settlement": ("mm", 900, 0.0, dict(
        warning_high=10.0, alarm_high=20.0, warning_low=-10.0, alarm_low=-20.0, rate_per_min=1.0,
        hysteresis=0.5, min_duration_s=300, silent_after_s=3600, min_valid=-300.0,
        max_valid=300.0)),
    "strain": ("µε", 600, 120.0, dict(
        warning_high=450.0, alarm_high=650.0, warning_low=-250.0, alarm_low=-400.0,
        rate_per_min=50.0, hysteresis=10.0, min_duration_s=60, silent_after_s=2400,
        min_valid=-2000.0, max_valid=2000.0)),
    "tilt": ("°", 1800, 0.05, dict(
        warning_high=0.5, alarm_high=1.0, warning_low=-0.5, alarm_low=-1.0, rate_per_min=0.1,
        hysteresis=0.05, min_duration_s=300, silent_after_s=7200, min_valid=-10.0,
        max_valid=10.0)),
    "gas_concentration": ("%LEL", 60, 0.0, dict(
        warning_high=10.0, alarm_high=25.0, warning_low=None, alarm_low=None, rate_per_min=5.0,
        hysteresis=2.0, min_duration_s=10, silent_after_s=300, min_valid=0.0, max_valid=100.0)),
    # manhole cover state: 0 closed, 1 tilted/ajar, 2 open or missing
    "manhole_cover": ("state", 600, 0.0, dict(
        warning_high=1.0, alarm_high=2.0, warning_low=None, alarm_low=None, rate_per_min=None,
        hysteresis=0.0, min_duration_s=5, silent_after_s=3600, min_valid=0.0, max_valid=2.0)),
}


def point_in_grid(rng: random.Random, feature: dict) -> tuple[float, float]:
    coords = feature["geometry"]["coordinates"]
    clon, clat = centroid(coords)
    for _ in range(1000):
        lon = round(clon + rng.uniform(-0.35, 0.35) * DX, 6)
        lat = round(clat + rng.uniform(-0.35, 0.35) * DY, 6)
        if point_in_polygon(lon, lat, coords):
            return lat, lon
    raise RuntimeError(f"no point found in {feature['properties']['code']}")


def make_sensors(rng: random.Random, grids: list[dict]) -> list[dict]:
    by_code = {g["properties"]["code"]: g for g in grids}
    codes = sorted(by_code)
    sensors: list[dict] = []

    def add(sid: str, kind: str, rule_key: str, name: str, name_en: str, grid_code: str,
            owner: str, category: str) -> None:
        uom, interval, baseline, rules = SENSOR_RULES[rule_key]
        lat, lon = point_in_grid(rng, by_code[grid_code])
        if baseline:
            baseline = round(baseline * rng.uniform(0.8, 1.2), 3)
        sensors.append({
            "id": sid, "type": kind, "name": name, "name_en": name_en, "unit_of_measure": uom,
            "lat": lat, "lon": lon, "grid_code": grid_code, "owner_unit_id": owner,
            "interval_s": interval, "category_code": category, "baseline": float(baseline),
            "rules": dict(rules),
        })

    picks = rng.sample(codes, 15)
    for n, grid_code in enumerate(picks[:8], start=1):
        road, road_en = ROADS[(n * 7) % len(ROADS)]
        add(f"wl-{n:03d}", "water_level", "water_level_underpass", f"{road}下穿通道积水监测点",
            f"{road_en} underpass water depth", grid_code, "drainage_maint", "E0401")
    for n, grid_code in enumerate(picks[8:], start=9):
        road, road_en = ROADS[(n * 4) % len(ROADS)]
        add(f"wl-{n:03d}", "water_level", "water_level_well", f"{road}{n}号雨水井水位计",
            f"{road_en} storm well {n} level", grid_code, "drainage", "E0406")
    for n, grid_code in enumerate(rng.sample(codes, 3), start=1):
        road, road_en = ROADS[(n * 4 + 1) % len(ROADS)]
        add(f"rf-{n:03d}", "rainfall", "rainfall", f"{road}雨量站", f"{road_en} rain gauge",
            grid_code, "drainage", "E0401")
    # three bridges, each in a fixed grid near the middle of the district
    bridge_grids = [codes[len(codes) // 2 - 7], codes[len(codes) // 2], codes[len(codes) // 2 + 9]]
    bd = st = sg = 0
    for b, ((bname, ben), grid_code) in enumerate(zip(BRIDGES, bridge_grids)):
        for side, side_en in (("东", "east"), ("西", "west"))[: 2 if b == 0 else 1]:
            bd += 1
            add(f"bd-{bd:03d}", "bridge_displacement", "bridge_displacement",
                f"{bname}{side}支座位移计", f"{ben} {side_en} bearing displacement", grid_code,
                "bridges", "E0408")
        st += 1
        add(f"st-{st:03d}", "settlement", "settlement", f"{bname}桥墩沉降计",
            f"{ben} pier settlement", grid_code, "bridges", "E0408")
        sg += 1
        add(f"sg-{sg:03d}", "strain", "strain", f"{bname}主梁应变计", f"{ben} main girder strain",
            grid_code, "bridges", "E0408")
    st += 1
    add(f"st-{st:03d}", "settlement", "settlement", "清源大道地铁施工段地面沉降监测点",
        "Qingyuan Avenue metro works ground settlement", codes[5], "roads", "E0412")
    for n, grid_code in enumerate(rng.sample(codes, 2), start=1):
        add(f"tl-{n:03d}", "tilt", "tilt", f"青石巷{n * 7}号老旧房屋倾斜监测",
            f"Qingshi Lane No.{n * 7} old building tilt", grid_code, "housing", "E0411")
    for n, grid_code in enumerate(rng.sample(codes, 3), start=1):
        road, road_en = ROADS[(n * 2 + 3) % len(ROADS)]
        add(f"gs-{n:03d}", "gas_concentration", "gas_concentration", f"{road}燃气阀门井可燃气体监测",
            f"{road_en} gas valve well combustible gas", grid_code, "gas", "E0403")
    owners = ["drainage", "water_supply", "telecom", "gas"]
    for n, grid_code in enumerate(rng.sample(codes, 4), start=1):
        road, road_en = ROADS[(n * 6) % len(ROADS)]
        add(f"mc-{n:03d}", "manhole_cover", "manhole_cover", f"{road}智能井盖{n:02d}",
            f"{road_en} smart manhole cover {n:02d}", grid_code, owners[n - 1], "E0405")
    return sensors


def make_sensors2(rng: random.Random, grids2: list[dict]) -> list[dict]:
    """The second district's few sensors (a district operator there has its own to watch), drawn from
    their own random stream after the first district's: those are as they were."""
    by_code = {g["properties"]["code"]: g for g in grids2}
    codes = sorted(by_code)
    out = []
    for sid, rule_key, name, name_en, category, grid_code in (
            ("wl-016", "water_level_underpass", "澄湖路下穿通道积水监测点", "Chenghu Road underpass water depth",
             "E0401", codes[3]),
            ("wl-017", "water_level_well", "江岸路3号雨水井水位计", "Jiang'an Road storm well 3 level", "E0406",
             codes[-4]),
            ("rf-004", "rainfall", "澄江区雨量站", "Chengjiang District rain gauge", "E0401", codes[len(codes) // 2])):
        uom, interval, baseline, rules = SENSOR_RULES[rule_key]
        lat, lon = point_in_grid(rng, by_code[grid_code])
        if baseline:
            baseline = round(baseline * rng.uniform(0.8, 1.2), 3)
        out.append({"id": sid, "type": rule_key.split("_underpass")[0].split("_well")[0], "name": name,
                    "name_en": name_en, "unit_of_measure": uom, "lat": lat, "lon": lon, "grid_code": grid_code,
                    "owner_unit_id": "cj_roads", "interval_s": interval, "category_code": category,
                    "baseline": float(baseline), "rules": dict(rules)})
    return out


# --------------------------------------------------------------------------------------------------
# users


def make_users() -> list[dict]:
    people = iter(PEOPLE)
    users = [{"username": "admin", "display_name": "系统管理员", "role": "admin", "unit_id": None,
              "password": "demo-admin"}]
    for role, prefix, count in (("operator", "operator", 3), ("shift_lead", "lead", 2),
                                ("inspector", "inspector", INSPECTORS)):
        for n in range(1, count + 1):
            username = f"{prefix}{n}"
            users.append({"username": username, "display_name": next(people), "role": role,
                          "unit_id": None, "password": f"demo-{username}"})
    handled = [u[0] for u in UNITS if u[3] == 1] + ["enf_minghu", "drainage_maint"]
    for unit_id in handled:
        username = f"handler_{unit_id}"
        users.append({"username": username, "display_name": next(people), "role": "unit_handler",
                      "unit_id": unit_id, "password": f"demo-{username}"})
    # the second district: its operator and lead see its cases only; the others above see the whole city
    for username, name, role, unit_id in (("operator_cj", "林晓", "operator", None),
                                          ("lead_cj", "高远", "shift_lead", None),
                                          ("inspector_cj", "罗琴", "inspector", None),
                                          ("handler_cj_office", "唐宁", "unit_handler", "cj_office"),
                                          ("handler_cj_sanitation", "梁超", "unit_handler", "cj_sanitation")):
        user = {"username": username, "display_name": name, "role": role, "unit_id": unit_id,
                "password": f"demo-{username}"}
        if role != "unit_handler":
            user["jurisdictions"] = [COUNTY2]
        users.append(user)
    return users


# --------------------------------------------------------------------------------------------------
# calendar: China's 2026 public holidays and make-up working days (as announced; verify locally)


def _days(start: str, end: str) -> list[str]:
    from datetime import date, timedelta
    d0, d1 = date.fromisoformat(start), date.fromisoformat(end)
    return [(d0 + timedelta(days=k)).isoformat() for k in range((d1 - d0).days + 1)]


def make_calendar() -> dict:
    holidays = (_days("2026-01-01", "2026-01-03")      # New Year's Day 元旦
                + _days("2026-02-15", "2026-02-23")    # Spring Festival 春节
                + _days("2026-04-04", "2026-04-06")    # Qingming 清明节
                + _days("2026-05-01", "2026-05-05")    # Labour Day 劳动节
                + _days("2026-06-19", "2026-06-21")    # Dragon Boat Festival 端午节
                + _days("2026-09-25", "2026-09-27")    # Mid-Autumn Festival 中秋节
                + _days("2026-10-01", "2026-10-07"))   # National Day 国庆节
    extra = ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"]
    return {
        "_note": ("Demo calendar. China's 2026 public holidays (放假) and make-up working days "
                  "(调休上班) as announced by the State Council; each centre configures its own "
                  "calendar, working periods and stage limits. weekdays: 0 = Monday."),
        "timezone": "Asia/Shanghai",
        "periods": [["08:30", "12:00"], ["14:00", "17:30"]],
        "weekdays": [0, 1, 2, 3, 4],
        "holidays": holidays,
        "extra_workdays": extra,
        "stage_limits": {
            "register": {"minutes": 30, "working": False},
            "dispatch": {"minutes": 30, "working": False},
            "verify": {"hours": 2, "working": False},
        },
    }


# --------------------------------------------------------------------------------------------------
# output


def _json(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _geojson(features: list[dict]) -> str:
    # one feature per line keeps the file diffable and reasonably small
    lines = ['{"type": "FeatureCollection",',
             ' "name": "qingyuan_unit_grids",',
             ' "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},',
             ' "features": [']
    for k, f in enumerate(features):
        sep = "," if k < len(features) - 1 else ""
        lines.append("  " + json.dumps(f, ensure_ascii=False, separators=(",", ":")) + sep)
    lines.append(" ]}")
    return "\n".join(lines) + "\n"


def _csv(header: list[str], rows: list[list[object]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


# The repeat rule of the categories that differ from the defaults (200 m, 72 h): waterlogging is one
# flooded stretch, street vendors move on within hours; the three manhole covers a reporter cannot tell
# apart from the street are one group.
MERGE_RULES = {"E0401": ("300", "24", ""), "E0501": ("100", "12", ""), "C0101": ("", "", "manhole_cover"),
               "C0102": ("", "", "manhole_cover"), "C0103": ("", "", "manhole_cover")}


def _merge_rule(code: str) -> tuple[str, str, str]:
    return MERGE_RULES.get(code, ("", "", ""))


def _onsite_target(code: str) -> int:
    """Minutes from dispatch to the crew on site (docs/avl.md): floods and collapses (E04) 10, components 20,
    other events 15."""
    return 10 if code.startswith("E04") else 20 if code.startswith("C") else 15


def build() -> dict[str, str]:
    rng = random.Random(SEED)
    grids = make_grids(rng)
    sensors = make_sensors(rng, grids)
    grids2 = make_grids2(random.Random(SEED + 2))
    sensors += make_sensors2(random.Random(SEED + 3), grids2)
    grids = grids + grids2
    units = [{"id": i, "name": n, "name_en": e, "level": lv, "parent_id": p, "kind": k, "phone": ph,
              "jurisdiction": CITY if p is None else COUNTY if lv == 1 else ""}
             for i, n, e, lv, p, k, ph in UNITS]
    units += [{"id": i, "name": n, "name_en": e, "level": lv, "parent_id": p, "kind": k, "phone": ph,
               "jurisdiction": COUNTY2 if lv == 1 else ""} for i, n, e, lv, p, k, ph in UNITS2]
    cat_rows = []
    for kind, items in (("component", COMPONENTS), ("event", EVENTS)):
        for code, name, name_en, profile, prio, emergency in items:
            u, o, c = PROFILES[profile]
            rz, cz, re_, ce = CRITERIA[(kind, code[1:3])]
            cat_rows.append([code, kind, code[1:3], code[3:5], name, name_en, prio, u, o, c,
                             emergency, rz.format(n=name), cz.format(n=name), re_.format(e=name_en),
                             ce.format(e=name_en), _onsite_target(code), *_merge_rule(code)])
    resp = [list(r) for r in make_responsibility()]
    return {
        "units.json": _json(units),
        "categories.csv": _csv(["code", "kind", "major", "minor", "name", "name_en",
                                "default_priority", "urgent_limit", "ordinary_limit",
                                "complex_limit", "emergency", "register_criteria", "close_criteria",
                                "register_criteria_en", "close_criteria_en", "onsite_target_min",
                                "merge_radius_m", "merge_window_h", "merge_group"], cat_rows),
        "grids.geojson": _geojson(grids),
        "responsibility.csv": _csv(["category", "area", "unit_id", "rank"], resp),
        "users.json": _json(make_users()),
        "sensors.json": _json(sensors),
        "calendar.json": _json(make_calendar()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    parser.add_argument("--out", type=Path, default=OUT, help=f"output folder (default {OUT})")
    args = parser.parse_args(argv)
    files = build()
    if args.check:
        stale = [name for name, text in files.items()
                 if not (args.out / name).exists()
                 or (args.out / name).read_text(encoding="utf-8") != text]
        for name in stale:
            print(f"out of date: {args.out / name}")
        return 1 if stale else 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (args.out / name).write_text(text, encoding="utf-8", newline="\n")
        print(f"wrote {args.out / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
