"""The world screening set: people, companies and organisations in the shapes of real sanctions
lists (OFAC SDN, EU, UN, UK, the BIS Entity List, China's unreliable entity list), with labelled
(query, entity) pairs, merged with the hand-written cases of `data/screening_world_hand.json`.

    python bench/screening_world_data.py   # writes data/screening_world_entities.ftm.jsonl,
                                            #        data/screening_world_pairs.jsonl

The vocabularies below are this generator's own, written as the lists write such names, not read
from reetrace. Each name part carries its native script (where it has one) and the Latin
spellings lists and press give it, the first being the list's: Сергей is Sergey or Sergei,
محمد is Muhammad, Mohammed, Mohamed or Mohamad, 정 is Jong or Jeong, 近 is jin in Pinyin and
chin in Wade-Giles. A listed person is written the way one of the lists writes it ("PUTIN,
Vladimir Vladimirovich" on OFAC, "Vladimir Vladimirovich PUTIN" on the EU list, the native
script as an alias where the list gives one, a kunya such as "Abu Ali" as a weak alias). Queries
are what a party's name looks like on an export document: another transliteration, another
order, the native script, a middle name or patronymic left out or made an initial, an honorific,
a nickname, a typo.

Every pair is labelled as an analyst would: a spelling of the same name is a match; another name
is not, even one letter away, when that letter makes another real family (Schmidt, Schmitt;
Kozlov, Kozlovsky; Hasan, Husayn; 이재명, 이재형); a namesake whose birth date or nationality
the query gives otherwise is not. Companies: a legal form written out, abbreviated, left out or
run together is a match; the same words under another legal form, another distinctive word among
the same generic ones, generic words alone, or another number are not. Organisations: another
country's ministry, another brigade of a movement, another numbered institute are not.
Translations count only where the entity lists them as aliases.
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import screening_data

SEED = 20261205
DATA = Path(__file__).parent / "data"
SHARES = {"person": 0.45, "company": 0.35, "organisation": 0.20}


@dataclass(frozen=True)
class Part:
    """One name part: its native script ("" for Latin-script names) and its Latin spellings."""

    native: str
    latin: tuple[str, ...]

    @property
    def listed(self) -> str:
        return self.latin[0]


def parts(text: str) -> list[Part]:
    """`Сергей:Sergey/Sergei Олег:Oleg` (native:latin/latin ...); `:Hans` for Latin names."""
    out = []
    for item in text.split():
        native, _, latin = item.partition(":") if ":" in item else ("", "", item)
        out.append(Part(native.replace("_", " "), tuple(s.replace("_", " ") for s in latin.split("/"))))
    return out


# --- people ------------------------------------------------------------------------------------

RU_GIVEN_M = parts("""
Сергей:Sergey/Sergei Евгений:Yevgeniy/Evgeny/Yevgeny/Evgeniy Алексей:Aleksey/Alexei/Aleksei/Alexey
Дмитрий:Dmitriy/Dmitry/Dmitri Юрий:Yuriy/Yuri/Yury Андрей:Andrey/Andrei Владимир:Vladimir
Михаил:Mikhail Николай:Nikolay/Nikolai Александр:Aleksandr/Alexander Игорь:Igor Олег:Oleg
Виктор:Viktor/Victor Геннадий:Gennadiy/Gennady Аркадий:Arkadiy/Arkady Анатолий:Anatoliy/Anatoly
Вячеслав:Vyacheslav/Viacheslav Григорий:Grigoriy/Grigory Пётр:Petr/Pyotr Фёдор:Fedor/Fyodor
Борис:Boris Роман:Roman Максим:Maksim/Maxim Артём:Artem/Artyom Кирилл:Kirill Илья:Ilya/Ilia
""")
RU_GIVEN_F = parts("""
Ольга:Olga Татьяна:Tatyana/Tatiana Наталья:Natalya/Natalia Елена:Yelena/Elena Юлия:Yuliya/Yulia
Ксения:Kseniya/Ksenia Мария:Mariya/Maria Ирина:Irina Светлана:Svetlana Екатерина:Yekaterina/Ekaterina
Анна:Anna Людмила:Lyudmila/Ludmila
""")
RU_PATRONYMIC = parts("""
Сергеевич:Sergeyevich/Sergeevich Владимирович:Vladimirovich Александрович:Aleksandrovich/Alexandrovich
Викторович:Viktorovich Николаевич:Nikolayevich/Nikolaevich Михайлович:Mikhaylovich/Mikhailovich
Юрьевич:Yuryevich/Yurievich Борисович:Borisovich Игоревич:Igorevich Олегович:Olegovich
Анатольевич:Anatolyevich/Anatolievich Петрович:Petrovich Иванович:Ivanovich
Геннадьевич:Gennadyevich/Gennadievich Валерьевич:Valeryevich/Valerievich Евгеньевич:Yevgenyevich/Evgenievich
""")
RU_FAMILY = parts("""
Иванов:Ivanov/Ivanoff Смирнов:Smirnov/Smirnoff Кузнецов:Kuznetsov/Kuznetsoff Соколов:Sokolov
Попов:Popov/Popoff Лебедев:Lebedev Козлов:Kozlov Новиков:Novikov Морозов:Morozov/Morozoff
Волков:Volkov/Volkoff Алексеев:Alekseyev/Alekseev Зайцев:Zaytsev/Zaitsev Павлов:Pavlov/Pavloff
Семёнов:Semenov/Semyonov Виноградов:Vinogradov Богданов:Bogdanov Воробьёв:Vorobyev/Vorobiev
Фёдоров:Fedorov/Fyodorov Михайлов:Mikhaylov/Mikhailov Тарасов:Tarasov Орлов:Orlov Белов:Belov
Комаров:Komarov Макаров:Makarov Андреев:Andreyev/Andreev Ковалёв:Kovalev/Kovalyov Гусев:Gusev
Жуков:Zhukov/Joukov Журавлёв:Zhuravlev/Zhuravlyov/Jouravlev Рогозин:Rogozin Петров:Petrov/Petroff
Романов:Romanov/Romanoff Кравцов:Kravtsov Шевцов:Shevtsov Бондарев:Bondarev Ткачёв:Tkachev/Tkachyov
Шевченко:Shevchenko Коваленко:Kovalenko Бондаренко:Bondarenko Ткаченко:Tkachenko Лукашенко:Lukashenko
""")
# Other families one would confuse with a listed one: a different surname, not a spelling.
RU_CONFUSED = {
    "Козлов": "Козловский:Kozlovskiy/Kozlovsky",
    "Орлов": "Орловский:Orlovskiy/Orlovsky",
    "Соколов": "Соколовский:Sokolovskiy/Sokolovsky",
    "Петров": "Петровский:Petrovskiy/Petrovsky",
    "Новиков": "Новицкий:Novitskiy/Novitsky",
    "Белов": "Белоусов:Belousov",
    "Иванов": "Иваненко:Ivanenko",
    "Ковалёв": "Коваленко:Kovalenko",
    "Бондарев": "Бондаренко:Bondarenko",
    "Ткачёв": "Ткаченко:Tkachenko",
    "Кравцов": "Кравченко:Kravchenko",
    "Шевцов": "Шевченко:Shevchenko",
    "Романов": "Романенко:Romanenko",
    "Зайцев": "Зайченко:Zaychenko/Zaichenko",
    "Павлов": "Павленко:Pavlenko",
    "Гусев": "Гуськов:Guskov",
    "Морозов": "Морозко:Morozko",
    "Лебедев": "Лебеденко:Lebedenko",
    "Тарасов": "Тарасенко:Tarasenko",
}
RU_NICK = {
    "Aleksandr": "Sasha",
    "Dmitriy": "Dima",
    "Mikhail": "Misha",
    "Vladimir": "Volodya",
    "Nikolay": "Kolya",
    "Aleksey": "Alyosha",
    "Yevgeniy": "Zhenya",
    "Yekaterina": "Katya",
    "Mariya": "Masha",
    "Sergey": "Seryozha",
}

AR_GIVEN = parts("""
محمد:Muhammad/Mohammed/Mohamed/Mohammad/Mohamad أحمد:Ahmad/Ahmed حسين:Husayn/Hussein/Husain/Hussain
حسن:Hasan/Hassan علي:Ali عمر:Umar/Omar أسامة:Usama/Osama عبد_الرحمن:Abd_al-Rahman/Abdul_Rahman/Abdelrahman/Abdurrahman
عبد_العزيز:Abd_al-Aziz/Abdulaziz/Abdelaziz عبد_الله:Abd_Allah/Abdullah/Abdallah خالد:Khalid/Khaled
يوسف:Yusuf/Youssef/Yousef إبراهيم:Ibrahim/Ebrahim مصطفى:Mustafa/Mostafa/Moustafa محمود:Mahmud/Mahmoud
سعيد:Said/Saeed صالح:Salih/Saleh طارق:Tariq/Tarek/Tareq حمزة:Hamza/Hamzah جمال:Jamal/Gamal
وليد:Walid/Waleed فيصل:Faysal/Faisal ناصر:Nasir/Nasser عيسى:Isa/Issa يحيى:Yahya زياد:Ziyad/Ziad
ماجد:Majid/Maged حامد:Hamid/Hamed خليل:Khalil كمال:Kamal سالم:Salim/Salem
""")
AR_CONFUSED = {
    "حسن": "حسين",
    "حسين": "حسن",
    "أحمد": "حمد:Hamad",
    "حامد": "حمد:Hamad",
    "خالد": "خليل",
    "خليل": "خالد",
    "جمال": "كمال",
    "كمال": "جمال",
    "سالم": "صالح",
    "صالح": "سالم",
    "ماجد": "مجيد:Majeed/Majid",
}
AR_FAMILY = parts("""
المصري:al-Masri/al-Misri/El_Masry البغدادي:al-Baghdadi التكريتي:al-Tikriti الظواهري:al-Zawahiri/al-Zawahri
مخلوف:Makhluf/Makhlouf قاسم:Qasim/Kassem/Qassem الهاشمي:al-Hashimi/al-Hashemi الشامي:al-Shami/El_Shami
اليمني:al-Yamani/al-Yemeni الليبي:al-Libi/al-Liby السوري:al-Suri/al-Souri حداد:Haddad خوري:Khuri/Khoury
حمدان:Hamdan الراوي:al-Rawi الدوري:al-Duri/al-Douri الجنابي:al-Janabi العاني:al-Ani الكبيسي:al-Kubaysi/al-Kubaisi
العتيبي:al-Utaybi/al-Otaibi الحربي:al-Harbi القحطاني:al-Qahtani/al-Kahtani الزهراني:al-Zahrani
""")
AR_KUNYA = ["Abu Ali", "Abu Muhammad", "Abu Umar", "Abu Hamza", "Abu Yusuf", "Abu Khalid", "Abu Bakr", "Abu Hasan"]
AR_TITLE = ["Shaikh", "Sheikh", "Dr.", "General", "Haji", "Mullah"]

FA_GIVEN = parts("""
محمد:Mohammad/Mohammed/Muhammad علی:Ali حسین:Hossein/Hosein/Hussein رضا:Reza محمود:Mahmoud/Mahmud
احمد:Ahmad/Ahmed حسن:Hassan/Hasan محسن:Mohsen/Muhsin مهدی:Mehdi/Mahdi عباس:Abbas جواد:Javad/Jawad
ابراهیم:Ebrahim/Ibrahim قاسم:Qasem/Ghasem/Gasem حمید:Hamid مجید:Majid سعید:Saeed/Said امیر:Amir
غلامرضا:Gholamreza/Gholam_Reza/Ghulamreza اسماعیل:Esmail/Ismail مرتضی:Morteza/Mortaza
""")
FA_FAMILY = parts("""
احمدی:Ahmadi حسینی:Hosseini/Husseini/Hoseini رضایی:Rezaei/Rezaee/Rezai محمدی:Mohammadi کریمی:Karimi
مرادی:Moradi جعفری:Jafari/Jaafari قربانی:Ghorbani/Qorbani سلیمانی:Soleimani/Suleimani/Solaimani
رحیمی:Rahimi کاظمی:Kazemi/Kazimi موسوی:Mousavi/Musavi/Moussavi صادقی:Sadeghi/Sadeqi تهرانی:Tehrani
شیرازی:Shirazi اصفهانی:Esfahani/Isfahani نقدی:Naqdi/Naghdi وحیدی:Vahidi باقری:Bagheri/Baqeri
سلامی:Salami حاجی‌زاده:Hajizadeh/Hajizade لاریجانی:Larijani
""")
FA_CONFUSED = {
    "احمدی": "احمدیان:Ahmadian",
    "محمدی": "محمدیان:Mohammadian",
    "کریمی": "کریمیان:Karimian",
    "رحیمی": "رحیمیان:Rahimian",
    "رضایی": "رضوی:Razavi",
    "کاظمی": "کاظمیان:Kazemian",
    "سلامی": "سلیمی:Salimi",
    "مرادی": "مرادیان:Moradian",
    "باقری": "باقرزاده:Bagherzadeh",
}

DE_GIVEN = parts("""
Hans Karl Wolfgang Klaus Jürgen/Juergen Günter/Guenter/Gunter Dieter Peter Michael Thomas Andreas
Stefan Matthias Markus Frank Uwe Heinz Werner Helmut Rainer Ulrich Olaf Sabine Ursula Petra Monika
Brigitte Katrin Joachim Friedrich Bernd
""")
DE_FAMILY = parts("""
Müller/Mueller/Muller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann
Schäfer/Schaefer Koch Bauer Richter Klein Wolf Schröder/Schroeder Neumann Schwarz Zimmermann Braun
Krüger/Krueger Hartmann Lange Krause Lehmann Köhler/Koehler Herrmann König/Koenig Walter Vogel Franke
Weiß/Weiss Groß/Gross
""")
DE_CONFUSED = {
    "Schmidt": "Schmitt",
    "Meyer": "Meier",
    "Hoffmann": "Hofmann",
    "Wagner": "Wegner",
    "Lange": "Lang",
    "Krause": "Kraus",
    "Vogel": "Vogt",
    "Franke": "Frank",
    "Braun": "Brauer",
    "Koch": "Kock",
    "Becker": "Bäcker/Baecker",
    "Klein": "Kleine",
    "Walter": "Walther",
    "Schulz": "Schulte",
    "Weber": "Wever",
    "Bauer": "Baier",
    "Lehmann": "Lehnert",
}
DE_NICK = {"Michael": "Micha", "Thomas": "Tom", "Andreas": "Andi", "Matthias": "Matze", "Wolfgang": "Wolf"}

FR_GIVEN = parts("""
Jean Pierre François/Francois Michel Philippe Alain Nicolas Christophe Laurent Marie Nathalie
Isabelle Sylvie Jean-Pierre/Jean_Pierre Jean-Marc/Jean_Marc Hélène/Helene Gérard/Gerard
""")
FR_FAMILY = parts("""
Martin Bernard Dubois Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefebvre Michel David
Bertrand Roux Vincent Fournier Morel Girard André/Andre Mercier Dupont Lambert Bonnet Faure Rousseau
""")
FR_CONFUSED = {
    "Dubois": "Dubosc",
    "Petit": "Petitot",
    "Moreau": "Moreno",
    "Roux": "Rioux",
    "Morel": "Morell",
    "Girard": "Girardot",
    "Dupont": "Dupond",
    "Faure": "Favre",
    "Bonnet": "Bonnel",
}

ES_GIVEN = parts("""
José/Jose Juan Carlos Luis Jorge Miguel Francisco Alejandro Rafael Manuel Jesús/Jesus Pedro Diego
Nicolás/Nicolas Héctor/Hector Joaquín/Joaquin Ismael Rodrigo María/Maria Ana Carmen Rosa Ignacio
""")
ES_FAMILY = parts("""
García/Garcia Rodríguez/Rodriguez Martínez/Martinez López/Lopez González/Gonzalez Hernández/Hernandez
Pérez/Perez Sánchez/Sanchez Ramírez/Ramirez Torres Flores Rivera Gómez/Gomez Díaz/Diaz Cruz Morales
Reyes Gutiérrez/Gutierrez Ortiz Castro Vargas Romero Guzmán/Guzman Zambada Caro Quintero Carvajal
Velásquez/Velasquez Ochoa Fuentes Arellano Salazar Medina Loera Beltrán/Beltran Félix/Felix
""")
ES_NICK = {"José": "Pepe", "Francisco": "Paco", "Ignacio": "Nacho", "Jesús": "Chucho", "Manuel": "Manolo"}

TR_GIVEN = parts("""
Mehmet Mustafa Ahmet Ali Hüseyin/Huseyin Hasan İbrahim/Ibrahim İsmail/Ismail Yusuf Murat Ömer/Omer
Osman Ramazan Halil Süleyman/Suleyman Recep Fatma Ayşe/Ayse Emine Zeynep Elif Kemal Burak Emre Serkan
""")
TR_FAMILY = parts("""
Yılmaz/Yilmaz Kaya Demir Şahin/Sahin Çelik/Celik Yıldız/Yildiz Yıldırım/Yildirim Öztürk/Ozturk
Aydın/Aydin Özdemir/Ozdemir Arslan Doğan/Dogan Kılıç/Kilic Aslan Çetin/Cetin Kurt Özkan/Ozkan
Şimşek/Simsek Polat Korkmaz Karakaya Erdoğan/Erdogan Zarrab Aktaş/Aktas
""")
TR_CONFUSED = {
    "Kaya": "Kara",
    "Demir": "Demirci",
    "Yıldız": "Yıldırım/Yildirim",
    "Yıldırım": "Yıldız/Yildiz",
    "Aslan": "Arslan",
    "Arslan": "Aslan",
    "Kurt": "Kurtul",
    "Polat": "Pulat",
    "Çelik": "Çelikel/Celikel",
    "Özkan": "Özcan/Ozcan",
    "Aktaş": "Akbaş/Akbas",
    "Doğan": "Doğru/Dogru",
}

IN_GIVEN = parts("""
राजेश:Rajesh सुरेश:Suresh रमेश:Ramesh अनिल:Anil सुनील:Sunil/Suneel विजय:Vijay/Vijai संजय:Sanjay/Sanjai
अमित:Amit राहुल:Rahul प्रिया:Priya सुनीता:Sunita अजय:Ajay/Ajai दीपक:Deepak/Dipak मनोज:Manoj
""")
IN_CONFUSED_GIVEN = {
    "राजेश": "राकेश:Rakesh",
    "सुरेश": "सुमेश:Sumesh",
    "रमेश": "महेश:Mahesh",
    "अनिल": "अखिल:Akhil",
    "सुनील": "सुशील:Sushil",
    "विजय": "अजय:Ajay",
    "अजय": "विजय:Vijay",
    "संजय": "संजीव:Sanjeev",
    "अमित": "अमर:Amar",
    "मनोज": "मनीष:Manish",
    "दीपक": "दिनेश:Dinesh",
}
IN_FAMILY = parts("""
शर्मा:Sharma वर्मा:Verma गुप्ता:Gupta सिंह:Singh कुमार:Kumar पटेल:Patel शाह:Shah मेहता:Mehta जोशी:Joshi राव:Rao
""")
PK_GIVEN = parts("""
Muhammad/Mohammad/Mohammed Abdul Hafiz Masood/Masud Azhar Tariq/Tareq Imran Shahid Asif Rashid
Javed/Javaid Zaki-ur-Rehman/Zakiur_Rehman/Zaki_ur_Rahman Naveed/Navid Kashif Saeed/Said
""")
PK_FAMILY = parts("""
Khan Ahmed/Ahmad Hussain/Hussein/Husain Qureshi/Qureshy/Kureshi Malik Chaudhry/Chaudhary/Choudhry
Siddiqui/Siddiqi Shaikh/Sheikh Butt Akhtar/Akhter Rehman/Rahman Lakhvi Mirza Baig/Beg Awan
""")
BD_GIVEN = parts("""
মোহাম্মদ:Mohammad/Mohammed/Muhammad আব্দুল:Abdul করিম:Karim/Kareem রফিক:Rafiq/Rafique কামাল:Kamal
জাহাঙ্গীর:Jahangir
""")
BD_FAMILY = parts("রহমান:Rahman/Rehman হোসেন:Hossain/Hussain/Hosen আহমেদ:Ahmed/Ahmad ইসলাম:Islam উদ্দিন:Uddin/Uddeen")

GR_GIVEN = parts("""
Γεώργιος:Georgios/Georgeos Κωνσταντίνος:Konstantinos/Constantinos Δημήτριος:Dimitrios/Demetrios
Νικόλαος:Nikolaos/Nicolaos Ιωάννης:Ioannis/Ioannes Παναγιώτης:Panagiotis/Panayiotis Χρήστος:Christos/Hristos
Αθανάσιος:Athanasios Μιχαήλ:Michail/Michael
""")
GR_FAMILY = parts("""
Παπαδόπουλος:Papadopoulos/Papadopulos Οικονόμου:Oikonomou/Economou Γεωργίου:Georgiou/Yiorgiou
Αντωνίου:Antoniou Νικολάου:Nikolaou/Nicolaou Ιωάννου:Ioannou Χριστοδούλου:Christodoulou/Hristodoulou
Βασιλείου:Vasileiou/Vassiliou Κωνσταντίνου:Konstantinou/Constantinou Αλεξίου:Alexiou Μαυρίδης:Mavridis
Πετρίδης:Petridis
""")
GR_CONFUSED = {
    "Παπαδόπουλος": "Παπαδάκης:Papadakis",
    "Μαυρίδης": "Μαυρίκιος:Mavrikios",
    "Πετρίδης": "Πετράκης:Petrakis",
    "Γεωργίου": "Γεωργιάδης:Georgiadis",
    "Νικολάου": "Νικολαΐδης:Nikolaidis",
    "Αντωνίου": "Αντωνιάδης:Antoniadis",
}

# Burmese names have no family name: each syllable a name, the whole the person.
MM_SYLLABLES = parts("""
မင်း:Min အောင်:Aung လှိုင်:Hlaing စိုး:Soe ဝင်း:Win သန်း:Than ရွှေ:Shwe ကျော်:Kyaw မြင့်:Myint ဇော်:Zaw
ထွန်း:Tun/Htun နိုင်:Naing သိန်း:Thein မောင်:Maung တင်:Tin လှ:Hla မိုး:Moe ညွန့်:Nyunt ခင်:Khin
မြ:Mya သက်:Thet လွင်:Lwin
""")

KO_FAMILY = parts(
    """김:Kim 이:Lee/Yi/Ri 박:Park/Pak 최:Choe/Choi 정:Jong/Jeong/Chong 강:Kang 조:Jo/Cho 윤:Yun/Yoon
    장:Jang/Chang 한:Han 오:O/Oh 리:Ri/Rhee 림:Rim/Lim"""
)
KO_SYLLABLES = parts("""
정:Jong/Jeong/Chong 은:Un/Eun 일:Il 남:Nam 철:Chol/Cheol/Chul 수:Su/Soo 영:Yong/Young/Yeong 호:Ho
민:Min 성:Song/Sung/Seong 혁:Hyok/Hyuk/Hyeok 진:Jin/Chin 명:Myong/Myung/Myeong 광:Kwang/Gwang
현:Hyon/Hyun/Hyeon 석:Sok/Seok/Suk 준:Jun/Joon 태:Thae/Tae 국:Guk/Kuk 학:Hak 순:Sun/Soon 희:Hui/Hee
경:Kyong/Kyung/Gyeong 재:Jae/Chae 형:Hyong/Hyung/Hyeong 혜:Hye 선:Son/Sun/Seon 상:Sang 동:Dong/Tong
기:Ki/Gi 원:Won 창:Chang 룡:Ryong
""")

# Chinese: character, then Pinyin / Wade-Giles (apostrophes as in the original system).
ZH_FAMILY = parts("""
王:Wang 李:Li 张:Zhang/Chang 刘:Liu 陈:Chen/Ch'en 杨:Yang 黄:Huang 赵:Zhao/Chao 周:Zhou/Chou 吴:Wu
徐:Xu/Hsu 孙:Sun 马:Ma 朱:Zhu/Chu 胡:Hu 郭:Guo/Kuo 何:He/Ho 林:Lin 高:Gao/Kao 罗:Luo/Lo 郑:Zheng/Cheng
梁:Liang 谢:Xie/Hsieh 宋:Song/Sung 唐:Tang/T'ang 韩:Han 冯:Feng 邓:Deng/Teng 曹:Cao/Ts'ao 彭:Peng/P'eng
曾:Zeng/Tseng 田:Tian/T'ien 董:Dong/Tung 袁:Yuan 潘:Pan/P'an 蒋:Jiang/Chiang 蔡:Cai/Ts'ai 杜:Du/Tu
叶:Ye/Yeh 魏:Wei 苏:Su 丁:Ding/Ting 沈:Shen 姚:Yao 钟:Zhong/Chung 谭:Tan/T'an 范:Fan 石:Shi/Shih
廖:Liao 贾:Jia/Chia 夏:Xia/Hsia 方:Fang 白:Bai/Pai 孟:Meng 熊:Xiong/Hsiung 秦:Qin/Ch'in 邱:Qiu/Ch'iu
""")
ZH_GIVEN = parts("""
近:Jin/Chin 平:Ping/P'ing 国:Guo/Kuo 强:Qiang/Ch'iang 建:Jian/Chien 华:Hua 明:Ming 伟:Wei 军:Jun/Chün
东:Dong/Tung 志:Zhi/Chih 刚:Gang/Kang 永:Yong/Yung 海:Hai 文:Wen 德:De/Te 庆:Qing/Ch'ing 春:Chun/Ch'un
成:Cheng/Ch'eng 立:Li 红:Hong/Hung 光:Guang/Kuang 新:Xin/Hsin 晓:Xiao/Hsiao 学:Xue/Hsüeh 中:Zhong/Chung
林:Lin 安:An 振:Zhen/Chen 勇:Yong/Yung 斌:Bin/Pin 涛:Tao/T'ao 辉:Hui 小:Xiao/Hsiao 峰:Feng 波:Bo/Po
""")
# Traditional forms of the characters above that have one.
ZH_TRADITIONAL = dict(
    zip(
        "张刘陈杨黄赵吴孙马郭罗郑谢韩冯邓蒋叶苏钟谭贾夏邱国强华伟军东庆红光晓学辉涛",
        "張劉陳楊黃趙吳孫馬郭羅鄭謝韓馮鄧蔣葉蘇鍾譚賈夏邱國強華偉軍東慶紅光曉學輝濤",
        strict=True,
    )
)

# Japanese: kanji, then kana, then Hepburn spellings (macron, plain, oh).
JA_FAMILY = [
    Part(k, (kana, *latin.split("/")))
    for k, kana, latin in (
        item.split(":")
        for item in """
