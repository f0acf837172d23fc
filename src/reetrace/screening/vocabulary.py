"""The domain vocabulary screening needs beside the libraries: generic words of the rare-earth,
magnet, metals and trading trades (Chinese and the English such firms write for them), company
forms rigour does not know, a handful of standard translations of distinctive words, and
Chinese place names with their provinces.

This is data, kept in one place. Every Chinese form is also recognised in Pinyin (derived with
pypinyin where the tables are built, in `normalise`), so 稀土, "xitu" and "Rare Earth" all
become the concept `rareearth`.
"""

from __future__ import annotations

# concept: Chinese forms | English forms (comma-separated phrases). A Chinese form may stand
# for several concepts (磁性材料 = magnet + material): write it under each, or use `+`.
GENERIC = """
rareearth: 稀土 | rare earth, rare earths, rareearth, rare-earth, ree, re, earth, earths
rare: 稀有 | rare
magnet: 磁材+material 磁性材料+material 磁业 永磁 磁性 磁电+electric 磁钢 | magnet, magnets, magnetic, magnetics, \
permanent magnet, permanent magnets, permanent magnetic, permanent, mag, magnetism, magnetoelectric+electric, \
magneto electric+electric
material: 材料 新材+new 新材料+new | material, materials, mat, matl
new: | new, novel, advanced
metal: 金属 | metal, metals, metallic, metall
nonferrous: 有色 有色金属+metal | nonferrous, non ferrous, non-ferrous, coloured, colored
alloy: 合金 | alloy, alloys
tungsten: 钨业 钨 | tungsten, wolfram
molybdenum: 钼业 | molybdenum, moly
copper: 铜业 | copper
magnesium: 镁业 | magnesium
steel: 钢铁 钢业 | steel, iron and steel
tech: 科技 技术 科学技术 | technology, technologies, tech, technological, science and technology, sci tech, \
sci-tech, scitech, science technology, science & technology, s&t, s and t
hightech: 高科技 高技术 高新技术 高新 高科 | high tech, hightech, hi tech, hitech, high technology, high-tech, \
hi-tech, advanced technology, high and new technology, high new technology, high & new tech, \
high new tech
science: 科学 | science, sciences, scientific
industrial: 实业 工业 产业 | industrial, industries, industry, ind, indus
trading: 贸易 商贸 经贸 商务 | trading, trade, traders, commerce, commercial
impexp: 进出口 外贸 | import and export, import export, imp and exp, imp exp, i e, imp exp trade, import exp
international: 国际 | international, intl, int l, inter national
holding: 控股 | holding, holdings
investment: 投资 | investment, investments, invest
development: 发展 开发 | development, developments, develop
resources: 资源 | resources, resource
powder: 粉体 粉末 | powder, powders
polishing: 抛光 | polishing, polish, abrasive, abrasives
luminescent: 发光 荧光 | luminescent, luminescence, phosphor, phosphors, fluorescent
hydrogen: 储氢 | hydrogen storage, hydrogen
catalyst: 催化 | catalyst, catalysts, catalytic
ceramic: 陶瓷 | ceramic, ceramics
oxide: 氧化物 | oxide, oxides
mining: 矿业 矿产 采矿 | mining, mines, mine, minerals, mineral
metallurgy: 冶金 冶炼+smelting | metallurgy, metallurgical
smelting: 冶炼 | smelting, smelter, refining, refinery
separation: 分离 | separation
chemical: 化工 化学 | chemical, chemicals, chemistry, chem
electronics: 电子 | electronics, electronic, electron
electric: 电气 电器 | electric, electrical
motor: 电机 | motor, motors
energy: 能源 新能源+new | energy, energies, power
environmental: 环保 | environmental, environment, environmental protection
functional: 功能 | functional, function
precision: 精密 精细 | precision, fine
device: 器件 元件 | device, devices, component, components
purity: 高纯 | high purity, purity
application: 应用 | application, applications, applied
engineering: 工程 | engineering, engineers
equipment: 设备 装备 | equipment, equipments
machinery: 机械 | machinery, machine, machines
manufacturing: 制造 | manufacturing, manufacture, manufacturer, mfg
products: 制品 产品 | products, product
logistics: 物流 供应链 | logistics, supply chain, supply
management: 管理 | management, managing
critical: 战略 关键 | critical, strategic
institute: 研究院 研究所 研究 | institute, research, research institute
service: 服务 | service, services, solutions, solution
economic: 经济 | economic, economy
enterprise: 企业 | enterprise, enterprises
china: 中国 中华 | china, chinese, prc, sino, peoples republic of china
global: 全球 环球 | global, worldwide, world
asia: 亚洲 | asia, asian, pacific, asia pacific
group: 集团 | group, grp
company: 公司 有限公司 股份有限公司 有限责任公司 股份公司 总公司 责任公司 控股有限公司+holding 厂 | company, co, \
corp, corporation, limited, ltd, inc, pte, pty, pvt, private, kk, kabushiki kaisha, plc, llc, gmbh, jsc, \
gong si, gongsi, youxian gongsi, gufen youxian gongsi, youxian zeren gongsi, joint stock, stock, shares, \
limited liability, liability
branch: 分公司 办事处 | branch, office, representative office
factory: 工厂 | factory, plant, works, mill
"""

