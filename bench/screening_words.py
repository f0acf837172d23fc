"""The generator's own vocabularies for the labelled screening set, written as such firms and
people write their names, independently of reetrace's vocabulary: trade-name characters with the
readings firms use (晟 is sheng), places down to county-level magnet hubs, trades with the
English forms they take, company forms, foreign name parts, family and given names."""

from __future__ import annotations

TRADE = dict(
    pair.split(":")
    for pair in """
金:jin1 力:li4 龙:long2 鑫:xin1 源:yuan2 华:hua2 宏:hong2 达:da2 盛:sheng4 和:he2 泰:tai4 恒:heng2 兴:xing1
隆:long2 鼎:ding3 瑞:rui4 祥:xiang2 丰:feng1 旺:wang4 通:tong1 天:tian1 宇:yu3 晶:jing1 磊:lei3 创:chuang4
升:sheng1 韵:yun4 豪:hao2 美:mei3 安:an1 康:kang1 顺:shun4 信:xin4 诚:cheng2 德:de2 仁:ren2 嘉:jia1 昌:chang1
富:fu4 海:hai3 明:ming2 光:guang1 辉:hui1 凯:kai3 铭:ming2 博:bo2 远:yuan3 腾:teng2 飞:fei1 骏:jun4 阳:yang2
春:chun1 立:li4 正:zheng4 卓:zhuo2 越:yue4 联:lian2 永:yong3 友:you3 星:xing1 峰:feng1 利:li4 佳:jia1 汇:hui4
宝:bao3 聚:ju4 钜:ju4 锐:rui4 威:wei1 扬:yang2 晟:sheng4 鸿:hong2 浩:hao4 益:yi4 亿:yi4 万:wan4 东:dong1 南:nan2
江:jiang1 虔:qian2 科:ke1 环:huan2 三:san1 中:zhong1 大:da4 元:yuan2 协:xie2 群:qun2 晨:chen2 曦:xi1 朗:lang3
睿:rui4 智:zhi4 精:jing1 铂:bo2 炬:ju4 焱:yan4 磐:pan2 岩:yan2 森:sen1 林:lin2 澜:lan2 涛:tao1 川:chuan1 岳:yue4
盈:ying2 裕:yu4 润:run4 泓:hong2 翔:xiang2 鹏:peng2 展:zhan3 旭:xu4 彩:cai3 虹:hong2 宸:chen2 易:yi4 尚:shang4
捷:jie2 迅:xun4 冠:guan4 开:kai1 长:chang2
""".split()
)

# (Chinese, English, province): cities and counties where such firms are, some of them small.
PLACES = [
    tuple(p.split(":"))
    for p in """
包头:Baotou:nm 赣州:Ganzhou:jx 龙南:Longnan:jx 厦门:Xiamen:fj 龙岩:Longyan:fj 宁波:Ningbo:zj 慈溪:Cixi:zj
余姚:Yuyao:zj 奉化:Fenghua:zj 杭州:Hangzhou:zj 东阳:Dongyang:zj 磐安:Pan'an:zj 德清:Deqing:zj 乐山:Leshan:sc
成都:Chengdu:sc 冕宁:Mianning:sc 北京:Beijing:bj 上海:Shanghai:sh 天津:Tianjin:tj 深圳:Shenzhen:gd
广州:Guangzhou:gd 东莞:Dongguan:gd 韶关:Shaoguan:gd 苏州:Suzhou:js 无锡:Wuxi:js 江阴:Jiangyin:js
常州:Changzhou:js 南京:Nanjing:js 淄博:Zibo:sd 淄川:Zichuan:sd 烟台:Yantai:sd 太原:Taiyuan:sx
长沙:Changsha:hn 武汉:Wuhan:hb 合肥:Hefei:ah 南昌:Nanchang:jx 信丰:Xinfeng:jx 呼和浩特:Hohhot:nm
""".split()
]

INDUSTRY = [
    (zh, en.split("/"))
    for zh, en in (
        line.split("=")
        for line in """
稀土=Rare Earth/Rare-Earth/Rare Earths
稀土新材料=Rare Earth New Materials/Rare Earth New Material/Rare-Earth Advanced Materials
稀土材料=Rare Earth Materials/Rare Earth Material
稀土功能材料=Rare Earth Functional Materials/Rare Earth Functional Material
稀土冶炼分离=Rare Earth Smelting & Separation/Rare Earth Smelting and Separation
稀土科技=Rare Earth Technology/Rare Earth Tech/Rare Earth Hi-Tech
磁材科技=Magnetic Materials Technology/Magnetic Material Tech/Magnetic Materials Science & Technology
磁性材料=Magnetic Materials/Magnetic Material
磁业=Magnet/Magnetics/Magnet Industry
永磁科技=Permanent Magnet Technology/Permanent Magnet Tech/Permanent Magnet Science & Technology
永磁材料=Permanent Magnet Materials/Permanent Magnetic Materials
磁电科技=Magnetoelectric Technology/Magnetic & Electric Technology
新材料科技=New Material Technology/New Materials Technology/New Material Science & Technology
新材料=New Material/New Materials/Advanced Materials
有色金属=Nonferrous Metals/Non-Ferrous Metal/Non-ferrous Metals
金属材料=Metal Materials/Metallic Materials
冶金=Metallurgy/Metallurgical
矿业=Mining
资源=Resources
贸易=Trading/Trade
国际贸易=International Trading/International Trade
进出口=Import & Export/Imp. & Exp./Import and Export
实业=Industrial/Industry/Industries
高科技=High-Tech/Hi-Tech/High Technology
电子=Electronics/Electronic
化工=Chemical/Chemicals/Chemical Industry
粉体材料=Powder Materials/Powder Material
抛光材料=Polishing Materials/Polishing Material
科技=Technology/Tech/Science & Technology/Sci-Tech
供应链管理=Supply Chain Management
""".strip().splitlines()
    )
]