田中:たなか:Tanaka 鈴木:すずき:Suzuki 佐藤:さとう:Sato/Satō/Satoh 伊藤:いとう:Ito/Itō/Itoh
加藤:かとう:Kato/Katō/Katoh 山本:やまもと:Yamamoto 中村:なかむら:Nakamura 小林:こばやし:Kobayashi
渡辺:わたなべ:Watanabe 山田:やまだ:Yamada 松本:まつもと:Matsumoto 井上:いのうえ:Inoue 木村:きむら:Kimura
清水:しみず:Shimizu 山口:やまぐち:Yamaguchi 池田:いけだ:Ikeda 橋本:はしもと:Hashimoto 石川:いしかわ:Ishikawa
前田:まえだ:Maeda 藤田:ふじた:Fujita 岡田:おかだ:Okada 村上:むらかみ:Murakami 石井:いしい:Ishii
藤井:ふじい:Fujii 西村:にしむら:Nishimura 岡本:おかもと:Okamoto 松田:まつだ:Matsuda 中川:なかがわ:Nakagawa
中野:なかの:Nakano 石田:いしだ:Ishida 上田:うえだ:Ueda 森田:もりた:Morita 宮本:みやもと:Miyamoto
高木:たかぎ:Takagi 高田:たかだ:Takada 藤本:ふじもと:Fujimoto 村田:むらた:Murata 上野:うえの:Ueno
松井:まつい:Matsui 野口:のぐち:Noguchi 野村:のむら:Nomura 中山:なかやま:Nakayama 高市:たかいち:Takaichi
""".split()
    )
]
JA_GIVEN = [
    Part(k, (kana, *latin.split("/")))
    for k, kana, latin in (
        item.split(":")
        for item in """
