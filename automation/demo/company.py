"""The demo company: its people, calendar and the realistic identities of its customers.

Everything here is a pure function of a ``random.Random`` so a seed always gives the same company.
The small company is the repo's own ``config.yaml`` (read, not copied by hand); the large one is
built from the same vocabulary with 20 regions and 200 reps. Customer identities follow Chinese
conventions: ``上海恒达机械有限公司``-style names, mainland mobiles (``1[3-9]`` + 9 digits) and
18-character unified social credit codes whose check character is computed per GB 32100-2015.
"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path
from typing import Any

import yaml

# ----- credit codes (GB 32100-2015, organisation code GB 11714) --------------------------------
CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def credit_check_char(first17: str) -> str:
    """The 18th character of a unified social credit code, from the first 17 (GB 32100-2015)."""
    total = sum(CREDIT_CHARSET.index(ch) * w for ch, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_CHARSET[(31 - total % 31) % 31]


def credit_code_valid(code: str) -> bool:
    """True when ``code`` is 18 allowed characters with the right check character."""
    code = code.strip().upper()
    if len(code) != 18 or any(ch not in CREDIT_CHARSET for ch in code):
        return False
    return credit_check_char(code[:17]) == code[17]


def _org_code(rng: random.Random) -> str:
    body = "".join(str(rng.randrange(10)) for _ in range(8))
    c = 11 - sum(int(d) * w for d, w in zip(body, _ORG_WEIGHTS, strict=True)) % 11
    return body + ("X" if c == 10 else "0" if c == 11 else str(c))


def credit_code(rng: random.Random, division: str) -> str:
    """A valid code for a company (registration authority 9 = 工商, type 1 = 企业) in ``division``."""
    first17 = "91" + division + _org_code(rng)
    return first17 + credit_check_char(first17)


# ----- phones ---------------------------------------------------------------------------------
_MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
                    "155", "156", "157", "158", "159", "166", "170", "173", "176", "177", "180", "181", "182",
                    "183", "185", "186", "187", "188", "189", "191", "198", "199")  # fmt: skip


def mobile(rng: random.Random) -> str:
    return rng.choice(_MOBILE_PREFIXES) + "".join(str(rng.randrange(10)) for _ in range(8))


def landline(rng: random.Random, area: str) -> str:
    digits = 8 if len(area) == 3 else 7
    return f"{area}-{rng.randrange(2, 10)}{''.join(str(rng.randrange(10)) for _ in range(digits - 1))}"


# ----- people -----------------------------------------------------------------------------------
SURNAMES = [("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), ("陈", "Chen"), ("杨", "Yang"),
            ("赵", "Zhao"), ("黄", "Huang"), ("周", "Zhou"), ("吴", "Wu"), ("徐", "Xu"), ("孙", "Sun"),
            ("胡", "Hu"), ("朱", "Zhu"), ("高", "Gao"), ("林", "Lin"), ("何", "He"), ("郭", "Guo"),
            ("马", "Ma"), ("罗", "Luo"), ("梁", "Liang"), ("宋", "Song"), ("郑", "Zheng"), ("谢", "Xie"),
            ("韩", "Han"), ("唐", "Tang"), ("冯", "Feng"), ("于", "Yu"), ("董", "Dong"), ("萧", "Xiao")]  # fmt: skip
GIVEN = [("伟", "Wei"), ("芳", "Fang"), ("娜", "Na"), ("敏", "Min"), ("静", "Jing"), ("丽", "Li"), ("强", "Qiang"),
         ("磊", "Lei"), ("军", "Jun"), ("洋", "Yang"), ("勇", "Yong"), ("艳", "Yan"), ("杰", "Jie"), ("娟", "Juan"),
         ("涛", "Tao"), ("明", "Ming"), ("超", "Chao"), ("秀英", "Xiuying"), ("霞", "Xia"), ("平", "Ping"),
         ("刚", "Gang"), ("桂英", "Guiying"), ("建华", "Jianhua"), ("志强", "Zhiqiang"), ("海燕", "Haiyan"),
         ("晓东", "Xiaodong"), ("文博", "Wenbo"), ("雪梅", "Xuemei"), ("子涵", "Zihan"), ("浩然", "Haoran")]  # fmt: skip
TITLES_ZH = ("总经理", "采购经理", "行政主管", "办公室主任", "IT经理", "财务总监")


def person_name(rng: random.Random) -> tuple[str, str]:
    """A Chinese name and its pinyin (given name first, as English speakers write it)."""
    s_zh, s_en = rng.choice(SURNAMES)
    g_zh, g_en = rng.choice(GIVEN)
    return s_zh + g_zh, f"{s_en} {g_en}"


# ----- customers -------------------------------------------------------------------------------
BRANDS = ("恒达", "华盛", "鑫源", "宏图", "东方", "瑞丰", "金泰", "永兴", "天宇", "博远", "中联", "汇通", "正邦",
          "新锐", "凯旋", "嘉禾", "同创", "远航", "德信", "明辉", "卓越", "润泽", "安泰", "盛世", "诚信", "锦程",
          "海川", "星辰", "万通", "华瑞", "立达", "宝丰", "长江", "信达", "融创", "九洲", "启明", "和顺")  # fmt: skip
# industry key -> words that go into a company name of that industry
INDUSTRY_WORDS = {
    "manufacturing": ("机械", "精密制造", "电子", "模具", "汽车配件", "化工"),
    "wholesale": ("商贸", "贸易", "供应链"),
    "retail": ("百货", "商业连锁", "超市"),
    "construction": ("建设工程", "建筑装饰", "建材"),
    "it": ("信息技术", "软件", "网络科技", "数据科技"),
    "healthcare": ("医疗器械", "医药", "健康管理"),
    "education": ("教育咨询", "培训学校", "文化传播"),
    "food": ("食品", "餐饮管理", "饮品"),
    "logistics": ("物流", "国际货运", "仓储"),
    "other": ("企业管理咨询", "广告", "物业管理"),
}
SUFFIXES = ("有限公司", "有限公司", "有限公司", "股份有限公司", "集团有限公司")
STREETS = (
    "人民路",
    "中山路",
    "解放路",
    "建设路",
    "和平路",
    "新华路",
    "长江路",
    "科技园路",
    "工业大道",
    "滨江大道",
)
MAIN_BUSINESS = (
    "设备制造",
    "批发零售",
    "工程施工",
    "软件开发",
    "医疗服务",
    "教育培训",
    "餐饮连锁",
    "仓储配送",
)
SUPPLIERS = ("理光", "佳能", "富士施乐", "京瓷", "惠普", "得力", "晨光", "本地经销商")
NEEDS = (
    "打印成本高",
    "设备老化需更换",
    "需要上门维保",
    "希望租赁代替购买",
    "需要统一采购平台",
    "耗材供应不及时",
)
PREFERENCES = ("微信沟通", "电话沟通", "上午拜访", "下午拜访", "邮件报价", "需提前预约")


# Region vocabulary: id, zh, en, cities as (zh, area code, admin division prefix).
REGION_POOL: list[tuple[str, str, str, tuple[tuple[str, str, str], ...]]] = [
    (
        "east",
        "华东",
        "East",
        (("上海", "021", "310115"), ("苏州", "0512", "320505"), ("杭州", "0571", "330106")),
    ),
    (
        "south",
        "华南",
        "South",
        (("广州", "020", "440106"), ("深圳", "0755", "440305"), ("东莞", "0769", "441900")),
    ),
    (
        "north",
        "华北",
        "North",
        (("北京", "010", "110105"), ("天津", "022", "120104"), ("石家庄", "0311", "130102")),
    ),
    ("shanghai", "上海", "Shanghai", (("上海", "021", "310104"), ("上海", "021", "310112"))),
    ("jiangsu", "江苏", "Jiangsu", (("南京", "025", "320106"), ("无锡", "0510", "320214"))),
    ("zhejiang", "浙江", "Zhejiang", (("宁波", "0574", "330212"), ("温州", "0577", "330302"))),
    ("anhui", "安徽", "Anhui", (("合肥", "0551", "340104"), ("芜湖", "0553", "340202"))),
    ("fujian", "福建", "Fujian", (("福州", "0591", "350102"), ("厦门", "0592", "350203"))),
    ("shandong", "山东", "Shandong", (("济南", "0531", "370102"), ("青岛", "0532", "370202"))),
    ("henan", "河南", "Henan", (("郑州", "0371", "410105"), ("洛阳", "0379", "410302"))),
    ("hubei", "湖北", "Hubei", (("武汉", "027", "420106"), ("宜昌", "0717", "420502"))),
    ("hunan", "湖南", "Hunan", (("长沙", "0731", "430102"), ("株洲", "0731", "430202"))),
    ("guangxi", "广西", "Guangxi", (("南宁", "0771", "450103"), ("柳州", "0772", "450202"))),
    ("sichuan", "四川", "Sichuan", (("成都", "028", "510104"), ("绵阳", "0816", "510703"))),
    ("chongqing", "重庆", "Chongqing", (("重庆", "023", "500103"), ("重庆", "023", "500112"))),
    ("shaanxi", "陕西", "Shaanxi", (("西安", "029", "610102"), ("宝鸡", "0917", "610302"))),
    ("liaoning", "辽宁", "Liaoning", (("沈阳", "024", "210102"), ("大连", "0411", "210202"))),
    ("jilin", "吉林", "Jilin", (("长春", "0431", "220102"), ("吉林", "0432", "220202"))),
    ("yunnan", "云南", "Yunnan", (("昆明", "0871", "530102"), ("曲靖", "0874", "530302"))),
    ("jiangxi", "江西", "Jiangxi", (("南昌", "0791", "360102"), ("九江", "0792", "360402"))),
    ("shanxi", "山西", "Shanxi", (("太原", "0351", "140105"), ("大同", "0352", "140213"))),
    ("hebei", "河北", "Hebei", (("保定", "0312", "130602"), ("唐山", "0315", "130203"))),
]
REGION_CITIES = {rid: cities for rid, _zh, _en, cities in REGION_POOL}

# 2026 public holidays on weekdays and make-up workdays (国务院办公厅 2026 年部分节假日安排).
HOLIDAYS_2026 = [
    "2026-01-01", "2026-01-02",  # 元旦
    "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20", "2026-02-23",  # 春节
    "2026-04-06",  # 清明节
    "2026-05-01", "2026-05-04", "2026-05-05",  # 劳动节
    "2026-06-19",  # 端午节
    "2026-09-25",  # 中秋节
    "2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06", "2026-10-07",  # 国庆节
]  # fmt: skip
WORKDAYS_2026 = ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"]


def repo_config_path() -> Path | None:
    """The repo's own ``config.yaml`` (the small demo company): from the checkout, else the copy the
    package ships for ``salesflow init``."""
    pkg = Path(__file__).resolve().parents[1] / "core" / "data" / "config.yaml"
    for cand in (Path(__file__).resolve().parents[2] / "config.yaml", pkg):
        if cand.is_file():
            return cand
    return None


def small_company(start: date) -> dict[str, Any]:
    """The repo's ``config.yaml`` company, with go-live dates moved up to the first generated day.

    Why the move: report timeliness counts from each rep's go-live date, and the demo only makes
    four weeks of forms; a go-live before that would show weeks of "missing" reports nobody made.
    """
    path = repo_config_path()
    if path is not None:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    else:  # installed without a checkout: the same company, rebuilt from the vocabulary
        data = _synthetic(random.Random(0), n_regions=3, reps_per_region=4, start=start)
        data["company"] = "华信办公设备有限公司"
    for rep in data["reps"]:
        rep["go_live"] = max(_as_date(rep.get("go_live", start)), start)
    return data


def large_company(rng: random.Random, start: date) -> dict[str, Any]:
    """20 regions of 10 reps each, full 2026 holiday calendar."""
    data = _synthetic(rng, n_regions=20, reps_per_region=10, start=start)
    data["company"] = "华信办公设备集团有限公司"
    return data


def _synthetic(rng: random.Random, n_regions: int, reps_per_region: int, start: date) -> dict[str, Any]:
    pool = REGION_POOL[:3] + REGION_POOL[3 : 3 + n_regions - 3] if n_regions > 3 else REGION_POOL[:n_regions]
    regions = [{"id": rid, "zh": zh, "en": en} for rid, zh, en, _c in pool]
    reps: list[dict[str, Any]] = []
    supervisors: list[dict[str, Any]] = []
    used: set[str] = set()
    n = 0
    for i, reg in enumerate(regions):
        for _ in range(reps_per_region):
            n += 1
            zh, en = _unique_name(rng, used)
            lang = "en" if rng.random() < 0.25 else "zh"
            reps.append({"id": f"R{n:03d}", "name": zh if lang == "zh" else en, "region": reg["id"],
                         "email": f"{en.lower().replace(' ', '.')}{n}@example.com", "go_live": start,
                         "language": lang})  # fmt: skip
        zh, en = _unique_name(rng, used)
        supervisors.append({"id": f"S{i + 1:02d}", "name": zh, "region": reg["id"],
                            "email": f"{en.lower().replace(' ', '.')}@example.com", "language": "zh"})  # fmt: skip
    return {
        "company": "",
        "language": "zh",
        "shared_folder": "workbooks",
        "state_folder": ".salesflow",
        "regions": regions,
        "reps": reps,
        "supervisors": supervisors,
        "managers": [{"id": "M01", "name": "郭总", "email": "guo@example.com", "regions": "all"}],
        "calendar": {
            "weekdays": [1, 2, 3, 4, 5],
            "holidays": list(HOLIDAYS_2026),
            "workdays": list(WORKDAYS_2026),
        },
    }


def _unique_name(rng: random.Random, used: set[str]) -> tuple[str, str]:
    while True:
        zh, en = person_name(rng)
        if zh not in used:
            used.add(zh)
            return zh, en


def _as_date(v: Any) -> date:
    return v if isinstance(v, date) else date.fromisoformat(str(v))


def dump_config(data: dict[str, Any], path: Path) -> None:
    """Write the company as a config.yaml the product loads (dates as ISO text)."""

    def plain(v: Any) -> Any:
        if isinstance(v, date):
            return v.isoformat()
        if isinstance(v, dict):
            return {k: plain(x) for k, x in v.items()}
        if isinstance(v, list):
            return [plain(x) for x in v]
        return v

    header = "# Salesflow demo company, written by `salesflow demo` · 演示公司配置\n"
    path.write_text(
        header + yaml.safe_dump(plain(data), allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