FORMS = [
    (zh, en.split("/"))
    for zh, en in (
        line.split("=")
        for line in """
有限公司=Co., Ltd./Co. Ltd./Company Limited/Co., Limited/Limited/Ltd.
股份有限公司=Co., Ltd./Joint Stock Co., Ltd./Corporation Limited/Stock Co., Ltd./Shares Co., Ltd.
有限责任公司=Co., Ltd./LLC/Limited Liability Company
集团有限公司=Group Co., Ltd./Group Limited/Group Company Limited
集团股份有限公司=Group Co., Ltd./Group Corporation Limited
""".strip().splitlines()
    )
]

FOREIGN_START = (
    "Nor Kar Tal Vel Mon Sol Ber Cor Dar Fen Hal Kes Lin Mar Ost Pra Ren Sev Tor Ural Vik Zan Alt Bal "
    "Cas Dun Eld Gar Hel Iv Bren Quin Wex Yar".split()
)
FOREIGN_END = "vik gen tex dor mar ton ria lis mont berg stad ora ium ex ant ard ena ova ker sen wyn field".split()
FOREIGN_INDUSTRY = [
    "Rare Earths",
    "Metals",
    "Mining",
    "Magnetics",
    "Advanced Materials",
    "Minerals",
    "Resources",
    "Alloys",
    "Technologies",
    "Chemicals",
    "Materials",
    "Critical Minerals",
    "Magnet Technologies",
]
FOREIGN_FORMS = {
    "us": ["Inc.", "LLC", "Corp.", "Corporation"],
    "de": ["GmbH", "AG", "GmbH & Co. KG"],
    "ru": ["JSC", "OOO", "PJSC", "AO"],
    "au": ["Pty Ltd", "Limited", "Ltd"],
    "jp": ["Co., Ltd.", "K.K.", "Corporation"],
    "fr": ["S.A.", "SAS"],
    "gb": ["Ltd", "PLC", "Limited"],
    "ca": ["Inc.", "Corp.", "Ltd."],
    "in": ["Pvt. Ltd.", "Private Limited"],
}

SURNAMES = dict(
    p.split(":")
    for p in """王:wang2 李:li3 张:zhang1 刘:liu2 陈:chen2 杨:yang2 黄:huang2 赵:zhao4 吴:wu2
周:zhou1 徐:xu2 孙:sun1 马:ma3 朱:zhu1 胡:hu2 郭:guo1 何:he2 高:gao1 林:lin2 罗:luo2 郑:zheng4 梁:liang2 谢:xie4
宋:song4 唐:tang2 韩:han2 冯:feng2 邓:deng4 曹:cao2 曾:zeng1 彭:peng2 欧阳:ou1yang2 司马:si1ma3""".split()
)
GIVEN = dict(
    p.split(":")
    for p in """明:ming2 伟:wei3 芳:fang1 娜:na4 秀:xiu4 英:ying1 敏:min3 静:jing4 丽:li4 强:qiang2
磊:lei3 军:jun1 洋:yang2 勇:yong3 艳:yan4 杰:jie2 娟:juan1 涛:tao1 超:chao1 霞:xia2 平:ping2 刚:gang1 桂:gui4
华:hua2 建:jian4 国:guo2 文:wen2 志:zhi4 海:hai3 红:hong2 小:xiao3 晓:xiao3 东:dong1 春:chun1 雪:xue3 宇:yu3
浩:hao4 鹏:peng2 博:bo2 凯:kai3 振:zhen4 永:yong3 卫:wei4 德:de2 福:fu2""".split()
)
FIRST = (
    "Ivan Sergei Alexei Dmitry Vladimir Mikhail Andrei Nikolai Pavel Yuri Oleg Igor Reza Ali Hassan Ahmad "
    "Mohammad John Michael David".split()
)
# Family names, and others sharing their first letters that belong to other people.
LAST = dict(
    line.split(":")
    for line in """Petrov:Petrenko,Petrosyan Ivanov:Ivanchenko,Ivashin Smirnov:Smirnitsky
Kuznetsov:Kuzmin,Kuzmich Popov:Popescu,Poplavsky Sokolov:Sokolenko Lebedev:Lebedinsky Kozlov:Kozlovsky,Kozak
Novikov:Novak,Novoselov Morozov:Moroz Volkov:Volkonsky Solovyov:Soloviev-Sedoi,Solomin Vasiliev:Vasilenko
Zaitsev:Zaikin Pavlov:Pavlenko,Pavlyuchenko Semenov:Semenko Golubev:Golubkin Vinogradov:Vinokurov
Bogdanov:Bogdanovich Vorobyov:Voronin Karimi:Karimov,Karami Hosseini:Hosseinzadeh,Hosseinpour Rahimi:Rahimov,Rahmani
Mousavi:Moussa Jafari:Jafarzadeh Tehrani:Tehranchi Shapiro:Shapovalov Walker:Wallace Keller:Kellerman""".split()
)

KEYBOARD = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]