太郎:たろう:Taro/Tarō/Tarou 一郎:いちろう:Ichiro/Ichirō 誠:まこと:Makoto 博:ひろし:Hiroshi
隆:たかし:Takashi 茂:しげる:Shigeru 清:きよし:Kiyoshi 大輔:だいすけ:Daisuke 健太:けんた:Kenta
拓也:たくや:Takuya 直樹:なおき:Naoki 和也:かずや:Kazuya 達也:たつや:Tatsuya 恵子:けいこ:Keiko
直子:なおこ:Naoko 由美:ゆみ:Yumi 明美:あけみ:Akemi 幸子:さちこ:Sachiko 秀樹:ひでき:Hideki
健二:けんじ:Kenji 修:おさむ:Osamu 豊:ゆたか:Yutaka 早苗:さなえ:Sanae 正人:まさと:Masato
""".split()
    )
]

FEMALE = {
    "Olga",
    "Tatyana",
    "Natalya",
    "Yelena",
    "Yuliya",
    "Kseniya",
    "Mariya",
    "Irina",
    "Svetlana",
    "Yekaterina",
    "Anna",
    "Lyudmila",
    "Sabine",
    "Ursula",
    "Petra",
    "Monika",
    "Brigitte",
    "Katrin",
    "Marie",
    "Nathalie",
    "Isabelle",
    "Sylvie",
    "Hélène",
    "María",
    "Ana",
    "Carmen",
    "Rosa",
    "Fatma",
    "Ayşe",
    "Emine",
    "Zeynep",
    "Elif",
    "Priya",
    "Sunita",
}
NICKNAMES = {**RU_NICK, **DE_NICK, **ES_NICK, "William": "Bill", "Robert": "Bob", "James": "Jim"}


@dataclass
class Person:
    culture: str
    given: list[Part]
    middle: list[Part]
    family: list[Part]
    country: str
    female: bool = False
    eastern: bool = False  # family name first in every writing (Korean, Chinese, Japanese native)
    title: str = ""
    birth: str = ""
    aliases: list[str] = field(default_factory=list)
    weak: list[str] = field(default_factory=list)


def feminine_ru(part: Part) -> Part:
    """A Russian surname's or patronymic's female form (Петров → Петрова, Сергеевич → Сергеевна)."""

    def one(word: str, cyrillic: bool) -> str:
        if word.endswith(("ич", "ich")):
            return word[:-2] + ("на" if cyrillic else "na")
        if word.endswith(("ский", "цкий")):
            return word[:-2] + "ая"
        if word.endswith(("skiy", "tskiy")):
            return word[:-2] + "aya"
        if word.endswith("sky"):
            return word[:-1] + "aya"
        if word.endswith(("ов", "ев", "ёв", "ин")):
            return word + "а"
        if word.endswith("off"):
            return word[:-2] + "va"
        if word.endswith(("ov", "ev", "yov", "in")):
            return word + "a"
        return word

    return Part(one(part.native, True), tuple(one(s, False) for s in part.latin))


def part_of(text: str, pool: list[Part]) -> Part:
    """A part from a `native:latin/...` or `latin/...` entry, or the pool's part of that native script."""
    if ":" not in text and any(p.native == text for p in pool):
        return next(p for p in pool if p.native == text)
    return parts(text)[0]