# Concepts that say what kind of organisation a name is rather than what it does: they weigh
# least of all, and a name made only of them (and of other generic words) keeps its meaning.
ORGANISATIONAL = frozenset(
    {
        "company",
        "group",
        "holding",
        "branch",
        "factory",
        "enterprise",
        "service",
        "development",
        "investment",
        "economic",
        "industrial",
    }
)

# Distinctive words with a standard English translation, as firms write them.
TRANSLATIONS = """
北方 northern | 南方 southern | 东方 oriental | 西部 western | 五矿 minmetals | 中铝 chinalco | 中色 nfc
有研 grinm | 长城 greatwall | 东北 northeast | 西南 southwest | 华南 southchina | 华东 eastchina
"""

# Place: Chinese, canonical Latin form, province (canonical; "-" for a province itself or a
# municipality), extra Latin spellings. Cities written with 市, provinces with 省 are recognised too.
PLACES = """
北京 beijing - peking | 上海 shanghai - | 天津 tianjin - tientsin | 重庆 chongqing - chungking
香港 hongkong - hong kong,hk | 澳门 macau - macao | 台湾 taiwan -
内蒙古 innermongolia - inner mongolia,neimenggu,nei mongol
河北 hebei - | 山西 shanxi - | 陕西 shaanxi - | 辽宁 liaoning - | 吉林 jilin - | 黑龙江 heilongjiang -
江苏 jiangsu - | 浙江 zhejiang - | 安徽 anhui - | 福建 fujian - | 江西 jiangxi - | 山东 shandong -
河南 henan - | 湖北 hubei - | 湖南 hunan - | 广东 guangdong - canton | 广西 guangxi - | 海南 hainan -
四川 sichuan - szechuan | 贵州 guizhou - | 云南 yunnan - | 西藏 tibet - xizang | 甘肃 gansu -
青海 qinghai - | 宁夏 ningxia - | 新疆 xinjiang -
包头 baotou innermongolia | 呼和浩特 hohhot innermongolia huhehaote | 鄂尔多斯 ordos innermongolia eerduosi
赤峰 chifeng innermongolia | 通辽 tongliao innermongolia | 白云鄂博 bayanobo innermongolia baiyunebo
赣州 ganzhou jiangxi | 南昌 nanchang jiangxi | 龙南 longnan jiangxi | 鹰潭 yingtan jiangxi | 九江 jiujiang jiangxi
吉安 jian jiangxi | 宜春 yichun jiangxi | 上饶 shangrao jiangxi | 新余 xinyu jiangxi | 萍乡 pingxiang jiangxi
抚州 fuzhou jiangxi | 寻乌 xunwu jiangxi | 信丰 xinfeng jiangxi | 定南 dingnan jiangxi | 全南 quannan jiangxi
安远 anyuan jiangxi | 大余 dayu jiangxi | 瑞金 ruijin jiangxi | 会昌 huichang jiangxi | 于都 yudu jiangxi
章贡 zhanggong jiangxi | 南康 nankang jiangxi | 赣县 ganxian jiangxi | 崇义 chongyi jiangxi
厦门 xiamen fujian amoy | 福州 fuzhou fujian | 龙岩 longyan fujian | 三明 sanming fujian | 泉州 quanzhou fujian
长汀 changting fujian | 宁德 ningde fujian | 漳州 zhangzhou fujian
宁波 ningbo zhejiang | 杭州 hangzhou zhejiang | 温州 wenzhou zhejiang | 金华 jinhua zhejiang
东阳 dongyang zhejiang | 慈溪 cixi zhejiang | 余姚 yuyao zhejiang | 奉化 fenghua zhejiang
镇海 zhenhai zhejiang | 北仑 beilun zhejiang | 鄞州 yinzhou zhejiang | 象山 xiangshan zhejiang
绍兴 shaoxing zhejiang | 湖州 huzhou zhejiang | 嘉兴 jiaxing zhejiang | 台州 taizhou zhejiang
苏州 suzhou jiangsu | 无锡 wuxi jiangsu | 常州 changzhou jiangsu | 南京 nanjing jiangsu | 南通 nantong jiangsu
扬州 yangzhou jiangsu | 宜兴 yixing jiangsu | 溧阳 liyang jiangsu | 连云港 lianyungang jiangsu
广州 guangzhou guangdong | 深圳 shenzhen guangdong | 东莞 dongguan guangdong | 佛山 foshan guangdong
惠州 huizhou guangdong | 中山 zhongshan guangdong | 珠海 zhuhai guangdong | 汕头 shantou guangdong
韶关 shaoguan guangdong | 梅州 meizhou guangdong | 河源 heyuan guangdong | 清远 qingyuan guangdong
江门 jiangmen guangdong | 平远 pingyuan guangdong
南宁 nanning guangxi | 桂林 guilin guangxi | 崇左 chongzuo guangxi | 贺州 hezhou guangxi | 梧州 wuzhou guangxi
乐山 leshan sichuan | 凉山 liangshan sichuan | 冕宁 mianning sichuan | 西昌 xichang sichuan | 成都 chengdu sichuan
绵阳 mianyang sichuan | 德阳 deyang sichuan | 攀枝花 panzhihua sichuan | 宜宾 yibin sichuan | 自贡 zigong sichuan
长沙 changsha hunan | 株洲 zhuzhou hunan | 湘潭 xiangtan hunan | 衡阳 hengyang hunan | 郴州 chenzhou hunan
永州 yongzhou hunan | 益阳 yiyang hunan
武汉 wuhan hubei | 宜昌 yichang hubei | 黄石 huangshi hubei | 襄阳 xiangyang hubei
合肥 hefei anhui | 芜湖 wuhu anhui | 马鞍山 maanshan anhui | 蚌埠 bengbu anhui | 铜陵 tongling anhui
济南 jinan shandong | 青岛 qingdao shandong | 烟台 yantai shandong | 淄博 zibo shandong | 潍坊 weifang shandong
临沂 linyi shandong | 微山 weishan shandong | 济宁 jining shandong
郑州 zhengzhou henan | 洛阳 luoyang henan | 南阳 nanyang henan
太原 taiyuan shanxi | 大同 datong shanxi | 运城 yuncheng shanxi | 西安 xian shaanxi | 宝鸡 baoji shaanxi
石家庄 shijiazhuang hebei | 唐山 tangshan hebei | 邯郸 handan hebei | 保定 baoding hebei | 廊坊 langfang hebei
沈阳 shenyang liaoning | 大连 dalian liaoning | 鞍山 anshan liaoning | 抚顺 fushun liaoning | 本溪 benxi liaoning
长春 changchun jilin | 哈尔滨 harbin heilongjiang haerbin
昆明 kunming yunnan | 个旧 gejiu yunnan | 贵阳 guiyang guizhou | 遵义 zunyi guizhou
兰州 lanzhou gansu | 金昌 jinchang gansu | 白银 baiyin gansu | 西宁 xining qinghai | 银川 yinchuan ningxia
石嘴山 shizuishan ningxia | 乌鲁木齐 urumqi xinjiang wulumuqi | 海口 haikou hainan | 拉萨 lhasa tibet
"""