class People:
    """People of many cultures, each listed as one of the lists writes them, with their queries."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    # --- making a person -------------------------------------------------------------------

    def person(self, culture: str) -> Person:
        for _ in range(200):
            p = self._make(culture)
            key = " ".join(x.listed for x in [*p.given, *p.middle, *p.family])
            if key not in self.used:
                self.used.add(key)
                if self.rng.random() < 0.75:
                    p.birth = self.birth_date()
                return p
        raise RuntimeError(f"names of {culture} exhausted")

    def birth_date(self, year: int | None = None) -> str:
        rng = self.rng
        year = year or rng.randint(1945, 1995)
        roll = rng.random()
        if roll < 0.2:
            return str(year)
        if roll < 0.3:
            return f"{year}-{rng.randint(1, 12):02d}"
        return f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"

    def _make(self, culture: str) -> Person:
        rng = self.rng
        if culture == "ru":
            female = rng.random() < 0.25
            given = rng.choice(RU_GIVEN_F if female else RU_GIVEN_M)
            patronymic, family = rng.choice(RU_PATRONYMIC), rng.choice(RU_FAMILY)
            if female:
                patronymic, family = feminine_ru(patronymic), feminine_ru(family)
            country = "ua" if family.listed.endswith("enko") and rng.random() < 0.6 else rng.choice(["ru", "ru", "by"])
            return Person(culture, [given], [patronymic], [family], country, female)
        if culture == "ar":
            given, father = rng.sample(AR_GIVEN, 2)
            p = Person(
                culture,
                [given],
                [father],
                [rng.choice(AR_FAMILY)],
                rng.choice(["sy", "iq", "ye", "ly", "lb", "sa", "eg"]),
            )
            if rng.random() < 0.35:
                p.weak.append(rng.choice(AR_KUNYA))
            if rng.random() < 0.2:
                p.title = rng.choice(AR_TITLE)
            return p
        if culture == "fa":
            given = [rng.choice(FA_GIVEN)]
            if rng.random() < 0.2:
                given = [FA_GIVEN[0], rng.choice(FA_GIVEN[1:4])]  # Mohammad Ali, Mohammad Reza …
            return Person(culture, given, [], [rng.choice(FA_FAMILY)], "ir")
        if culture == "ko":
            given = rng.sample(KO_SYLLABLES, 2)
            return Person(culture, given, [], [rng.choice(KO_FAMILY)], rng.choice(["kp", "kp", "kr"]), eastern=True)
        if culture == "zh":
            given = rng.sample(ZH_GIVEN, 2 if rng.random() < 0.8 else 1)
            return Person(culture, given, [], [rng.choice(ZH_FAMILY)], rng.choice(["cn", "cn", "hk"]), eastern=True)
        if culture == "ja":
            return Person(culture, [rng.choice(JA_GIVEN)], [], [rng.choice(JA_FAMILY)], "jp", eastern=True)
        if culture == "mm":
            syllables = rng.sample(MM_SYLLABLES, rng.choice([2, 3, 3]))
            return Person(culture, syllables, [], [], "mm")
        pools = {
            "de": (DE_GIVEN, DE_FAMILY, ["de", "de", "at", "ch"]),
            "fr": (FR_GIVEN, FR_FAMILY, ["fr", "fr", "be"]),
            "es": (ES_GIVEN, ES_FAMILY, ["mx", "ve", "co", "es"]),
            "tr": (TR_GIVEN, TR_FAMILY, ["tr"]),
            "in": (IN_GIVEN, IN_FAMILY, ["in"]),
            "pk": (PK_GIVEN, PK_FAMILY, ["pk", "af"]),
            "bd": (BD_GIVEN, BD_FAMILY, ["bd"]),
            "gr": (GR_GIVEN, GR_FAMILY, ["gr", "cy"]),
        }
        given_pool, family_pool, countries = pools[culture]
        given = [rng.choice(given_pool)]
        middle = []
        if culture in ("de", "fr", "es", "tr") and rng.random() < 0.35:
            female = given[0].listed in FEMALE
            middle = [rng.choice([g for g in given_pool if g != given[0] and (g.listed in FEMALE) == female])]
        family = [rng.choice(family_pool)]
        if culture == "es":  # paternal and maternal surnames
            family.append(rng.choice([f for f in family_pool if f != family[0]]))
        female = given[0].listed in FEMALE
        return Person(culture, given, middle, family, rng.choice(countries), female)

    # --- writing a person ------------------------------------------------------------------

    def given_text(self, p: Person, variant: int = 0, style: str = "") -> str:
        """The given name in Latin; Korean and Chinese syllables joined as the lists join them."""
        pick = [g.latin[min(variant, len(g.latin) - 1)] for g in p.given]
        if p.culture == "ko":
            style = style or "space"
            first, second = pick
            return {
                "space": f"{first} {second}",
                "hyphen": f"{first}-{second.lower()}",
                "Hyphen": f"{first}-{second}",
                "joined": first + second.lower(),
            }[style]
        if p.culture == "zh":
            if variant and len(pick) == 2:  # Wade-Giles hyphenates the syllables
                return f"{pick[0]}-{pick[1].lower()}"
            return pick[0] + "".join(s.lower() for s in pick[1:])
        return " ".join(pick)

    def latin(
        self,
        p: Person,
        variant: int = 0,
        order: str = "western",
        middle: bool = True,
        upper: bool = False,
        style: str = "",
    ) -> str:
        """The name in Latin script: `western` (given first), `eastern` (family first, Korean and
        Chinese way), `comma` (FAMILY, Given as OFAC and the UK write it)."""
        given = self.given_text(p, variant, style)
        mids = " ".join(m.latin[min(variant, len(m.latin) - 1)] for m in p.middle) if middle else ""
        if p.culture == "ar" and mids:
            particle = self.rng.choice(["bin", "ibn", "bin"] if variant == 0 else ["ben", "bin", "ibn"])
            mids = f"{particle} {mids}"
        family = " ".join(f.latin[min(variant, len(f.latin) - 1)] for f in p.family)
        if p.culture == "ja":  # index 0 is kana
            family = " ".join(f.latin[min(variant + 1, len(f.latin) - 1)] for f in p.family)
            given = " ".join(g.latin[min(variant + 1, len(g.latin) - 1)] for g in p.given)
        family = family.upper() if upper else family
        if p.culture == "mm":
            return given.upper() if upper else given
        if order == "comma":
            return f"{family}, {given} {mids}".strip()
        if order == "eastern":
            return f"{family} {given} {mids}".strip()
        return " ".join(x for x in (given, mids, family) if x)

    def native(self, p: Person, middle: bool = True, kana: bool = False) -> str:
        """The name in its own script, in that script's order; "" for Latin-script names."""
        if not (p.given[0].native or (p.culture == "ja")):
            return ""
        if p.culture == "ja":
            if kana:
                return f"{p.family[0].latin[0]} {p.given[0].latin[0]}"
            return p.family[0].native + p.given[0].native
        if p.culture in ("ko", "zh"):
            return p.family[0].native + "".join(g.native for g in p.given)
        if p.culture == "mm":
            return "".join(g.native for g in p.given)
        given = " ".join(g.native for g in p.given)
        mids = " ".join(m.native for m in p.middle) if middle else ""
        family = " ".join(f.native for f in p.family)
        if p.culture == "ar" and mids:
            mids = "بن " + mids
        if p.culture == "ru" and self.rng.random() < 0.3:
            return " ".join(x for x in (family, given, mids) if x)
        return " ".join(x for x in (given, mids, family) if x)

    def listing(self, p: Person, eid: str) -> dict:
        """The entity as one of the lists writes it."""
        rng = self.rng
        style = rng.choice(["ofac", "eu", "un", "uk"])
        if p.eastern:
            name = self.latin(p, order="eastern", upper=style in ("ofac", "eu"), style=rng.choice(["space", "hyphen"]))
        elif style in ("ofac", "uk"):
            name = self.latin(p, order="comma", upper=True)
        else:
            name = self.latin(p, upper=style == "eu")
        if p.title and rng.random() < 0.5:
            name = f"{p.title} {name}"
        aliases = list(p.aliases)
        native = self.native(p)
        if native and (p.culture in ("ko", "zh", "ja", "mm") or rng.random() < 0.55):
            if p.culture in ("zh", "ja") and rng.random() < 0.35:
                aliases.append(name)  # China's and Japan's lists give the characters first
                name = native
            else:
                aliases.append(native)
        if p.culture == "ja" and rng.random() < 0.3:
            aliases.append(self.native(p, kana=True))
        props: dict[str, list[str]] = {"name": [name]}
        if aliases:
            props["alias"] = aliases
        if p.weak:
            props["weakAlias"] = p.weak
        if p.culture != "mm" and rng.random() < 0.5:
            props["firstName"] = [self.given_text(p) if p.culture != "ja" else p.given[0].latin[1]]
            props["lastName"] = [" ".join(f.latin[1 if p.culture == "ja" else 0] for f in p.family)]
        if p.birth:
            props["birthDate"] = [p.birth]
        props["nationality"] = [p.country]
        return {"id": eid, "schema": "Person", "properties": props}

    # --- queries ---------------------------------------------------------------------------

    def variant_index(self, p: Person) -> int | None:
        """A transliteration index under which some part is spelt otherwise, if there is one."""
        offset = 1 if p.culture == "ja" else 0
        spans = [len(x.latin) - offset for x in [*p.given, *p.middle, *p.family]]
        return 1 if max(spans) > 1 else None

    def matches(self, p: Person) -> dict[str, str]:
        """Queries that name the same person, by shape."""
        rng = self.rng
        q: dict[str, str] = {}
        if self.variant_index(p):
            q["transliteration"] = self.latin(
                p,
                1,
                order="eastern" if p.eastern else "western",
                middle=rng.random() < 0.6,
                style=rng.choice(["space", "hyphen", "joined"]),
            )
        native = self.native(p, middle=rng.random() < 0.5)
        if native:
            q["native-script"] = native
            if p.culture == "zh":
                q["native-script"] = "".join(ZH_TRADITIONAL.get(c, c) for c in native) if rng.random() < 0.5 else native
            if p.culture == "ja" and rng.random() < 0.4:
                q["native-script"] = self.native(p, kana=True)
        if p.eastern:
            q["order"] = self.latin(p, order="western", style=rng.choice(["space", "hyphen", "Hyphen", "joined"]))
        elif p.culture != "mm":
            q["order"] = self.latin(p, order=rng.choice(["comma", "eastern"]), upper=rng.random() < 0.5)
        if p.middle and p.culture != "ar":
            q["middle-missing"] = self.latin(p, middle=False)
            initial = p.middle[0].listed[0]
            q["initials"] = (
                f"{self.given_text(p)} {initial}{rng.choice(['.', ''])} {' '.join(f.listed for f in p.family)}"
            )
        if p.culture == "es" and len(p.family) == 2:
            q["middle-missing"] = f"{self.given_text(p)} {p.family[0].listed}"
        if p.culture == "ar":
            q["particles"] = self.arabic_particles(p)
        if p.culture in ("ar", "fa", "pk") or p.title:
            title = p.title or rng.choice(AR_TITLE)
            q["honorific"] = f"{title} {self.latin(p, order='western')}"
        nick = NICKNAMES.get(p.given[0].listed)
        if nick and len(p.given) == 1:
            q["nickname"] = " ".join([nick, *(f.listed for f in p.family)])
        q["typo"] = self.typo_name(p)
        return q

    def arabic_particles(self, p: Person) -> str:
        """Bin/ibn/ben, al-/Al/El, joined or not, as the lists and the press write them."""
        rng = self.rng
        family = rng.choice(p.family[0].latin)
        if family.startswith(("al-", "El ")):
            bare = family.split("-", 1)[-1] if "-" in family else family[3:]
            family = rng.choice(
                [f"Al {bare}", f"El-{bare}", f"al{bare.lower()}".capitalize(), f"AL-{bare.upper()}", bare]
            )
        given = rng.choice(p.given[0].latin)
        father = rng.choice(p.middle[0].latin)
        return f"{given} {rng.choice(['bin', 'Bin', 'ibn', 'Ben', 'b.'])} {father} {family}"

    def typo_name(self, p: Person) -> str:
        """The listed Latin name with one slip in its longest part (never another family name of the pools)."""
        rng = self.rng
        text = self.latin(
            p,
            order="eastern" if p.eastern else "western",
            middle=rng.random() < 0.5,
            style=rng.choice(["space", "hyphen"]),
        )
        words = text.split()
        longest = max(range(len(words)), key=lambda i: (len(words[i]), i))
        for _ in range(20):
            slipped = typo(rng, words[longest])
            if slipped.lower() not in KNOWN_SURNAMES:
                words[longest] = slipped
                return " ".join(words)
        return text

    def alias_pair(self, p: Person, listed: dict) -> str | None:
        """A second name the list gives (a name used before, by a wife's family, in documents)."""
        if p.culture in ("ar", "fa", "pk") and self.rng.random() < 0.5:
            other = self.rng.choice(AR_FAMILY if p.culture == "ar" else FA_FAMILY if p.culture == "fa" else PK_FAMILY)
            if other not in p.family:
                alias = f"{self.given_text(p)} {other.listed}"
                listed["properties"].setdefault("alias", []).append(alias)
                return f"{self.rng.choice(p.given[0].latin)} {self.rng.choice(other.latin)}"
        return None

    def non_matches(self, p: Person) -> dict[str, tuple[str, dict]]:
        """Queries naming another person, by shape, with the evidence (birth date, country) they give."""
        rng = self.rng
        q: dict[str, tuple[str, dict]] = {}
        family = self.confused_family(p)
        if family:
            other = Person(p.culture, p.given, p.middle, [family, *p.family[1:]], p.country, p.female, p.eastern)
            q["neg-family-similar"] = (
                self.latin(other, middle=rng.random() < 0.5, order="eastern" if p.eastern else "western"),
                {},
            )
            if family.native and rng.random() < 0.5:
                q["neg-family-similar"] = (self.native(other), {})
        given = self.other_given(p)
        if given:
            other = Person(p.culture, given, p.middle, p.family, p.country, p.female, p.eastern)
            text = self.latin(other, order="eastern" if p.eastern else "western", middle=rng.random() < 0.5)
            if p.culture in ("ko", "zh", "ja", "mm", "in") and rng.random() < 0.6:
                text = self.native(other)
            q["neg-given-different" if p.culture not in ("ko", "zh", "ja", "mm") else "neg-one-char"] = (text, {})
        if p.culture == "ar":
            father = (
                part_of(AR_CONFUSED.get(p.middle[0].native, ""), AR_GIVEN)
                if p.middle[0].native in AR_CONFUSED
                else None
            )
            if father:
                other = Person(p.culture, p.given, [father], p.family, p.country)
                q["neg-father-different"] = (self.latin(other), {})
        if p.culture == "es" and len(p.family) == 2:
            maternal = rng.choice([f for f in ES_FAMILY if f not in p.family])
            q["neg-maternal-different"] = (f"{self.given_text(p)} {p.family[0].listed} {maternal.listed}", {})
        if p.birth:
            year = int(p.birth[:4])
            other_year = year + rng.choice([-1, 1]) * rng.randint(6, 25)
            q["neg-birth-date"] = (
                self.latin(p, order="eastern" if p.eastern else "western"),
                {"birth_date": self.birth_date(other_year)},
            )
            country = rng.choice([c for c in ("us", "gb", "de", "tr", "ae", "in", "br", "ca", "au") if c != p.country])
            q["neg-nationality"] = (
                self.latin(p, middle=False, order="eastern" if p.eastern else "western"),
                {"country": country, "birth_date": str(other_year + rng.choice([-2, 2]))},
            )
        return q

    def confused_family(self, p: Person) -> Part | None:
        table = {
            "ru": RU_CONFUSED,
            "fa": FA_CONFUSED,
            "de": DE_CONFUSED,
            "fr": FR_CONFUSED,
            "tr": TR_CONFUSED,
            "gr": GR_CONFUSED,
        }.get(p.culture)
        if table is None or not p.family:
            if p.culture == "ja":  # another family sharing a kanji, read otherwise: 高市, 高木
                head = p.family[0]
                alike = [
                    f
                    for f in JA_FAMILY
                    if f != head
                    and len(f.native) == len(head.native)
                    and any(a == b for a, b in zip(f.native, head.native, strict=True))
                    and f.latin[1] != head.latin[1]
                ]
                return self.rng.choice(alike) if alike else None
            return None
        head = p.family[0]
        key = head.native or head.listed
        if p.culture == "ru" and p.female:
            masculine = next((f for f in RU_FAMILY if feminine_ru(f) == head), None)
            other = table.get(masculine.native if masculine else key)
            return feminine_ru(parts(other)[0]) if other else None
        other = table.get(key)
        return parts(other)[0] if other else None

    def other_given(self, p: Person) -> list[Part] | None:
        """Another given name: a confusable one where the culture has them, else one syllable or
        character changed (Korean, Chinese, Burmese) or another name of the pool."""
        rng = self.rng
        if p.culture == "ko":
            keep = rng.randrange(2)
            swap = rng.choice([s for s in KO_SYLLABLES if s not in p.given and s.listed != p.given[1 - keep].listed])
            return [p.given[0], swap] if keep == 0 else [swap, p.given[1]]
        if p.culture == "zh":
            i = rng.randrange(len(p.given))
            swap = rng.choice([c for c in ZH_GIVEN if c not in p.given and c.listed != p.given[i].listed])
            return [swap if j == i else g for j, g in enumerate(p.given)]
        if p.culture == "mm":
            i = rng.randrange(len(p.given))
            swap = rng.choice([s for s in MM_SYLLABLES if s not in p.given])
            return [swap if j == i else g for j, g in enumerate(p.given)]
        if p.culture == "ja":
            return [rng.choice([g for g in JA_GIVEN if g.latin[1] != p.given[0].latin[1]])]
        if p.culture == "in" and p.given[0].native in IN_CONFUSED_GIVEN:
            return [parts(IN_CONFUSED_GIVEN[p.given[0].native])[0]]
        if p.culture == "ar" and p.given[0].native in AR_CONFUSED:
            return [part_of(AR_CONFUSED[p.given[0].native], AR_GIVEN)]
        pool = {
            "ru": RU_GIVEN_F if p.female else RU_GIVEN_M,
            "fa": FA_GIVEN,
            "de": DE_GIVEN,
            "fr": FR_GIVEN,
            "es": ES_GIVEN,
            "tr": TR_GIVEN,
            "pk": PK_GIVEN,
            "bd": BD_GIVEN,
            "gr": GR_GIVEN,
            "ar": AR_GIVEN,
            "in": IN_GIVEN,
        }[p.culture]
        same_start = [
            g
            for g in pool
            if g != p.given[0] and g.listed[0] == p.given[0].listed[0] and (g.listed in FEMALE) == p.female
        ]
        return [rng.choice(same_start or [g for g in pool if g != p.given[0]])]


KNOWN_SURNAMES = {
    s.lower()
    for pool in (
        RU_FAMILY,
        AR_FAMILY,
        FA_FAMILY,
        DE_FAMILY,
        FR_FAMILY,
        ES_FAMILY,
        TR_FAMILY,
        IN_FAMILY,
        PK_FAMILY,
        BD_FAMILY,
        GR_FAMILY,
    )
    for part in pool
    for s in part.latin
} | {w.lower() for table in (DE_CONFUSED, FR_CONFUSED, TR_CONFUSED) for v in table.values() for w in v.split("/")}


def typo(rng: random.Random, text: str) -> str:
    """One keyboard slip at a letter after the first (screening_data's, with this set's odds)."""
    return screening_data.typo(rng, text, from_second=True, odds=(0.35, 0.6, 0.85))


# --- companies ---------------------------------------------------------------------------------

# Legal forms by country: the abbreviation the list writes, then the other writings of the same form.
FORMS = {
    "de": [["GmbH", "Gesellschaft mit beschränkter Haftung", "Gesellschaft mbH"], ["AG", "Aktiengesellschaft"]],
    "fr": [["SA", "S.A.", "Société Anonyme"], ["SARL", "S.A.R.L.", "Société à responsabilité limitée"]],
    "mx": [["S.A. de C.V.", "SA de CV", "Sociedad Anónima de Capital Variable"], ["S. de R.L.", "S de RL"]],
    "gb": [["Ltd", "Limited", "Ltd."], ["LLP", "Limited Liability Partnership"], ["PLC", "Public Limited Company"]],
    "hk": [["Limited", "Ltd", "Ltd."], ["Co., Ltd.", "Company Limited", "Co. Ltd"]],
    "sg": [["Pte Ltd", "Pte. Ltd.", "Private Limited"]],
    "us": [["LLC", "L.L.C.", "Limited Liability Company"], ["Inc.", "Incorporated", "Inc"], ["Corp.", "Corporation"]],
    "pl": [["Sp. z o.o.", "Sp. z o. o.", "Spółka z ograniczoną odpowiedzialnością"]],
    "nl": [["B.V.", "BV", "Besloten Vennootschap"], ["N.V.", "NV", "Naamloze Vennootschap"]],
    "se": [["AB", "Aktiebolag"]],
    "fi": [["Oy", "Osakeyhtiö"]],
    "my": [["Sdn Bhd", "Sdn. Bhd.", "Sendirian Berhad"]],
    "ae": [["FZE", "Free Zone Establishment", "F.Z.E."], ["FZCO", "Free Zone Company", "FZ Co"], ["LLC", "L.L.C."]],
    "tr": [["A.Ş.", "AS", "Anonim Şirketi"], ["Ltd. Şti.", "Limited Şirketi"]],
    "in": [["Pvt Ltd", "Private Limited", "Pvt. Ltd."]],
}
RU_FORMS = [  # abbreviation in Cyrillic, romanised, translated; in full in Cyrillic and romanised
    ["ООО", "OOO", "LLC", "Общество с ограниченной ответственностью", "Obshchestvo s Ogranichennoy Otvetstvennostyu"],
    ["АО", "AO", "JSC", "Акционерное общество", "Aktsionernoye Obshchestvo"],
    ["ПАО", "PAO", "PJSC", "Публичное акционерное общество", "Public Joint Stock Company"],
]
BRAND_START = """Nor Sev Tek Ast Bal Kar Mer Vel Zen Tar Ori Lum Vor Sol Pol Dar Kor Ald Bel Cas Fal Hel Ign Jas Kal
Lor Mar Nex Pra Quan Rad Sar Tal Ul Vin Xen Yor Zar""".split()
BRAND_END = "dex tron vik mar nex ora lan tek gard ion ara ovo ium ex is on ica ant ova ent ix".split()
BRAND_WORDS = """Atlas Falcon Phoenix Horizon Crescent Pioneer Zenith Meridian Polaris Sapphire Emerald Summit Apex
Vertex Nova Orion Sirius Trident Caspian Baltic Arctic Oasis Sahara Everest Condor Jaguar Cobalt Titan""".split()
TWO_WORDS = [
    "Golden Star",
    "Blue Ocean",
    "Silver Line",
    "Red Sea",
    "Sun Rise",
    "Sea Bird",
    "Star Link",
    "Sky Way",
    "Green Field",
    "White Rock",
    "Black Stone",
    "Ever Bright",
    "Oce Anic",
    "Nord Stream",
    "Med Tech",
]
TWO_WORDS = [w for w in TWO_WORDS if w != "Oce Anic"]
GENERIC = [
    "Trading",
    "Shipping",
    "Logistics",
    "Oil & Gas",
    "Petroleum",
    "Energy",
    "Engineering",
    "Construction",
    "Machinery",
    "Chemicals",
    "Metals",
    "Aviation",
    "Marine",
    "Electronics",
    "Technology",
    "Industrial",
    "General Trading",
    "Import & Export",
    "Maritime",
    "Aerospace",
    "Components",
    "Precision Instruments",
]
GENERIC_TAIL = ["", "", "", "International", "Group", "Holding", "Company"]
DE_GENERIC = ["Maschinenbau", "Handel", "Technik", "Elektronik", "Logistik", "Anlagenbau", "Industrietechnik"]
ABBREVIATIONS = [
    ("International", "Intl"),
    ("International", "Int'l"),
    ("Company", "Co."),
    ("Corporation", "Corp."),
    (" & ", " and "),
    ("Engineering", "Eng."),
    ("Technology", "Tech"),
    ("Trading", "Trdg"),
]
RU_FIRST = parts("""Урал:Ural Сиб:Sib Волга:Volga Балт:Balt Нева:Neva Дон:Don Рос:Ros Спец:Spets Техно:Tekhno/Techno
Пром:Prom Энерго:Energo Нефте:Nefte Газ:Gaz Транс:Trans Авиа:Avia Радио:Radio Электро:Elektro/Electro
Приор:Prior Север:Sever Восток:Vostok""")
RU_SECOND = parts("""снаб:snab строй:stroy/stroi тех:tekh/tech сервис:servis/service экспорт:eksport/export
импорт:import комплект:komplekt пром:prom маш:mash систем:sistem/system инвест:invest трейд:treyd/trade
лайн:layn/line оборон:oboron прибор:pribor""")
JA_BUSINESS = [
    Part(k, tuple(v.split("/")))
    for k, v in (
        i.split(":")
        for i in """製作所:Seisakusho 工業:Kogyo/Kōgyō/Kougyou 商事:Shoji/Shōji 電機:Denki 化学:Kagaku
        精機:Seiki 産業:Sangyo/Sangyō 物産:Bussan""".split()
    )
]