# Readings of characters as firms and people write them where pypinyin's reading of the lone
# character differs (晟 is sheng in 广晟, not cheng); applied to distinctive words only.
NAME_READINGS = {"晟": "sheng", "长": "chang", "都": "du"}
SURNAME_READINGS = {
    "曾": "zeng",
    "单": "shan",
    "解": "xie",
    "仇": "qiu",
    "区": "ou",
    "查": "zha",
    "朴": "piao",
    "覃": "qin",
    "缪": "miao",
    "翟": "zhai",
    "盖": "ge",
    "长孙": "zhangsun",
    "尉迟": "yuchi",
}

# Two-character family names: a Chinese person's name splits after them, not after one character.
COMPOUND_SURNAMES = frozenset(
    """
欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 令狐 夏侯 轩辕 端木 独孤 南宫 西门 百里
""".split()
)

# Latin words that carry no meaning in a name.
# Company forms short enough that a typo hides them from rigour's table ("Co., Ldt.").
SHORT_FORMS = (
    "ltd",
    "co",
    "inc",
    "llc",
    "corp",
    "gmbh",
    "plc",
    "jsc",
    "pjsc",
    "ojsc",
    "pvt",
    "pty",
    "ag",
    "sa",
    "ooo",
    "kg",
    "bv",
    "spa",
    "sas",
    "srl",
)

STOPWORDS = frozenset({"and", "of", "the", "for", "der", "und", "et"})  # none a Pinyin syllable