class Companies:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.brands: set[str] = set()

    def brand(self) -> str:
        rng = self.rng
        for _ in range(1000):
            roll = rng.random()
            word = (
                rng.choice(BRAND_WORDS)
                if roll < 0.35
                else rng.choice(TWO_WORDS)
                if roll < 0.45
                else rng.choice(BRAND_START) + rng.choice(BRAND_END)
            )
            if word not in self.brands:
                self.brands.add(word)
                return word
        raise RuntimeError("brands exhausted")

    def company(self, i: int) -> tuple[list[dict], list[dict]]:
        roll = self.rng.random()
        if roll < 0.25:
            return self.russian(i)
        if roll < 0.35:
            return self.japanese(i)
        return self.western(i)

    def western(self, i: int) -> tuple[list[dict], list[dict]]:
        rng = self.rng
        country = rng.choice(sorted(FORMS))
        form = rng.choice(FORMS[country])
        brand = self.brand()
        words = [rng.choice(DE_GENERIC if country == "de" and rng.random() < 0.6 else GENERIC)]
        tail = rng.choice(GENERIC_TAIL)
        generic = " ".join(w for w in [*words, tail] if w)
        number = rng.randint(1, 12) if rng.random() < 0.3 else 0
        if number:  # a numbered vehicle (Fund 2, Shipping 7): the number belongs to the name
            generic = f"{generic} {number}"
        name = f"{brand} {generic} {form[0]}"
        eid = f"wc-{i:04d}"
        listed = [company_entity(eid, name.upper() if rng.random() < 0.3 else name, country)]
        pos, neg = [], []
        pos.append((f"{brand} {generic} {rng.choice(form[1:])}", "form-written-out"))
        pos.append((f"{brand} {generic}", "form-omitted"))
        if " " in brand:
            pos.append((f"{brand.replace(' ', '')} {generic} {form[0]}", "concatenated"))
        else:
            pos.append(
                (f"{brand} {generic} {form[0]}".replace(f" {form[0]}", form[0].replace(" ", "")), "concatenated")
            )
        abbreviated = f"{brand} {generic} {form[0]}"
        for full, short in rng.sample(ABBREVIATIONS, len(ABBREVIATIONS)):
            if full in abbreviated:
                pos.append((abbreviated.replace(full, short, 1), "abbreviation"))
                break
        pos.append((f"{typo(rng, brand)} {generic} {form[0]}", "typo"))
        if rng.random() < 0.4:
            alias = f"{self.brand()} {generic}"
            listed[0]["properties"]["alias"] = [f"{alias} {form[0]}"]
            pos.append((alias, "alias"))
        pos.append(
            (
                rng.choice(
                    [
                        f"{brand} {generic}, {form[0]}".upper(),
                        f"{brand.lower()} {generic.lower()} {form[0].lower()}",
                        f"{form[0]} {brand} {generic}",
                    ]
                ),
                "case-and-order",
            )
        )
        others = [f for f in FORMS[country] if f != form]
        if others:
            neg.append((f"{brand} {generic} {rng.choice(others)[0]}", "neg-legal-form"))
        swap = self.brand()
        neg.append((f"{swap} {generic} {form[0]}", "neg-distinctive-swap"))
        if rng.random() < 0.3:
            listed.append(company_entity(f"{eid}-d", f"{swap} {generic} {form[0]}", country))
        bare = " ".join(w for w in [*words, tail] if w)
        neg.append(
            (
                f"{bare} {form[0]}"
                if tail
                else f"{rng.choice(['Global', 'International', 'United'])} {bare} {form[0]}",
                "neg-generic-only",
            )
        )
        if number:
            other = number + rng.choice([1, 2, -1 if number > 1 else 3])
            neg.append((f"{brand} {generic.removesuffix(str(number))}{other} {form[0]}", "neg-number"))
        return listed, pairs_of(eid, "company", pos, neg)

    def russian(self, i: int) -> tuple[list[dict], list[dict]]:
        rng = self.rng
        while True:
            first, second = rng.choice(RU_FIRST), rng.choice(RU_SECOND)
            if first.native.lower() != second.native and first.listed + second.listed not in self.brands:
                self.brands.add(first.listed + second.listed)
                break
        form = rng.choice(RU_FORMS)
        cyr = first.native + second.native

        def lat(v: int) -> str:
            return first.latin[min(v, len(first.latin) - 1)] + second.latin[min(v, len(second.latin) - 1)]

        eid = f"wc-{i:04d}"
        style = rng.random()
        if style < 0.4:  # OFAC: romanised, form after
            name, alias = f"{lat(0).upper()} {form[1]}", [f"{form[0]} «{cyr}»"]
        elif style < 0.7:  # EU: translated form before, Cyrillic alias
            name, alias = f"{form[2]} {lat(0)}", [f"{form[3]} «{cyr}»"]
        else:  # UK: in Cyrillic first
            name, alias = f"{form[0]} «{cyr}»", [f"{form[2]} {lat(0)}"]
        listed = [company_entity(eid, name, "ru", alias)]
        pos = [
            (f"{form[3]} «{cyr}»" if rng.random() < 0.5 else f"{form[4]} {lat(0)}", "form-written-out"),
            (rng.choice([lat(0), cyr, f'"{cyr}"']), "form-omitted"),
            (f"{lat(0)} {rng.choice(form[1:3])}" if rng.random() < 0.5 else f"{lat(0)}, {form[1]}", "form-position"),
            (f"{form[1]} {typo(rng, lat(0))}", "typo"),
            (rng.choice([cyr, f"{form[0]} {cyr}"]), "native-script"),
        ]
        if lat(1) != lat(0):
            pos.append((f"{form[rng.choice([1, 2])]} {lat(1)}", "transliteration"))
        other_form = rng.choice([f for f in RU_FORMS if f != form])
        neg = [(f"{other_form[rng.choice([0, 1, 2])]} {lat(0) if rng.random() < 0.5 else cyr}", "neg-legal-form")]
        swap = rng.choice([s for s in RU_SECOND if s != second and s.native != first.native.lower()])
        neg.append(
            (
                rng.choice([first.latin[0] + swap.latin[0], first.native + swap.native]) + f" {form[1]}",
                "neg-distinctive-swap",
            )
        )
        return listed, pairs_of(eid, "company", pos, neg)

    def japanese(self, i: int) -> tuple[list[dict], list[dict]]:
        rng = self.rng
        while True:
            family, business = rng.choice(JA_FAMILY), rng.choice(JA_BUSINESS)
            if family.native + business.native not in self.brands:
                self.brands.add(family.native + business.native)
                break
        kanji = (
            f"株式会社{family.native}{business.native}"
            if rng.random() < 0.6
            else f"{family.native}{business.native}株式会社"
        )
        latin = f"{family.latin[1]} {business.latin[0]}"
        eid = f"wc-{i:04d}"
        name, alias = (
            (latin + rng.choice([" Co., Ltd.", " K.K."]), [kanji])
            if rng.random() < 0.6
            else (kanji, [latin + " Co., Ltd."])
        )
        listed = [company_entity(eid, name, "jp", alias)]
        pos = [
            (f"{family.native}{business.native}", "form-omitted"),
            (f"Kabushiki Kaisha {latin}", "form-written-out"),
            (rng.choice([kanji, f"{family.native}{business.native}(株)"]), "native-script"),
            (f"{family.latin[-1]} {business.latin[-1]} KK", "transliteration"),
        ]
        neg = []
        alike = [
            f
            for f in JA_FAMILY
            if f != family
            and len(f.native) == len(family.native)
            and any(a == b for a, b in zip(f.native, family.native, strict=True))
        ]
        if alike:
            other = rng.choice(alike)
            neg.append(
                (
                    rng.choice(
                        [f"株式会社{other.native}{business.native}", f"{other.latin[1]} {business.latin[0]} Co., Ltd."]
                    ),
                    "neg-one-char",
                )
            )
        other_business = rng.choice([b for b in JA_BUSINESS if b != business])
        neg.append((f"{family.latin[1]} {other_business.latin[0]} Co., Ltd.", "neg-distinctive-swap"))
        return listed, pairs_of(eid, "company", pos, neg)


def company_entity(eid: str, name: str, country: str, alias: list[str] | None = None) -> dict:
    props = {"name": [name], **({"alias": alias} if alias else {}), "country": [country]}
    return {"id": eid, "schema": "Company", "properties": props}


def pairs_of(eid: str, category: str, pos: list[tuple[str, str]], neg: list[tuple[str, str]]) -> list[dict]:
    return [pair(q, eid, True, category, s) for q, s in pos] + [pair(q, eid, False, category, s) for q, s in neg]


def pair(query: str, entity_id: str, match: bool, category: str, shape: str, **evidence: str) -> dict:
    return {"query": query, "entity": entity_id, "match": match, "category": category, "shape": shape, **evidence}


# --- organisations -----------------------------------------------------------------------------

STATES = [  # short name, adjective, ISO, long form, Russian genitive (Russian-speaking states only)
    ("Iran", "Iranian", "ir", "the Islamic Republic of Iran", ""),
    ("Syria", "Syrian", "sy", "the Syrian Arab Republic", ""),
    ("North Korea", "North Korean", "kp", "the Democratic People's Republic of Korea", ""),
    ("Russia", "Russian", "ru", "the Russian Federation", "Российской Федерации"),
    ("Belarus", "Belarusian", "by", "the Republic of Belarus", "Республики Беларусь"),
    ("Venezuela", "Venezuelan", "ve", "the Bolivarian Republic of Venezuela", ""),
    ("Myanmar", "Burmese", "mm", "the Republic of the Union of Myanmar", ""),
    ("Cuba", "Cuban", "cu", "the Republic of Cuba", ""),
    ("Nicaragua", "Nicaraguan", "ni", "the Republic of Nicaragua", ""),
    ("Libya", "Libyan", "ly", "the State of Libya", ""),
    ("Iraq", "Iraqi", "iq", "the Republic of Iraq", ""),
    ("Sudan", "Sudanese", "sd", "the Republic of the Sudan", ""),
]
MINISTRIES = [  # English (variants), Russian genitive
    (["Defence", "Defense"], "обороны"),
    (["Interior", "Internal Affairs"], "внутренних дел"),
    (["Foreign Affairs"], "иностранных дел"),
    (["Finance"], "финансов"),
    (["Industry and Trade"], "промышленности и торговли"),
    (["Justice"], "юстиции"),
    (["Intelligence"], ""),
    (["State Security"], ""),
    (["Petroleum", "Oil"], ""),
]
GROUP_TYPES = parts("""جيش:Jaysh/Jaish/Jaish-e لواء:Liwa/Liwa' جبهة:Jabhat/Jabhat-e حركة:Harakat/Harakat-ul
كتائب:Kataib/Kata'ib سرايا:Saraya حزب:Hizb/Hezb مؤسسة:Muassasat/Mu'assasat""")
GROUP_TYPES_EN = ["Army", "Brigade", "Front", "Movement", "Brigades", "Companies", "Party", "Foundation"]
GROUP_NOUNS = parts("""الفتح:al-Fath/al-Fatah النصر:al-Nasr/an-Nasr الحق:al-Haqq/al-Haq التوحيد:al-Tawhid/at-Tawheed
الشام:al-Sham/ash-Sham الشهداء:al-Shuhada/ash-Shuhadaa المجاهدين:al-Mujahidin/al-Mujahideen الأقصى:al-Aqsa
القدس:al-Quds الإمام:al-Imam الأمة:al-Umma/al-Ummah المهدي:al-Mahdi الفرقان:al-Furqan""")
GROUP_NOUNS_EN = [
    "Conquest",
    "Victory",
    "Truth",
    "Monotheism",
    "the Levant",
    "the Martyrs",
    "the Mujahideen",
    "Al-Aqsa",
    "Jerusalem",
    "the Imam",
    "the Nation",
    "the Mahdi",
    "the Criterion",
]
DEFENCE_GROUPS = [
    ("China Electronics Technology Group Corporation", "CETC"),
    ("China Aerospace Science and Industry Corporation", "CASIC"),
    ("China Aerospace Science and Technology Corporation", "CASC"),
    ("Aviation Industry Corporation of China", "AVIC"),
    ("China State Shipbuilding Corporation", "CSSC"),
]
UNI_CITIES = parts(
    """北京:Beijing 南京:Nanjing 哈尔滨:Harbin 西安:Xi'an/Xian 成都:Chengdu 武汉:Wuhan 长沙:Changsha 天津:Tianjin
    沈阳:Shenyang 重庆:Chongqing"""
)
UNI_FIELDS = [
    ("理工大学", "University of Science and Technology"),
    ("航空航天大学", "University of Aeronautics and Astronautics"),
    ("邮电大学", "University of Posts and Telecommunications"),
    ("工程大学", "Engineering University"),
    ("电子科技大学", "University of Electronic Science and Technology"),
]
SHAHID = [
    "Hemmat",
    "Bakeri",
    "Kharrazi",
    "Babaei",
    "Karimi",
    "Movahed",
    "Cheraghi",
    "Satari",
    "Rastegar",
    "Fahmideh",
    "Shushtari",
    "Zeinoddin",
    "Kazemi",
    "Moghaddam",
]


def ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


class Organisations:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def organisation(self, i: int) -> tuple[list[dict], list[dict]]:
        eid = f"wo-{i:04d}"
        for _ in range(100):
            kind = self.rng.choice(["ministry", "ministry", "group", "group", "institute", "university", "industrial"])
            made = getattr(self, kind)(eid)
            if made:
                return made
        raise RuntimeError("organisations exhausted")

    def fresh(self, key: str) -> bool:
        if key in self.used:
            return False
        self.used.add(key)
        return True

    def ministry(self, eid: str):
        rng = self.rng
        state = rng.choice(STATES)
        topic, russian = rng.choice(MINISTRIES)
        if not self.fresh(f"ministry {state[0]} {topic[0]}"):
            return None
        t = topic[0]
        name = rng.choice(
            [f"Ministry of {t} of {state[3]}", f"{state[1]} Ministry of {t}", f"Ministry of {t} ({state[0]})"]
        )
        alias = [f"Министерство {russian} {state[4]}"] if russian and state[4] else []
        listed = [
            {
                "id": eid,
                "schema": "Organization",
                "properties": {"name": [name], **({"alias": alias} if alias else {}), "country": [state[2]]},
            }
        ]
        pos = [
            (f"Ministry of {rng.choice(topic)} of {state[0]}", "other-writing"),
            (
                f"{state[1]} Ministry of {t}".upper() if rng.random() < 0.3 else f"The {state[1]} Ministry of {t}",
                "other-writing",
            ),
        ]
        if alias:
            pos.append((alias[0], "native-script"))
        pos.append((f"Ministry of {typo(rng, t)} of {state[0]}", "typo"))
        other_state = rng.choice([s for s in STATES if s != state])
        other_topic = rng.choice([m for m in MINISTRIES if m[0] != topic])[0][0]
        neg = [
            (f"Ministry of {rng.choice(topic)} of {other_state[0]}", "neg-other-country"),
            (f"{state[1]} Ministry of {other_topic}", "neg-other-body"),
        ]
        if rng.random() < 0.3:
            listed.append(
                {
                    "id": f"{eid}-d",
                    "schema": "Organization",
                    "properties": {"name": [f"{other_state[1]} Ministry of {t}"], "country": [other_state[2]]},
                }
            )
        return listed, pairs_of(eid, "organisation", pos, neg)

    def group(self, eid: str):
        rng = self.rng
        t = rng.randrange(len(GROUP_TYPES))
        n = rng.randrange(len(GROUP_NOUNS))
        if not self.fresh(f"group {t} {n}"):
            return None
        kind, noun = GROUP_TYPES[t], GROUP_NOUNS[n]
        english = (
            f"{GROUP_NOUNS_EN[n].removeprefix('the ')} {GROUP_TYPES_EN[t]}"
            if rng.random() < 0.5
            else f"{GROUP_TYPES_EN[t]} of {GROUP_NOUNS_EN[n]}"
        )
        name = f"{kind.listed} {noun.listed}"
        props = {
            "name": [name],
            "alias": [english, f"{kind.native} {noun.native}"],
            "country": [rng.choice(["sy", "iq", "lb", "ye", "af", "pk"])],
        }
        if rng.random() < 0.3:
            props["weakAlias"] = [noun.listed.split("-", 1)[-1].capitalize()]
        listed = [{"id": eid, "schema": "Organization", "properties": props}]
        pos = [
            (f"{rng.choice(kind.latin)} {rng.choice(noun.latin[1:] or noun.latin)}", "transliteration"),
            (english if rng.random() < 0.5 else english.lower(), "alias"),
            (f"{kind.native} {noun.native}", "native-script"),
            (f"{kind.listed} {noun.listed.replace('-', ' ').replace('al ', 'Al ')}", "particles"),
        ]
        other_t = rng.choice([x for x in range(len(GROUP_TYPES)) if x != t])
        other_n = rng.choice([x for x in range(len(GROUP_NOUNS)) if x != n])
        neg = [
            (f"{GROUP_TYPES[other_t].listed} {noun.listed}", "neg-other-body"),
            (f"{kind.listed} {GROUP_NOUNS[other_n].listed}", "neg-distinctive-swap"),
        ]
        return listed, pairs_of(eid, "organisation", pos, neg)

    def institute(self, eid: str):
        rng = self.rng
        group, acronym = rng.choice(DEFENCE_GROUPS)
        n = rng.randint(2, 60)
        if not self.fresh(f"institute {acronym} {n}"):
            return None
        name = (
            f"{group} {ordinal(n)} Research Institute"
            if rng.random() < 0.5
            else f"{ordinal(n)} Research Institute of {group}"
        )
        listed = [
            {
                "id": eid,
                "schema": "Organization",
                "properties": {"name": [name], "alias": [f"{acronym} {n}"], "country": ["cn"]},
            }
        ]
        pos = [
            (f"{acronym} {ordinal(n)} Research Institute", "abbreviation"),
            (f"{ordinal(n)} Research Institute, {group}", "other-writing"),
            (f"{group} No. {n} Research Institute", "other-writing"),
        ]
        m = n + rng.choice([1, -1, 10])
        neg = [(f"{group} {ordinal(m)} Research Institute", "neg-number"), (f"{acronym} {m}", "neg-acronym")]
        return listed, pairs_of(eid, "organisation", pos, neg)

    def university(self, eid: str):
        rng = self.rng
        city = rng.choice(UNI_CITIES)
        zh, en = rng.choice(UNI_FIELDS)
        if not self.fresh(f"university {city.listed} {en}"):
            return None
        name = f"{city.listed} {en}"
        listed = [
            {
                "id": eid,
                "schema": "Organization",
                "properties": {"name": [name], "alias": [city.native + zh], "country": ["cn"]},
            }
        ]
        pos = [
            (city.native + zh, "native-script"),
            (name.replace(" and ", " & "), "abbreviation"),
            (name.upper(), "other-writing"),
            (f"{typo(rng, city.listed)} {en}", "typo"),
        ]
        other = rng.choice([c for c in UNI_CITIES if c != city])
        neg = [(rng.choice([f"{other.listed} {en}", other.native + zh]), "neg-other-country")]
        return listed, pairs_of(eid, "organisation", pos, neg)

    def industrial(self, eid: str):
        rng = self.rng
        martyr = rng.choice(SHAHID)
        if not self.fresh(f"industrial {martyr}"):
            return None
        acronym = f"S{martyr[0]}IG"
        name = f"Shahid {martyr} Industrial Group"
        listed = [
            {"id": eid, "schema": "Organization", "properties": {"name": [name], "alias": [acronym], "country": ["ir"]}}
        ]
        pos = [
            (f"Shahid {martyr} Industries Group", "other-writing"),
            (acronym, "abbreviation"),
            (f"Shaheed {martyr} Industrial Group", "transliteration"),
        ]
        others = [m for m in SHAHID if m != martyr]
        other = rng.choice(others)
        neg = [(f"Shahid {other} Industrial Group", "neg-distinctive-swap")]
        similar = [m for m in others if m[0] != martyr[0]]
        neg.append((f"S{rng.choice(similar)[0]}IG", "neg-acronym"))
        return listed, pairs_of(eid, "organisation", pos, neg)


# --- the set -----------------------------------------------------------------------------------

CULTURES = ["ru", "ru", "ar", "ar", "fa", "ko", "zh", "ja", "de", "fr", "es", "tr", "in", "pk", "bd", "gr", "mm"]


def hand_cases() -> tuple[list[dict], list[dict]]:
    doc = json.loads((DATA / "screening_world_hand.json").read_text(encoding="utf-8"))
    category = {
        e["id"]: {"Person": "person", "Company": "company", "Organization": "organisation"}[e["schema"]]
        for e in doc["entities"]
    }
    pairs = []
    for p in doc["pairs"]:
        evidence = {k: p[k] for k in ("birth_date", "country") if k in p}
        pairs.append(pair(p["query"], p["entity"], p["match"], category[p["entity"]], "hand", **evidence))
    return doc["entities"], pairs


def people(rng: random.Random, n: int) -> Iterator[tuple[list[dict], list[dict]]]:
    gen = People(rng)
    for i in range(n):
        p = gen.person(CULTURES[i % len(CULTURES)])
        eid = f"wp-{i:04d}"
        listed = gen.listing(p, eid)
        pairs = []
        for shape, query in gen.matches(p).items():
            evidence = {}
            if p.birth and rng.random() < 0.2:
                evidence["birth_date"] = p.birth[:4] if rng.random() < 0.5 else p.birth
            if rng.random() < 0.2:
                evidence["country"] = p.country
            pairs.append(pair(query, eid, True, "person", shape, **evidence))
        alias = gen.alias_pair(p, listed)
        if alias:
            pairs.append(pair(alias, eid, True, "person", "alias"))
        for shape, (query, evidence) in gen.non_matches(p).items():
            pairs.append(pair(query, eid, False, "person", shape, **evidence))
        yield [listed], pairs


def stratified(rng: random.Random, pairs: list[dict], n: int) -> list[dict]:
    """`n` pairs taken a shape at a time in turn, so that every shape keeps some."""
    by_shape: dict[str, list[dict]] = {}
    for p in pairs:
        by_shape.setdefault(p["shape"], []).append(p)
    queues = [rng.sample(v, len(v)) for _, v in sorted(by_shape.items())]
    out: list[dict] = []
    while len(out) < n and any(queues):
        for q in queues:
            if q and len(out) < n:
                out.append(q.pop())
    return out


def labelled_set(seed: int = SEED, total: int = 2000) -> tuple[list[dict], list[dict]]:
    """(entities in FollowTheMoney form, labelled pairs), the hand-written cases first; the
    generated pairs are drawn to make each category its share of `total`, half of them matches."""
    rng = random.Random(seed)
    entities, hand = hand_cases()
    made: dict[str, list[dict]] = {"person": [], "company": [], "organisation": []}
    companies, organisations = Companies(rng), Organisations(rng)
    sources = {
        "person": people(rng, 520),
        "company": (companies.company(i) for i in range(330)),
        "organisation": (organisations.organisation(i) for i in range(150)),
    }
    for category, source in sources.items():
        for listed, pairs in source:
            entities.extend(listed)
            made[category].extend(pairs)
    pairs = list(hand)
    for category, share in SHARES.items():
        want = round(total * share) - sum(1 for p in hand if p["category"] == category)
        positives = [p for p in made[category] if p["match"]]
        negatives = [p for p in made[category] if not p["match"]]
        have_pos = sum(1 for p in hand if p["category"] == category and p["match"])
        have_neg = sum(1 for p in hand if p["category"] == category and not p["match"])
        target_pos = max(0, (want + have_pos + have_neg) // 2 - have_pos)
        pairs.extend(stratified(rng, positives, min(target_pos, len(positives))))
        pairs.extend(stratified(rng, negatives, min(want - target_pos, len(negatives))))
    seen, unique = set(), []
    for p in pairs:  # a query asked twice of one entity counts once
        key = (p["query"], p["entity"], p.get("birth_date"), p.get("country"))
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return entities, unique


def write(directory: Path = DATA, seed: int = SEED) -> tuple[Path, Path]:
    entities, pairs = labelled_set(seed)
    directory.mkdir(parents=True, exist_ok=True)
    listing = directory / "screening_world_entities.ftm.jsonl"
    labelled = directory / "screening_world_pairs.jsonl"
    listing.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entities), encoding="utf-8")
    labelled.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in pairs), encoding="utf-8")
    return listing, labelled


def filler(n: int, seed: int = SEED + 7) -> Iterator[dict]:
    """`n` more listed people and organisations made the same way, for a list of realistic size."""
    rng = random.Random(seed)
    gen, orgs = People(rng), Organisations(rng)
    for i in range(n):
        if rng.random() < 0.8:
            p = gen._make(CULTURES[i % len(CULTURES)])
            p.birth = gen.birth_date() if rng.random() < 0.7 else ""
            yield gen.listing(p, f"wfill-{i:06d}")
        else:
            orgs.used.clear()
            listed, _ = orgs.organisation(i)
            yield {**listed[0], "id": f"wfill-{i:06d}"}


if __name__ == "__main__":
    for path in write():
        print(f"wrote {path} ({sum(1 for _ in path.open(encoding='utf-8')):,} lines)")
    sys.exit(0)
