"""Personal names of the main origin countries, in their own scripts and their usual romanisations.

Two uses: the demo-world generator draws plausible (always generated) people from these lists, and
record linkage needs to know that محمد, Mohammed, Muhammad, Mohamed and Mhd are one name.

* :data:`ORIGINS` — ISO 3166-1 alpha-3 codes with name lists.
* :func:`given_names`, :func:`family_names` — weighted :class:`NameForm` lists per origin.
* :func:`romanise` — the most common Latin spelling of a name written in any script or spelling.
* :func:`name_key` — a script- and transliteration-insensitive key for search and linkage.

The lists are common names, which are not personal data; weights are rough relative frequencies
(from the order of magnitude of common-name rankings, not from any register).

Naming customs matter for linkage: in Eritrea, Ethiopia, Somalia and South Sudan the "family name" is
the father's (and grandfather's) given name, so those lists reuse the male given names; Russian and
Ukrainian adjectival family names change with sex (see :func:`family_name_for`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Literal

from anyascii import anyascii

__all__ = [
    "ORIGINS",
    "NameForm",
    "family_name_for",
    "family_names",
    "given_names",
    "languages_of",
    "name_key",
    "name_key_compact",
    "romanise",
    "script_of",
]

Sex = Literal["F", "M"]


@dataclass(frozen=True, slots=True)
class NameForm:
    """One name in its original script with its usual romanisations (most common first).

    >>> NameForm("محمد", "Arab", ("Mohammed", "Muhammad"), 50.0).romanisations[0]
    'Mohammed'
    """

    original: str
    script: str  # ISO 15924: "Arab", "Ethi", "Cyrl", "Latn"
    romanisations: tuple[str, ...]
    weight: float

    @property
    def latin(self) -> str:
        """The most common Latin spelling."""
        return self.romanisations[0]


# ---------------------------------------------------------------------------------------------------
# Name tables. One entry per line: ``original|romanisation, romanisation, ...|weight`` (weight optional,
# default 1). For Latin-script origins the original is the local spelling (Somali: Maxamed).

_ARABIC_MALE = """
محمد|Mohammed,Muhammad,Mohamed,Mohamad,Mohammad,Muhammed,Mhd,Mohd|60
أحمد|Ahmed,Ahmad,Ahmet|25
علي|Ali,Aly|18
حسن|Hassan,Hasan|12
حسين|Hussein,Hussain,Husein,Hussien|10
محمود|Mahmoud,Mahmood,Mahmud|9
مصطفى|Mustafa,Mostafa,Moustafa|7
عمر|Omar,Umar,Omer|9
خالد|Khaled,Khalid|8
يوسف|Youssef,Yousef,Yusuf,Yousif,Yossef|8
إبراهيم|Ibrahim,Ebrahim,Ibraheem|8
عبد الله|Abdullah,Abdallah,Abdulla,Abd Allah|9
عبد الرحمن|Abdulrahman,Abdelrahman,Abdul Rahman,Abd al-Rahman,Abdurrahman,Abdel Rahman|6
عبد الكريم|Abdulkarim,Abdelkarim,Abdul Karim|3
عبد العزيز|Abdulaziz,Abdelaziz,Abdul Aziz|3
سعيد|Saeed,Said,Saied,Saiid|4
سامي|Sami,Samy|3
كريم|Karim,Kareem|3
حمزة|Hamza,Hamzah|4
بلال|Bilal,Belal|3
طارق|Tarek,Tariq,Tareq|3
زياد|Ziad,Ziyad,Zeyad|3
رامي|Rami,Ramy|2
فادي|Fadi,Fady|2
ماهر|Maher,Mahir|2
مازن|Mazen,Mazin|2
وليد|Walid,Waleed|3
فراس|Firas,Feras|2
أنس|Anas|3
أيمن|Ayman,Aiman|3
باسل|Basel,Basil|2
جمال|Jamal,Gamal|3
حسام|Hussam,Hossam,Husam|2
خليل|Khalil,Khaleel|3
رياض|Riad,Riyad,Riyadh|2
سليمان|Suleiman,Sulaiman,Soliman,Sleiman|3
صالح|Saleh,Salih|3
عادل|Adel,Adil|3
عماد|Imad,Emad|2
عيسى|Issa,Eissa,Isa|2
فيصل|Faisal,Faysal|2
قاسم|Qasim,Kassem,Kasim,Qassem|3
مالك|Malek,Malik|2
مراد|Murad,Mourad|2
نبيل|Nabil,Nabeel|2
هاني|Hani,Hany|2
ياسر|Yasser,Yasir,Yaser|3
يحيى|Yahya,Yehia,Yahia|3
جعفر|Jafar,Jaafar,Jaffar|2
حيدر|Haider,Hayder,Haidar|4
عباس|Abbas|4
كرار|Karrar|2
مهدي|Mahdi,Mehdi|3
مرتضى|Murtada,Mortada,Murtadha|2
عثمان|Osman,Othman,Uthman|3
آدم|Adam,Adem|4
إسماعيل|Ismail,Ismael,Esmail|3
موسى|Musa,Moussa,Mousa|3
هشام|Hisham,Hesham|2
نور الدين|Nour Eddine,Nureddin,Nuruddin,Nour al-Din|1
عمار|Ammar|3
ناصر|Nasser,Nasir,Naser|2
منصور|Mansour,Mansur|2
جابر|Jaber,Jabir|1
الطيب|Eltayeb,Al-Tayeb,Tayeb,Altayeb|2
بشير|Bashir,Basheer|2
الفاتح|Elfatih,Al-Fatih,Fatih|1
معتز|Moataz,Mutaz,Motaz|2
أسامة|Osama,Usama,Oussama|3
مجد|Majd|2
"""

_ARABIC_FEMALE = """
فاطمة|Fatima,Fatma,Fatimah,Fatemah|25
مريم|Maryam,Mariam,Miriam|15
عائشة|Aisha,Aysha,Aicha,Aishah|8
زينب|Zainab,Zaynab,Zeinab|12
خديجة|Khadija,Khadijah,Khadidja|7
نور|Nour,Noor,Nur|10
سارة|Sara,Sarah|8
ليلى|Layla,Leila,Laila,Leyla|6
هبة|Heba,Hiba|5
رنا|Rana|3
رشا|Rasha|3
سلمى|Salma|4
آمنة|Amina,Aminah,Amna|6
أسماء|Asmaa,Asma|4
آية|Aya,Ayah|5
دعاء|Doaa,Duaa,Dua|4
إيمان|Iman,Eman|4
ياسمين|Yasmin,Yasmeen,Jasmin|4
رغد|Raghad|3
جنى|Jana|4
لينا|Lina,Leena|3
ريم|Reem,Rim|3
هدى|Huda,Hoda|4
منى|Mona,Muna|4
سعاد|Souad,Suad|3
نادية|Nadia,Nadiya|3
سميرة|Samira,Sameera|3
حليمة|Halima,Halimah|3
رقية|Ruqaya,Roqaya,Ruqayya,Rukiya|3
شيماء|Shaimaa,Shaima,Shayma|2
ولاء|Walaa,Wala|2
إسراء|Israa,Esraa,Isra|3
بتول|Batoul,Batool|2
زهراء|Zahraa,Zahra|4
غادة|Ghada|2
هالة|Hala|2
ديما|Dima|2
رهف|Rahaf|3
لمى|Lama|2
تسنيم|Tasnim,Tasneem|2
حنان|Hanan|3
نسرين|Nisreen,Nesrine,Nasrin|2
وفاء|Wafaa,Wafa|2
سهام|Siham,Seham|2
أمل|Amal|3
كوثر|Kawthar,Kawther,Kausar|2
صفاء|Safaa,Safa|2
مها|Maha|2
ملك|Malak|3
هند|Hind|2
رحمة|Rahma,Rahmah|2
نجلاء|Najlaa,Naglaa,Najla|1
عفاف|Afaf|1
سلوى|Salwa|2
إخلاص|Ikhlas,Ekhlas|1
انتصار|Intisar,Entesar,Intissar|1
أميرة|Amira,Ameera|3
بشرى|Bushra,Boushra|2
شهد|Shahad|3
جميلة|Jamila,Gamila,Jameela|2
سندس|Sundus,Sondos|2
"""

_SYRIA_FAMILY = """
الأحمد|Al-Ahmad,Alahmad,Al Ahmed,Al-Ahmed|6
الحسن|Al-Hassan,Alhassan,El Hassan|4
العلي|Al-Ali,Alali,Al Ali|5
الخطيب|Al-Khatib,Alkhatib,El Khatib|4
الحمد|Al-Hamad,Alhamad|3
الشامي|Al-Shami,Alshami,El Chami|2
المصري|Al-Masri,Almasri,El Masry|3
الحلبي|Al-Halabi,Halabi|2
الحسين|Al-Hussein,Alhussein,Al-Husein|4
العبدالله|Al-Abdullah,Alabdallah,Al-Abdallah|4
الزعبي|Al-Zoubi,Alzoubi,Al Zubi|3
الخليل|Al-Khalil,Alkhalil|2
حداد|Haddad,Hadad|3
النجار|Al-Najjar,Najjar,Alnajjar|3
العمر|Al-Omar,Alomar,Al Omar|3
المحمد|Al-Mohammad,Almohammad,Al-Mohamed|5
الإبراهيم|Al-Ibrahim,Alibrahim|3
الصالح|Al-Saleh,Alsaleh|2
الحمصي|Al-Homsi,Homsi|2
الدمشقي|Al-Dimashqi,Dimashki|1
الحوراني|Al-Hourani,Hourani|2
الكردي|Al-Kurdi,Kurdi,Alkurdi|3
قباني|Kabbani,Qabbani|1
شحادة|Shehadeh,Shehada,Chehade|2
درويش|Darwish,Darwiche|2
مراد|Mourad,Murad|2
قاسم|Kassem,Qasem,Kasem|2
سليمان|Suleiman,Sleiman,Soliman|2
الأسعد|Al-Asaad,Alasaad,Al-Assad|2
العيسى|Al-Issa,Alissa|2
الحسيني|Al-Husseini,Husseini|1
الرفاعي|Al-Rifai,Rifai,Alrifai|2
الشيخ|Al-Sheikh,Alsheikh,El Sheikh|3
الحاج|Al-Hajj,Alhaj,El Hajj|2
الجاسم|Al-Jasem,Aljasem,Al-Jassim|2
الموسى|Al-Mousa,Almousa,Al-Musa|2
العثمان|Al-Othman,Alothman|2
الحريري|Al-Hariri,Hariri|2
الحمود|Al-Hamoud,Alhamoud|2
الخضر|Al-Khedr,Alkhedr,Al-Khidr|2
"""

_IRAQ_FAMILY = """
الجبوري|Al-Jubouri,Aljuboori,Al-Jubori,Al-Juburi|6
الدليمي|Al-Dulaimi,Aldulaimi,Al-Dulaymi|5
التميمي|Al-Tamimi,Altamimi|5
العبيدي|Al-Obaidi,Al-Ubaidi,Alobaidi|4
الشمري|Al-Shammari,Alshamari,Al-Shamari|4
الربيعي|Al-Rubaie,Alrubaye,Al-Rubaiee|3
الساعدي|Al-Saadi,Alsaadi,Al-Sa'adi|3
الكعبي|Al-Kaabi,Alkaabi|2
الموسوي|Al-Musawi,Al-Mousawi,Almusawi|3
الحسيني|Al-Husseini,Alhusseini,Al-Husaini|2
الزبيدي|Al-Zubaidi,Alzubaidi|3
الجنابي|Al-Janabi,Aljanabi|3
العزاوي|Al-Azzawi,Alazawi,Al-Azawi|3
الكردي|Al-Kurdi,Kurdi|2
البياتي|Al-Bayati,Albayati|2
الخفاجي|Al-Khafaji,Alkhafaji|2
العامري|Al-Amiri,Alamiri,Al-Ameri|2
الحمداني|Al-Hamdani,Alhamdani|2
السامرائي|Al-Samarrai,Alsamarraie|2
البغدادي|Al-Baghdadi,Albaghdadi|2
الأنصاري|Al-Ansari,Alansari|1
الياسري|Al-Yasiri,Alyasiri|1
اللامي|Al-Lami,Allami|2
المالكي|Al-Maliki,Almaliki|2
الطائي|Al-Taie,Altaee,Al-Tai|2
الحلي|Al-Hilli,Alhilli|1
النعيمي|Al-Nuaimi,Alnuaimi,Al-Noaimi|2
العنزي|Al-Anzi,Alanzi,Al-Enezi|2
الفتلاوي|Al-Fatlawi,Alfatlawi|1
"""

_SUDAN_FAMILY = """
الأمين|Elamin,Al-Amin,El Amin|3
بابكر|Babiker,Babikir,Babakr|3
إدريس|Idris,Idriss,Edris|4
يعقوب|Yagoub,Yacoub,Yaqub|3
هارون|Haroun,Harun,Haroon|3
النور|Elnour,Al-Nour,El Nour|3
الفكي|Elfaki,Al-Faki,El Fakki|2
ميرغني|Mirghani,Merghani|2
عبد الرحيم|Abdelrahim,Abdulrahim,Abdel Rahim|2
عبد الله|Abdalla,Abdallah,Abdullah|5
حامد|Hamid,Hamed|3
الحاج|Elhaj,Alhaj,El Hag|2
الصديق|Elsiddig,Al-Siddiq,Siddig|2
الزين|Elzein,Alzain,El Zain|2
عوض|Awad,Awadh|3
الشيخ|Elsheikh,El Sheikh|2
ابكر|Abakar,Abaker|3
دود|Daoud,Dawood|2
جبريل|Jibril,Gibril,Jebril|2
تاج الدين|Tajeldin,Tag Eldin,Tajuddin|2
"""

_PERSIAN_MALE = """
محمد|Mohammad,Mohammed,Muhammad,Mohamad,Mohd|40
علی|Ali|20
حسین|Hossein,Hussain,Husain,Hussein|12
رضا|Reza,Raza|10
مهدی|Mehdi,Mahdi|8
احمد|Ahmad,Ahmed|12
محمود|Mahmood,Mahmoud,Mahmud|6
حسن|Hassan,Hasan|6
امیر|Amir,Ameer|6
عباس|Abbas|5
جواد|Javad,Jawad|4
حمید|Hamid,Hameed|5
سعید|Saeed,Said,Saeid|5
مجید|Majid,Majeed|4
مسعود|Masoud,Massoud,Masood,Masud|4
رحیم|Rahim,Raheem|3
کریم|Karim,Kareem|3
عبدالله|Abdullah,Abdollah,Abdulla|5
عبدالرحمن|Abdul Rahman,Abdulrahman,Abdurrahman|3
نجیب|Najib,Najeeb|3
ذبیح‌الله|Zabihullah,Zabiullah,Zabihollah|3
حبیب‌الله|Habibullah,Habibollah|3
سمیع‌الله|Samiullah,Sami Ullah|3
رحمت‌الله|Rahmatullah,Rahmatollah|3
عزیز|Aziz,Azeez|3
فرید|Farid,Fareed|3
جمشید|Jamshid,Jamsheed|2
فرهاد|Farhad|3
بهرام|Bahram|2
داود|Dawood,Davood,Daud,Dawud|3
یوسف|Yousuf,Yousef,Yusuf|4
ابراهیم|Ebrahim,Ibrahim|4
اسماعیل|Esmail,Ismail,Esmaeil|3
نصیر|Nasir,Naseer|3
بشیر|Bashir,Basheer|3
منصور|Mansoor,Mansour,Mansur|3
شفیق|Shafiq,Shafeeq|2
رفیع|Rafi,Rafee|2
قادر|Qadir,Ghader,Kadir|2
ظاهر|Zahir,Zaher|2
طاهر|Tahir,Taher|2
وحید|Vahid,Wahid,Waheed|3
امید|Omid,Umid|4
آرش|Arash|3
علیرضا|Alireza,Ali Reza|5
محمدرضا|Mohammadreza,Mohammad Reza|4
مرتضی|Morteza,Murtaza|4
مصطفی|Mostafa,Mustafa|4
حامد|Hamed|3
میلاد|Milad|3
سجاد|Sajjad,Sajad|3
بابک|Babak|2
کامران|Kamran|2
مهران|Mehran|2
سینا|Sina|2
یاسین|Yasin,Yaseen|2
هادی|Hadi|3
اکبر|Akbar|2
اصغر|Asghar|2
ولی|Wali,Vali|2
زلمی|Zalmai,Zalmay|2
ایمل|Aimal,Emal|2
میرویس|Mirwais,Mir Wais|2
گلاب|Gulab|1
شریف|Sharif,Sharef|2
"""

_PERSIAN_FEMALE = """
فاطمه|Fatemeh,Fatima,Fatemah,Fatimah|20
زهرا|Zahra,Zohra|15
مریم|Maryam,Mariam|12
معصومه|Masoumeh,Masuma,Masooma|6
زینب|Zeinab,Zainab|6
سکینه|Sakineh,Sakina|4
لیلا|Leila,Layla,Laila|4
نرگس|Narges,Nargis|4
شبنم|Shabnam|4
فرشته|Fereshteh,Farishta|4
مینا|Mina|3
نازنین|Nazanin|3
پروین|Parvin,Parwin|3
شیرین|Shirin,Sherin|3
سمیرا|Samira|3
نیلوفر|Niloofar,Nilufar,Nilofar|3
مژگان|Mozhgan,Muzhgan,Mojgan|2
گلالی|Gulalai,Gulalay|2
ملالی|Malalai,Malalay|2
ملاله|Malala|2
زرغونه|Zarghona,Zarghuna|2
شکیلا|Shakila,Shakeela|2
فریبا|Fariba|3
فرزانه|Farzaneh,Farzana|3
رویا|Roya|3
سارا|Sara,Sarah|3
آرزو|Arezoo,Arezu,Arzu|3
هما|Homa,Huma|2
طاهره|Tahereh,Tahira|2
ناهید|Nahid,Naheed|3
عاطفه|Atefeh,Atifa|2
الهام|Elham|3
مهسا|Mahsa|2
نسرین|Nasrin,Nasreen|3
نگین|Negin|2
پریسا|Parisa|2
ستاره|Setareh,Sitara|3
ثریا|Soraya,Suraya|2
بهار|Bahar|2
گلناز|Golnaz,Gulnaz|2
صدیقه|Sediqeh,Sadiqa,Sediqa|2
حلیمه|Halimeh,Halima|2
رحیمه|Rahima,Rahimeh|2
کریمه|Karima,Karimeh|2
خدیجه|Khadijeh,Khadija|3
عایشه|Aisha,Ayesha|2
نوریه|Nooria,Nuria|2
شگوفه|Shogofa,Shukufa,Shagufa|2
بی‌بی|Bibi|2
گل‌بی‌بی|Gul Bibi,Gulbibi|2
مرضیه|Marzieh,Marzia|3
ریحانه|Reyhaneh,Rehana,Raihana|2
سمانه|Samaneh,Samana|2
کبری|Kobra,Kubra|2
صغری|Soghra,Sughra|2
هاجر|Hajar,Hajer|2
طیبه|Tayebeh,Tayyaba|2
زلیخا|Zulaikha,Zoleikha|1
"""

_AFGHANISTAN_FAMILY = """
احمدزی|Ahmadzai,Ahmadzay|4
پوپلزی|Popalzai,Popalzay|2
درانی|Durrani,Durani|2
بارکزی|Barakzai,Barakzay|2
نورزی|Noorzai,Nurzai|2
سلطانی|Sultani,Soltani|3
حکیمی|Hakimi|3
صافی|Safi|3
هاشمی|Hashimi,Hashemi|3
سادات|Sadat|4
وردک|Wardak|3
ستانکزی|Stanekzai,Stanikzai|2
یوسفزی|Yousafzai,Yusufzai,Yousufzai|2
خان|Khan|5
هوتک|Hotak|2
نیازی|Niazi|2
جلالی|Jalali|2
عزیزی|Azizi|3
حبیبی|Habibi|3
حمیدی|Hamidi|3
صمدی|Samadi|2
فیضی|Faizi,Feizi|2
قادری|Qaderi,Qadiri|2
رسولی|Rasuli,Rasouli|2
رحمانی|Rahmani|3
شریفی|Sharifi|3
ناصری|Naseri,Nasiri|2
منگل|Mangal|2
زدران|Zadran|2
کاکړ|Kakar|2
اڅکزی|Achakzai,Achekzai|2
علکوزی|Alokozai,Alkozai|2
احمدی|Ahmadi|5
محمدی|Mohammadi,Muhammadi|6
حیدری|Haidari,Heidari|4
رحیمی|Rahimi|4
کریمی|Karimi|4
نوری|Noori,Nouri|3
امیری|Amiri|3
جعفری|Jafari,Jafary|3
حسینی|Hussaini,Hosseini,Husseini|4
رضایی|Rezaie,Rezaei,Rezai|3
یعقوبی|Yaqubi,Yaghoubi|2
نظری|Nazari|2
عثمانی|Usmani,Osmani|2
فاروقی|Farooqi,Faruqi|2
کوهستانی|Kohistani|1
پنجشیری|Panjshiri|1
بدخشی|Badakhshi|1
هراتی|Herati|1
کابلی|Kabuli|1
شینواری|Shinwari|2
مومند|Mohmand,Momand|2
افریدی|Afridi|1
اندړ|Andar|1
غلزی|Ghilzai,Ghalzai|1
مجددی|Mojaddedi,Mujaddidi|1
قاسمی|Qasimi,Ghasemi|2
ابراهیمی|Ibrahimi,Ebrahimi|2
موسوی|Musawi,Mousavi|2
"""

_IRAN_FAMILY = """
محمدی|Mohammadi|8
احمدی|Ahmadi|7
حسینی|Hosseini,Husseini|7
رضایی|Rezaei,Rezaie,Rezai|6
موسوی|Mousavi,Musavi,Moosavi|6
کریمی|Karimi|5
جعفری|Jafari,Jafary|5
رحیمی|Rahimi|4
هاشمی|Hashemi|4
قاسمی|Ghasemi,Qasemi|4
صادقی|Sadeghi,Sadeqi|4
عباسی|Abbasi|4
حیدری|Heidari,Haidari|4
نوری|Nouri,Noori|3
اکبری|Akbari|3
کاظمی|Kazemi|3
امیری|Amiri|3
سلیمانی|Soleimani,Sulaimani|3
یوسفی|Yousefi,Yusufi|3
مرادی|Moradi,Muradi|3
نظری|Nazari|3
حسن‌زاده|Hassanzadeh,Hasanzadeh|2
علیزاده|Alizadeh|3
ابراهیمی|Ebrahimi,Ibrahimi|3
اسماعیلی|Esmaeili,Esmaili|2
رستمی|Rostami|2
شریفی|Sharifi|2
طاهری|Taheri|2
ملکی|Maleki|2
نجفی|Najafi|2
فرهادی|Farhadi|2
بهرامی|Bahrami|2
کرمی|Karami|2
نیک‌نام|Niknam|1
زارعی|Zarei,Zareie|3
قربانی|Ghorbani,Qorbani|3
رحمانی|Rahmani|2
باقری|Bagheri,Baqeri|3
شیرازی|Shirazi|1
تهرانی|Tehrani|1
اصفهانی|Esfahani,Isfahani|1
خسروی|Khosravi|2
سبحانی|Sobhani|1
رنجبر|Ranjbar|2
عزیزی|Azizi|2
جلالی|Jalali|2
کامرانی|Kamrani|1
نادری|Naderi|2
مختاری|Mokhtari|2
پورمحمدی|Pourmohammadi|1
صالحی|Salehi|2
یزدانی|Yazdani|1
شجاعی|Shojaei,Shojaie|1
افشار|Afshar|1
فتحی|Fathi|1
دهقان|Dehghan,Dehqan|2
کوهی|Kouhi|1
میرزایی|Mirzaei,Mirzaie|2
عسگری|Asgari,Askari|2
خانی|Khani|1
"""

_GEEZ_MALE = """
ዮሃንስ|Yohannes,Yohanes,Johannes|6
ተስፋዬ|Tesfaye,Tesfay|6
ሃይለ|Haile,Hayle|4
ሙሉጌታ|Mulugeta|4
ገብረመድህን|Gebremedhin,Gebre Medhin,Ghebremedhin|4
ገብረሂወት|Gebrehiwet,Ghebrehiwet|3
ገብረእግዚአብሔር|Gebregziabher,Gebre Egziabher,Gebregziabiher|3
ተወልደ|Tewolde,Tewelde|3
ኪዳነ|Kidane|3
ብርሃነ|Berhane,Birhane,Berahne|4
ሰለሞን|Solomon,Selomon|5
ዳዊት|Dawit|5
ኤርሚያስ|Ermias,Ermiyas|3
ሚካኤል|Michael,Mikael,Mikiel|4
ዳንኤል|Daniel|4
ሳሙኤል|Samuel|3
ፍሰሃ|Fisseha,Fsaha,Fesaha|3
ሃብቶም|Habtom|3
ተክለ|Tekle,Teklay|3
መሓሪ|Mehari,Mehary|3
ኣወት|Awet|3
ሄኖክ|Henok,Henock|3
ናትናኤል|Natnael,Nathnael|3
ቢንያም|Biniam,Biniyam,Binyam|3
ፍሊሞን|Filmon,Filimon|3
የማነ|Yemane|3
ኣማኑኤል|Amanuel,Emmanuel|3
ጸጋይ|Tsegay,Tsegai|3
ሙሴ|Musie,Muse|2
ኣብርሃም|Abraham,Abrham|3
ይስሓቅ|Yisak,Yishak,Isaac|2
ተመስገን|Temesgen|3
ግርማ|Girma|3
አበበ|Abebe|4
ታደሰ|Tadesse,Tadese|4
ደረጀ|Dereje|3
በቀለ|Bekele|4
ከበደ|Kebede|4
አለሙ|Alemu|4
ሽፈራው|Shiferaw|2
ወንድሙ|Wondimu,Wendimu|2
ጌታቸው|Getachew|4
ብርሃኑ|Birhanu,Berhanu|4
ሰይፉ|Seifu,Seyfu|2
ኃይሉ|Hailu,Haylu|3
መንግስቱ|Mengistu,Mengestu|2
ዮናስ|Yonas,Jonas|4
ሮቤል|Robel|3
ኪሩቤል|Kirubel|2
ናሆም|Nahom|3
ያሬድ|Yared|3
እዮብ|Eyob,Iyob|3
ቴዎድሮስ|Tewodros,Tewodroes|2
አሸናፊ|Ashenafi|2
ፀጋዬ|Tsegaye,Tsegaie|3
ብሩክ|Biruk,Bruk|3
ዘርአይ|Zerai,Zeray|2
ክብሮም|Kibrom,Kbrom|3
መርሃዊ|Merhawi|2
ወልደ|Welde,Wolde|3
ገብረ|Gebre,Ghebre|4
"""

_GEEZ_FEMALE = """
ሰላም|Selam|5
ሳባ|Saba|4
ሄለን|Helen|4
ሊድያ|Lidya,Lydia|3
ትርሓስ|Tirhas,Terhas|3
ሰናይት|Senait,Senayt|3
ፊዮሪ|Fiori,Fyori|3
ዮርዳኖስ|Yordanos|3
ብርክቲ|Birikti,Berikti,Brikti|3
አበባ|Abeba|3
አስቴር|Aster|4
ማርታ|Marta,Martha|3
ሩት|Ruth,Rut|3
ሳራ|Sara,Sarah|3
ቤተልሄም|Betelhem,Bethlehem|4
ሃና|Hana,Hanna|4
ማርያም|Mariam,Maryam|4
ኤልሳ|Elsa|3
ሰብለ|Seble|3
ትግስት|Tigist,Tigst|4
መሰረት|Meseret|3
ፅጌ|Tsige|2
ዘውዲቱ|Zewditu|2
አልማዝ|Almaz|3
መቅደስ|Mekdes|4
ሕይወት|Hiwot,Heywet|4
ፍቅርተ|Fikirte,Fkirte|2
ብርቱካን|Birtukan,Birtukanh|2
ወይንሸት|Weynshet,Woinshet|2
ሰሚራ|Semira|2
ራሄል|Rahel,Rachel|3
ኤደን|Eden|3
ሜሮን|Meron|3
ዳናይት|Danait|2
ሉላ|Lula|2
ሳምራዊት|Samrawit|2
ፅዮን|Tsion,Zion|2
ኤፍራታ|Efrata,Ephrata|2
ደስታ|Desta|2
ነጻነት|Netsanet|2
አዜብ|Azeb|2
ፀሐይ|Tsehay,Tsehai|2
ጽጌረዳ|Tsigereda|1
ሙሉ|Mulu|2
ኣኽበረት|Akberet|2
ለምለም|Lemlem|2
ፌቨን|Feven,Fiven|3
ሃዊ|Hawi|1
ብሌን|Bilen,Blen|2
ቅድስት|Kidist,Qidist|3
ዮዲት|Yodit,Judith|2
ገነት|Genet|3
ሮማን|Roman|2
ትዕግስት|Tigist,Tegist|2
ህሊና|Hilina|2
ብሩክታዊት|Bruktawit,Biruktawit|2
ፋሲካ|Fasika|1
እመቤት|Emebet|2
ምህረት|Mihret,Mehret|2
ሰናይ|Senay|2
"""

_SOMALI_MALE = """
Maxamed|Mohamed,Mohammed,Mohamad,Muhammad|40
Axmed|Ahmed,Ahmad|15
Cabdi|Abdi|10
Cali|Ali|12
Xasan|Hassan,Hasan|8
Xuseen|Hussein,Husein,Xuseen|6
Cumar|Omar,Umar|8
Yuusuf|Yusuf,Yousuf,Yusuf|6
Ibraahim|Ibrahim|6
Maxamuud|Mohamud,Mahmoud,Mohamoud|8
Cabdullaahi|Abdullahi,Abdullah|8
Cabdiraxmaan|Abdirahman,Abdurahman,Abdulrahman|6
Cabdulqaadir|Abdulkadir,Abdikadir,Abdulqadir|4
Cismaan|Osman,Ismaan|6
Aadan|Adan,Aden,Adam|6
Faarax|Farah|6
Jaamac|Jama,Jamac|5
Warsame|Warsame|3
Nuur|Nur,Noor|5
Muuse|Musa,Muse|4
Siciid|Said,Saeed|4
Shariif|Sharif|3
Khaliif|Khalif|2
Ismaaciil|Ismail,Ismael|4
Bashiir|Bashir|3
Xamza|Hamza|3
Guuleed|Guled|3
Mahad|Mahad|3
Liibaan|Liban|3
Bile|Bile|2
Cabdisalaan|Abdisalam,Abdisalan|3
Cabdiwali|Abdiwali|3
Cabdinaasir|Abdinasir,Abdinaser|3
Ayaanle|Ayanle|2
Daahir|Dahir,Daher|3
Xirsi|Hirsi|3
Xaaji|Haji,Hajji|2
Yaasiin|Yasin,Yassin|3
Mustafe|Mustafa|3
Shire|Shire|2
Ducaale|Duale|2
Jibriil|Jibril|2
Samatar|Samatar|2
Cawil|Awil,Awale|2
Mukhtaar|Mukhtar|2
Geedi|Gedi|2
Raage|Rage|2
Cilmi|Elmi,Ilmi|3
Saahil|Sahal,Sahil|2
Abshir|Abshir|2
Qaasim|Kassim,Qasim|2
Sharmaarke|Sharmarke|1
Xaashi|Hashi|2
Gaas|Gas|1
Cigaal|Egal,Igal|2
Aw-Cali|Aw Ali|1
Dayib|Dayib|1
Caydiid|Aidid|1
Carte|Arte|1
Cabdiqani|Abdigani,Abdiqani|2
Cabdiraxiim|Abdirahim|2
"""

_SOMALI_FEMALE = """
Faadumo|Fadumo,Fatuma,Fatima|20
Maryan|Maryam,Mariam,Maryan|10
Caasha|Asha,Aisha|8
Xaliimo|Halima,Halimo|6
Hodan|Hodan|5
Sahra|Sahra,Zahra|5
Aamina|Amina,Aminah|8
Khadiija|Khadija,Hadija|6
Ifrah|Ifrah,Ifra|4
Nimco|Nimo,Nimco|4
Hibo|Hibo|3
Ubax|Ubah|3
Xaawo|Hawa,Hawo|6
Sucaad|Suad,Suaad|3
Deeqa|Deka,Deeqa|4
Ruun|Run|2
Ayaan|Ayan|4
Fardowsa|Fardosa,Firdaus|3
Ilhaan|Ilhan|3
Naciimo|Naima,Naimo|3
Safiyo|Safiya,Safia|3
Xamdi|Hamdi|3
Sagal|Sagal|3
Shukri|Shukri|3
Muna|Muna|3
Nasteexo|Nasteho|2
Ladan|Ladan|2
Idil|Idil|2
Istar|Istar|2
Filsan|Filsan|2
Leyla|Leila,Layla|3
Saynab|Zeinab,Zainab|3
Najmo|Najma,Najmo|2
Fowsiya|Fawzia,Fowsia|3
Sacdiya|Sadia,Sadiya|3
Raxma|Rahma|3
Hani|Hani|2
Aniisa|Anisa|2
Nuura|Nura,Noora|2
Ruqiya|Rukia,Ruqiya|3
Sumaya|Sumaya,Sumaiya|3
Qamar|Kamar,Qamar|2
Barni|Barni|1
Maano|Mano|1
Asli|Asli|2
Cawo|Awo|2
Kaltuun|Kaltun,Kaltum|2
Jamiila|Jamila|2
Hawa|Hawa|3
Yasmiin|Yasmin|2
Siham|Siham|2
Shamso|Shamsa,Shamso|2
Ugbaad|Ugbad|1
Canab|Anab|2
Xaddi|Hadi|1
Dahabo|Dahabo|1
Bishaaro|Bisharo|2
Ikraan|Ikran|2
Hinda|Hinda|1
Luul|Lul|2
"""

_UKRAINIAN_MALE = """
Олександр|Oleksandr,Olexandr,Alexander,Oleksander|10
Андрій|Andrii,Andriy,Andrey|8
Сергій|Serhii,Serhiy,Sergii,Sergey|8
Володимир|Volodymyr,Vladimir|7
Дмитро|Dmytro,Dmitro|7
Іван|Ivan|6
Михайло|Mykhailo,Mykhaylo,Mikhail|6
Юрій|Yurii,Yuriy,Yuri|5
Микола|Mykola,Nikolai|5
Олег|Oleh,Oleg|4
Віктор|Viktor,Victor|4
Василь|Vasyl,Vasil|4
Петро|Petro|3
Павло|Pavlo|3
Богдан|Bohdan,Bogdan|4
Тарас|Taras|3
Максим|Maksym,Maxim,Maksim|6
Артем|Artem,Artyom|5
Денис|Denys,Denis|4
Ігор|Ihor,Igor|4
Роман|Roman|4
Євген|Yevhen,Ievgen,Evgen|4
Віталій|Vitalii,Vitaliy|3
Анатолій|Anatolii,Anatoliy|2
Валерій|Valerii,Valeriy|2
Владислав|Vladyslav,Vladislav|4
Ярослав|Yaroslav|3
Станіслав|Stanislav|2
Назар|Nazar|3
Остап|Ostap|2
Кирило|Kyrylo,Kirill|3
Антон|Anton|3
Григорій|Hryhorii,Grigory|2
Степан|Stepan|2
Федір|Fedir,Fedor|2
Олексій|Oleksii,Oleksiy,Alexey|4
Тимофій|Tymofii,Timofey|3
Матвій|Matvii,Matviy,Matvey|3
Данило|Danylo,Danilo|3
Руслан|Ruslan|3
Вадим|Vadym,Vadim|2
Костянтин|Kostiantyn,Kostyantyn,Konstantin|3
Леонід|Leonid|2
Борис|Borys,Boris|2
Георгій|Heorhii,Georgiy|2
Святослав|Sviatoslav,Svyatoslav|2
Орест|Orest|1
Любомир|Liubomyr,Lubomyr|1
Ростислав|Rostyslav,Rostislav|2
Арсеній|Arsenii,Arseniy|2
Марко|Marko|2
Давид|Davyd,David|2
Ілля|Illia,Ilya,Illya|3
Вʼячеслав|Viacheslav,Vyacheslav|2
Геннадій|Hennadii,Gennadiy|2
Едуард|Eduard|1
Семен|Semen,Semyon|1
Тимур|Tymur,Timur|2
Зиновій|Zynovii,Zinoviy|1
Ярема|Yarema|1
"""

_UKRAINIAN_FEMALE = """
Олена|Olena,Elena|8
Наталія|Nataliia,Natalia,Natalya|7
Тетяна|Tetiana,Tetyana,Tatiana|7
Оксана|Oksana|6
Юлія|Yuliia,Yulia,Julia,Yuliya|6
Ірина|Iryna,Irina|6
Світлана|Svitlana,Svetlana|5
Анна|Anna|5
Ганна|Hanna,Ganna|3
Марія|Mariia,Maria,Mariya|5
Катерина|Kateryna,Ekaterina|5
Людмила|Liudmyla,Lyudmila,Ludmila|4
Ольга|Olha,Olga|5
Галина|Halyna,Galina|3
Надія|Nadiia,Nadia,Nadiya|3
Вікторія|Viktoriia,Victoria,Viktoriya|5
Анастасія|Anastasiia,Anastasia,Anastasiya|5
Дарина|Daryna,Darina|4
Софія|Sofiia,Sofia,Sofiya|5
Валентина|Valentyna,Valentina|3
Лариса|Larysa,Larisa|2
Алла|Alla|2
Інна|Inna|2
Віра|Vira,Vera|2
Любов|Liubov,Lyubov|2
Христина|Khrystyna,Kristina|3
Соломія|Solomiia,Solomiya|3
Яна|Yana|3
Діана|Diana|3
Аліна|Alina|3
Поліна|Polina|3
Вероніка|Veronika|3
Ксенія|Kseniia,Ksenia|2
Лілія|Liliia,Lilia,Liliya|2
Мирослава|Myroslava,Miroslava|2
Богдана|Bohdana,Bogdana|2
Зоряна|Zoriana,Zoryana|1
Уляна|Uliana,Ulyana|2
Антоніна|Antonina|1
Ніна|Nina|2
Раїса|Raisa|1
Лідія|Lidiia,Lidia|1
Зоя|Zoia,Zoya|1
Майя|Maiia,Maya|1
Василина|Vasylyna,Vasilina|1
Євгенія|Yevheniia,Evgenia|2
Олександра|Oleksandra,Alexandra|3
Єлизавета|Yelyzaveta,Elizaveta|2
Маргарита|Marharyta,Margarita|2
Карина|Karyna,Karina|2
Влада|Vlada|2
Кіра|Kira|1
Аріна|Aryna,Arina|2
Мілана|Milana|2
Злата|Zlata|2
Віталіна|Vitalina|1
Таїсія|Taisiia,Taisiya|1
Еліна|Elina|1
Емілія|Emiliia,Emilia|2
Марина|Maryna,Marina|3
"""

_UKRAINIAN_FAMILY = """
Шевченко|Shevchenko|8
Коваленко|Kovalenko|7
Бондаренко|Bondarenko|7
Ткаченко|Tkachenko|6
Кравченко|Kravchenko|6
Олійник|Oliinyk,Oliynyk,Oleynik|5
Шевчук|Shevchuk|5
Коваль|Koval|5
Поліщук|Polishchuk,Polischuk|4
Бойко|Boiko,Boyko|5
Ткачук|Tkachuk|4
Мельник|Melnyk,Melnik|6
Марченко|Marchenko|4
Лисенко|Lysenko,Lisenko|4
Руденко|Rudenko|4
Савченко|Savchenko|4
Петренко|Petrenko|4
Мороз|Moroz|4
Кравчук|Kravchuk|4
Павленко|Pavlenko|3
Клименко|Klymenko,Klimenko|3
Кузьменко|Kuzmenko|3
Левченко|Levchenko|3
Харченко|Kharchenko|3
Карпенко|Karpenko|3
Гончаренко|Honcharenko,Goncharenko|3
Пономаренко|Ponomarenko|3
Савчук|Savchuk|3
Литвиненко|Lytvynenko,Litvinenko|3
Романенко|Romanenko|3
Мазур|Mazur|3
Козак|Kozak|3
Ковальчук|Kovalchuk|4
Павлюк|Pavliuk,Pavlyuk|2
Гнатюк|Hnatiuk,Hnatyuk|2
Іваненко|Ivanenko|3
Василенко|Vasylenko,Vasilenko|3
Приходько|Prykhodko,Prihodko|2
Білик|Bilyk,Bilik|2
Кушнір|Kushnir|2
Грищенко|Hryshchenko,Grishchenko|2
Остапенко|Ostapenko|2
Захарченко|Zakharchenko|2
Тарасенко|Tarasenko|2
Мартинюк|Martyniuk,Martynyuk|2
Зінченко|Zinchenko|2
Сидоренко|Sydorenko,Sidorenko|2
Дмитренко|Dmytrenko,Dmitrenko|2
Бабенко|Babenko|2
Гаврилюк|Havryliuk,Gavrilyuk|2
Костенко|Kostenko|2
Нестеренко|Nesterenko|2
Кириленко|Kyrylenko,Kirilenko|2
Федоренко|Fedorenko|2
Антоненко|Antonenko|2
Яковенко|Yakovenko|2
Пилипенко|Pylypenko,Pilipenko|2
Демченко|Demchenko|2
Осадчий|Osadchyi,Osadchy|1
Волошин|Voloshyn,Voloshin|2
Хмельницький|Khmelnytskyi,Khmelnitsky|1
Ковальський|Kovalskyi,Kovalsky|1
"""

_RUSSIAN_MALE = """
Александр|Aleksandr,Alexander,Alexandr|10
Сергей|Sergey,Sergei|8
Дмитрий|Dmitry,Dmitrii,Dmitriy|8
Андрей|Andrey,Andrei|7
Алексей|Alexey,Aleksei,Aleksey|7
Максим|Maxim,Maksim|6
Евгений|Evgeny,Evgenii,Yevgeny|5
Иван|Ivan|6
Михаил|Mikhail,Mihail|6
Артём|Artyom,Artem|5
Николай|Nikolai,Nikolay|5
Владимир|Vladimir|6
Павел|Pavel|4
Роман|Roman|4
Денис|Denis|4
Игорь|Igor|4
Антон|Anton|3
Олег|Oleg|4
Кирилл|Kirill|4
Илья|Ilya,Ilia|4
Никита|Nikita|4
Юрий|Yury,Yuri,Yuriy|4
Виктор|Viktor,Victor|4
Вадим|Vadim|2
Владислав|Vladislav|3
Константин|Konstantin|3
Егор|Egor,Yegor|3
Тимур|Timur|2
Руслан|Ruslan|3
Георгий|Georgy,Georgii|2
Григорий|Grigory,Grigorii|2
Борис|Boris|2
Василий|Vasily,Vasilii|3
Пётр|Pyotr,Petr|2
Фёдор|Fyodor,Fedor|2
Степан|Stepan|2
Леонид|Leonid|2
Анатолий|Anatoly,Anatolii|2
Валерий|Valery,Valerii|2
Геннадий|Gennady,Gennadii|2
Вячеслав|Vyacheslav|2
Станислав|Stanislav|2
Ярослав|Yaroslav|2
Матвей|Matvey,Matvei|3
Тимофей|Timofey,Timofei|2
Даниил|Daniil|3
Арсений|Arseny,Arsenii|2
Глеб|Gleb|2
Лев|Lev|2
Марк|Mark|2
Семён|Semyon,Semen|1
Аркадий|Arkady,Arkadii|1
Эдуард|Eduard|1
Ростислав|Rostislav|1
Всеволод|Vsevolod|1
Давид|David|2
Филипп|Filipp,Philipp|2
Савелий|Saveliy,Savely|1
Захар|Zakhar|2
Богдан|Bogdan|2
"""

_RUSSIAN_FEMALE = """
Анна|Anna|7
Мария|Maria,Mariya|7
Елена|Elena,Yelena|7
Ольга|Olga|6
Наталья|Natalya,Natalia,Nataliya|6
Татьяна|Tatyana,Tatiana|6
Екатерина|Ekaterina,Yekaterina|6
Ирина|Irina|6
Светлана|Svetlana|5
Юлия|Yulia,Julia,Yuliya|5
Анастасия|Anastasia,Anastasiya|6
Дарья|Daria,Darya|5
Ксения|Ksenia,Kseniya|4
Алина|Alina|4
Виктория|Viktoria,Victoria,Viktoriya|5
Софья|Sofya,Sofia|4
Полина|Polina|4
Елизавета|Elizaveta|3
Александра|Alexandra,Aleksandra|4
Валентина|Valentina|2
Людмила|Lyudmila,Ludmila|3
Галина|Galina|2
Надежда|Nadezhda|3
Вера|Vera|2
Любовь|Lyubov|2
Марина|Marina|4
Евгения|Evgenia,Yevgenia|3
Кристина|Kristina|3
Алёна|Alyona,Alena|3
Вероника|Veronika|3
Варвара|Varvara|3
Маргарита|Margarita|3
Диана|Diana|3
Яна|Yana|3
Оксана|Oksana|3
Нина|Nina|2
Лариса|Larisa|2
Тамара|Tamara|2
Зоя|Zoya|1
Раиса|Raisa|1
Лидия|Lidia,Lidiya|1
Инна|Inna|2
Алла|Alla|2
Жанна|Zhanna|1
Арина|Arina|3
Милана|Milana|2
Кира|Kira|2
Ульяна|Ulyana|2
Таисия|Taisiya,Taisia|1
Василиса|Vasilisa|2
Ева|Eva|2
Злата|Zlata|1
Майя|Maya,Maiya|1
Снежана|Snezhana|1
Карина|Karina|2
Эльвира|Elvira|1
Регина|Regina|1
Лилия|Liliya,Lilia|1
Нелли|Nelli,Nelly|1
Вероника|Veronika|1
"""

_RUSSIAN_FAMILY = """
Иванов|Ivanov|8
Смирнов|Smirnov|8
Кузнецов|Kuznetsov|7
Попов|Popov|6
Васильев|Vasiliev,Vasilyev|5
Петров|Petrov|6
Соколов|Sokolov|5
Михайлов|Mikhailov,Mihailov|5
Новиков|Novikov|5
Фёдоров|Fedorov,Fyodorov|4
Морозов|Morozov|4
Волков|Volkov|4
Алексеев|Alekseev,Alexeev|4
Лебедев|Lebedev|4
Семёнов|Semenov,Semyonov|4
Егоров|Egorov,Yegorov|3
Павлов|Pavlov|3
Козлов|Kozlov|3
Степанов|Stepanov|3
Николаев|Nikolaev,Nikolayev|3
Орлов|Orlov|3
Андреев|Andreev,Andreyev|3
Макаров|Makarov|3
Никитин|Nikitin|3
Захаров|Zakharov|3
Зайцев|Zaitsev,Zaytsev|3
Соловьёв|Solovyov,Soloviev|3
Борисов|Borisov|3
Яковлев|Yakovlev|3
Григорьев|Grigoriev,Grigoryev|3
Романов|Romanov|3
Воробьёв|Vorobyov,Vorobiev|2
Сергеев|Sergeev,Sergeyev|2
Кузьмин|Kuzmin|2
Фролов|Frolov|2
Александров|Alexandrov,Aleksandrov|2
Дмитриев|Dmitriev|2
Королёв|Korolev,Korolyov|2
Гусев|Gusev|2
Киселёв|Kiselev,Kiselyov|2
Ильин|Ilyin,Ilin|2
Максимов|Maksimov,Maximov|2
Поляков|Polyakov|2
Сорокин|Sorokin|2
Виноградов|Vinogradov|2
Ковалёв|Kovalev,Kovalyov|2
Белов|Belov|2
Медведев|Medvedev|2
Антонов|Antonov|2
Тарасов|Tarasov|2
Жуков|Zhukov|2
Баранов|Baranov|2
Филиппов|Filippov|2
Комаров|Komarov|2
Давыдов|Davydov|2
Беляев|Belyaev,Belyayev|2
Герасимов|Gerasimov|2
Богданов|Bogdanov|2
Осипов|Osipov|2
Сидоров|Sidorov|2
Матвеев|Matveev,Matveyev|2
Достоевский|Dostoevsky,Dostoyevsky|1
"""

_SOUTH_SUDAN_MALE = """
Deng|Deng|6
Garang|Garang|5
Majok|Majok,Majak|4
Akol|Akol|3
Kuol|Kuol,Kuel|3
Mabior|Mabior|2
Machar|Machar|2
Riek|Riek,Riak|2
Gatluak|Gatluak,Gatluok|3
Bol|Bol|3
Chol|Chol,Col|3
Malual|Malual|2
Mayen|Mayen|2
Ajak|Ajak|2
Atem|Atem|2
Lual|Lual|2
Makuei|Makuei,Makuey|2
Dut|Dut|2
Manyang|Manyang|2
Thon|Thon|2
Wol|Wol|2
Ayuel|Ayuel|2
Peter|Peter|4
John|John|5
James|James|4
Gabriel|Gabriel|3
Joseph|Joseph|3
Michael|Michael|3
David|David|3
Daniel|Daniel|3
Simon|Simon|3
Samuel|Samuel|3
Gatdet|Gatdet|1
Nhial|Nhial|2
Kiir|Kiir,Kir|1
"""

_SOUTH_SUDAN_FEMALE = """
Nyandeng|Nyandeng,Nyadeng|4
Achol|Achol,Acol|3
Abuk|Abuk|3
Ayen|Ayen|3
Adut|Adut|3
Nyibol|Nyibol|2
Akuol|Akuol|2
Aluel|Aluel|2
Nyakim|Nyakim|2
Nyaruach|Nyaruach|2
Nyabol|Nyabol|2
Awut|Awut|2
Ajok|Ajok|2
Akech|Akech|2
Mary|Mary|5
Rebecca|Rebecca,Rebeka|4
Sarah|Sarah,Sara|3
Elizabeth|Elizabeth|3
Grace|Grace|3
Martha|Martha|3
Rose|Rose|3
Angelina|Angelina|3
Monica|Monica|2
Susan|Susan|2
Nyakuoth|Nyakuoth|2
"""

_CONGO_MALE = """
Jean|Jean|8
Joseph|Joseph|6
Pierre|Pierre|4
Patrick|Patrick|4
Christian|Christian|4
Emmanuel|Emmanuel|4
Jean-Pierre|Jean-Pierre,Jean Pierre|3
Didier|Didier|3
Olivier|Olivier|3
Eric|Eric,Erick|3
Paul|Paul|3
Jacques|Jacques|3
Moïse|Moise,Moses|3
Daniel|Daniel|3
Samuel|Samuel|3
Fiston|Fiston|3
Junior|Junior|2
Blaise|Blaise|2
Trésor|Tresor|3
Dieudonné|Dieudonne|3
Papy|Papy|2
Espoir|Espoir|2
Bienvenu|Bienvenu,Bienvenue|2
Alain|Alain|2
Gloire|Gloire|2
Prince|Prince|2
Héritier|Heritier|2
Innocent|Innocent|2
Justin|Justin|2
Aimé|Aime|2
"""

_CONGO_FEMALE = """
Marie|Marie|8
Anne|Anne|3
Grâce|Grace|4
Esther|Esther|4
Françoise|Francoise|3
Jeanne|Jeanne|3
Christine|Christine|3
Joséphine|Josephine|3
Chantal|Chantal|3
Nadine|Nadine|3
Sarah|Sarah,Sara|3
Rachel|Rachel|3
Furaha|Furaha|3
Neema|Neema|3
Aline|Aline|2
Espérance|Esperance|3
Béatrice|Beatrice|2
Solange|Solange|2
Claudine|Claudine|2
Divine|Divine|2
Merveille|Merveille|3
Mamie|Mamie|2
Rebecca|Rebecca|2
Sifa|Sifa|2
Riziki|Riziki|2
Bahati|Bahati|2
Ornella|Ornella|2
Nathalie|Nathalie|2
"""

_CONGO_FAMILY = """
Mukendi|Mukendi|4
Kabongo|Kabongo|4
Tshibangu|Tshibangu,Tshibango|3
Ilunga|Ilunga|4
Kasongo|Kasongo|4
Mbuyi|Mbuyi|3
Kalala|Kalala|3
Ngoy|Ngoy,Ngoyi|3
Lukusa|Lukusa|2
Mulamba|Mulamba|2
Banza|Banza|3
Mutombo|Mutombo|3
Kazadi|Kazadi|3
Mwamba|Mwamba|3
Kanku|Kanku|2
Mputu|Mputu|2
Nkulu|Nkulu|2
Bahati|Bahati|2
Mugisha|Mugisha|2
Habimana|Habimana|2
Niyonzima|Niyonzima|2
Bisimwa|Bisimwa|2
Amani|Amani|2
Kahindo|Kahindo|2
Masika|Masika|2
Mumbere|Mumbere|2
Kambale|Kambale|3
Muhindo|Muhindo|2
Kasereka|Kasereka|2
Lokondo|Lokondo|1
"""


def _parse(table: str, script: str) -> tuple[NameForm, ...]:
    forms = []
    for line in table.strip().splitlines():
        original, roms, *rest = line.split("|")
        weight = float(rest[0]) if rest and rest[0] else 1.0
        romanisations = tuple(dict.fromkeys(r.strip() for r in roms.split(",") if r.strip()))
        forms.append(NameForm(original.strip(), script, romanisations, weight))
    # A name listed twice (by oversight) keeps its first line.
    return tuple(
        {f.original: f for f in reversed(forms)}[o] for o in dict.fromkeys(f.original for f in forms)
    )


@dataclass(frozen=True, slots=True)
class _Origin:
    script: str
    languages: tuple[str, ...]
    male: tuple[NameForm, ...]
    female: tuple[NameForm, ...]
    family: tuple[NameForm, ...]


@cache
def _origins() -> dict[str, _Origin]:
    arab_m, arab_f = _parse(_ARABIC_MALE, "Arab"), _parse(_ARABIC_FEMALE, "Arab")
    pers_m, pers_f = _parse(_PERSIAN_MALE, "Arab"), _parse(_PERSIAN_FEMALE, "Arab")
    geez_m, geez_f = _parse(_GEEZ_MALE, "Ethi"), _parse(_GEEZ_FEMALE, "Ethi")
    som_m, som_f = _parse(_SOMALI_MALE, "Latn"), _parse(_SOMALI_FEMALE, "Latn")
    ssd_m, ssd_f = _parse(_SOUTH_SUDAN_MALE, "Latn"), _parse(_SOUTH_SUDAN_FEMALE, "Latn")
    syria_family = _parse(_SYRIA_FAMILY, "Arab")
    iraq_family = _parse(_IRAQ_FAMILY, "Arab")
    # Sudanese family names are mostly a father's or grandfather's given name.
    sudan_family = _parse(_SUDAN_FAMILY, "Arab") + tuple(f for f in arab_m if f.original != "عبد الله")
    return {
        "SYR": _Origin("Arab", ("ara",), arab_m, arab_f, syria_family + arab_m[:25]),
        "IRQ": _Origin("Arab", ("ara", "ckb"), arab_m, arab_f, iraq_family + arab_m[:35]),
        "SDN": _Origin("Arab", ("ara",), arab_m, arab_f, sudan_family),
        "AFG": _Origin("Arab", ("prs", "pus"), pers_m, pers_f, _parse(_AFGHANISTAN_FAMILY, "Arab")),
        "IRN": _Origin("Arab", ("pes",), pers_m, pers_f, _parse(_IRAN_FAMILY, "Arab")),
        "ERI": _Origin("Ethi", ("tir",), geez_m, geez_f, geez_m),
        "ETH": _Origin("Ethi", ("amh", "tir", "orm"), geez_m, geez_f, geez_m),
        "SOM": _Origin("Latn", ("som",), som_m, som_f, som_m),
        "UKR": _Origin(
            "Cyrl",
            ("ukr", "rus"),
            _parse(_UKRAINIAN_MALE, "Cyrl"),
            _parse(_UKRAINIAN_FEMALE, "Cyrl"),
            _parse(_UKRAINIAN_FAMILY, "Cyrl"),
        ),
        "RUS": _Origin(
            "Cyrl",
            ("rus",),
            _parse(_RUSSIAN_MALE, "Cyrl"),
            _parse(_RUSSIAN_FEMALE, "Cyrl"),
            _parse(_RUSSIAN_FAMILY, "Cyrl"),
        ),
        "SSD": _Origin("Latn", ("din", "nus", "eng"), ssd_m, ssd_f, ssd_m),
        "COD": _Origin(
            "Latn",
            ("fra", "lin", "swc"),
            _parse(_CONGO_MALE, "Latn"),
            _parse(_CONGO_FEMALE, "Latn"),
            _parse(_CONGO_FAMILY, "Latn"),
        ),
    }


ORIGINS: tuple[str, ...] = (
    "SYR",
    "IRQ",
    "SDN",
    "AFG",
    "IRN",
    "ERI",
    "ETH",
    "SOM",
    "UKR",
    "RUS",
    "SSD",
    "COD",
)


def _origin(origin: str) -> _Origin:
    try:
        return _origins()[origin.upper()]
    except KeyError:
        raise KeyError(f"no name lists for origin {origin!r}; known: {', '.join(ORIGINS)}") from None


def given_names(origin: str, sex: Sex) -> Sequence[NameForm]:
    """Weighted given names for people from ``origin`` (ISO3) of ``sex``.

    >>> given_names("SYR", "M")[0].romanisations[:3]
    ('Mohammed', 'Muhammad', 'Mohamed')
    """
    data = _origin(origin)
    if sex == "M":
        return data.male
    if sex == "F":
        return data.female
    raise ValueError(f"sex must be 'F' or 'M', not {sex!r}")


def family_names(origin: str) -> Sequence[NameForm]:
    """Weighted family names for ``origin`` (where the custom is a father's name, his given names).

    >>> family_names("UKR")[0].latin
    'Shevchenko'
    """
    return _origin(origin).family


def script_of(origin: str) -> str:
    """ISO 15924 code of the script names from ``origin`` are usually written in.

    >>> script_of("ERI")
    'Ethi'
    """
    return _origin(origin).script


def languages_of(origin: str) -> tuple[str, ...]:
    """ISO 639-3 codes of the main languages names from ``origin`` come from.

    >>> languages_of("AFG")
    ('prs', 'pus')
    """
    return _origin(origin).languages


# Adjectival and -ov/-in surnames take a feminine ending; hand-written because it is four suffixes.
_FEMININE_ENDINGS: tuple[tuple[str, str, str, str], ...] = (
    ("ський", "ська", "skyi", "ska"),
    ("цький", "цька", "tskyi", "tska"),
    ("ский", "ская", "sky", "skaya"),
    ("чий", "ча", "chyi", "cha"),
    ("ов", "ова", "ov", "ova"),
    ("ев", "ева", "ev", "eva"),
    ("ёв", "ёва", "ov", "ova"),
    ("ин", "ина", "in", "ina"),
)


def family_name_for(form: NameForm, sex: Sex) -> NameForm:
    """The form of a family name a person of ``sex`` carries (Иванов → Иванова for a woman).

    >>> family_name_for(family_names("RUS")[0], "F").latin
    'Ivanova'
    """
    if sex == "M" or form.script != "Cyrl":
        return form
    for cyr_m, cyr_f, lat_m, lat_f in _FEMININE_ENDINGS:
        if form.original.endswith(cyr_m):
            roms = []
            for rom in form.romanisations:
                for ending, fem in ((lat_m, lat_f), *_LATIN_FEMININE):
                    if rom.endswith(ending):
                        roms.append(rom[: -len(ending)] + fem)
                        break
                else:
                    roms.append(rom)
            return NameForm(
                form.original[: -len(cyr_m)] + cyr_f, form.script, tuple(dict.fromkeys(roms)), form.weight
            )
    return form


_LATIN_FEMININE = (
    ("skiy", "skaya"),
    ("sky", "skaya"),
    ("chy", "cha"),
    ("ev", "eva"),
    ("ov", "ova"),
    ("in", "ina"),
)


# ---------------------------------------------------------------------------------------------------
# Normalisation for search and linkage.
#
# Two layers. (1) A lexicon built from the tables above maps every listed spelling, in any script, to
# the name's most common romanisation: this is what joins Mhd to Mohammed, and Maxamed (Somali
# orthography) to Mohamed, which no general rule can. (2) For names outside the lexicon, `anyascii`
# (a maintained, table-driven transliterator covering all scripts) gives an ASCII spelling, and a
# consonant skeleton folds what transliterations disagree on: short vowels (unwritten in Arabic script),
# doubled letters, kh/h, q/k, ou/u, the Arabic article and the ʿAbd-/-ullah compounds. We chose anyascii
# over ICU's Any-Latin because ICU gives scholarly forms (ǝ, ʿ, ẗ) further from the spellings
# registration officers write (ICU: Михаил → mihail; anyascii and passports: Mikhail), and because it is
# pure Python. No library folds Arabic-name romanisation variants, so the skeleton rules are ours.

_ARABIC_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ARABIC_FOLD = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ؤ": "و",
        "ئ": "ي",
        "ى": "ي",
        "ی": "ي",
        "ې": "ي",
        "ۍ": "ي",
        "ک": "ك",
        "ة": "a",  # tāʾ marbūṭa is written -a or -ah in Latin; anyascii would give a final -h
        "ء": "",
        "\u200c": "",  # zero-width non-joiner inside Persian compounds (ذبیح‌الله)
        "\u200d": "",
    }
)
_ALLAH_ARABIC = re.compile("ال?له(?=$|\\s)")
_ARTICLE_ARABIC = re.compile("(?:(?<=\\s)|^)ال(?=\\S{2,})")
_ALLAH_LATIN = re.compile(r"(?<=[a-z]{2})[aeiou]?llah?\b")
_ARTICLE_LATIN = re.compile(r"\b(?:al|el|ul|il|ol|a[dnrstz]|e[dnrstz]|ash|esh)-|\b(?:al|el)\s+(?=\w)")
_ABD = re.compile(
    r"\babd(?:ul|el|al|ol|ur|ar|er|ir|u|i|o|e|a)?\b\s*|\babd(?:ul|el|al|ol|u|i|o|e|a)(?=[a-z]{3})"
)
_DIGRAPHS = (
    ("shch", "s"),
    ("sch", "s"),
    ("tch", "c"),
    ("sh", "s"),
    ("ch", "s"),
    ("zh", "z"),
    ("kh", "h"),
    ("gh", "g"),
    ("dh", "z"),
    ("th", "t"),
    ("ph", "f"),
    ("ck", "k"),
    ("dj", "j"),
    ("ts", "s"),
    ("q", "k"),
    ("c", "k"),
    ("x", "ks"),
)
_DROP = set("aeiouyw'`")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).strip()
    text = text.translate(_ARABIC_FOLD)
    return _ARABIC_DIACRITICS.sub("", text)


def _compact(text: str) -> str:
    """Lexicon key: case-, space-, hyphen-, apostrophe- and accent-insensitive."""
    folded = _fold(text).casefold()
    if folded.isascii() or all(
        unicodedata.category(c)[0] != "L" or c.isascii() or _is_latin(c) for c in folded
    ):
        folded = anyascii(folded).lower()
    return "".join(c for c in folded if c.isalnum())


def _is_latin(char: str) -> bool:
    return "LATIN" in unicodedata.name(char, "")


@cache
def _lexicon() -> dict[str, str]:
    """Every listed spelling → the most common romanisation of the heaviest name spelled so."""
    best: dict[str, tuple[float, str]] = {}
    for form in _all_forms():
        for spelling in (form.original, *form.romanisations):
            key = _compact(spelling)
            if key and (key not in best or best[key][0] < form.weight):
                best[key] = (form.weight, form.latin)
    return {key: latin for key, (_, latin) in best.items()}


def _all_forms() -> list[NameForm]:
    return [f for data in _origins().values() for f in (*data.male, *data.female, *data.family)]


@cache
def _key_lexicon() -> dict[str, str]:
    """Every listed spelling → the key of its name, shared by all spellings linked through any list.

    Spellings are joined transitively (Faadumo lists Fatima, so Fadumo, Fatuma and فاطمة meet), and the
    group takes the romanisation of its heaviest name. This is a plain union-find over spellings.
    """
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    forms = _all_forms()
    for form in forms:
        keys = [k for k in (_compact(s) for s in (form.original, *form.romanisations)) if k]
        # Al-Othman is Othman with the article: the key ignores a written-apart or Arabic-script article.
        keys += [
            k
            for k in (_compact(_ARTICLE_PREFIX.sub("", s)) for s in (form.original, *form.romanisations))
            if k
        ]
        for k in keys[1:]:
            parent[find(k)] = find(keys[0])
    heaviest: dict[str, NameForm] = {}
    for form in forms:
        root = find(_compact(form.original))
        if root not in heaviest or heaviest[root].weight < form.weight:
            heaviest[root] = form
    # Distinct names can share a skeleton (Mohammed and Mahmoud are both m-h-m-d in Arabic script); the
    # listed names keep apart by a rank suffix, heaviest first, so only unlisted spellings can collide.
    by_skeleton: dict[str, list[NameForm]] = {}
    for form in sorted(heaviest.values(), key=lambda f: (-f.weight, f.latin)):
        by_skeleton.setdefault("".join(_skeleton_words(form.latin)), []).append(form)
    key_of: dict[str, str] = {}
    for group in by_skeleton.values():
        for rank, form in enumerate(group, start=1):
            key_of[form.latin] = " ".join(_skeleton_words(form.latin)) + (str(rank) if rank > 1 else "")
    return {k: key_of[heaviest[find(k)].latin] for k in parent}


def _tokens(text: str) -> list[str]:
    return [t for t in re.split(r"[\s\-_.,/]+", _fold(text)) if t]


_ARTICLE_PREFIX = re.compile(r"^(?:ال|(?:al|el)[\s-])(?=\S{2})", re.IGNORECASE)
_ARTICLES = frozenset({"al", "el", "ul", "il"})
_SUN_ARTICLES = frozenset(
    {"ad", "ar", "as", "at", "az", "an", "ash", "ed", "er", "es", "et", "ez", "en", "ud", "ur", "us"}
)


def _drop_articles(words: list[str]) -> list[str]:
    """Drop a separate Arabic article (al-, el-, and assimilated ar-Rahman, ad-Din, ash-Shami)."""
    out = []
    for k, word in enumerate(words):
        low = word.lower()
        if k + 1 < len(words):
            following = words[k + 1].lower()
            if low in _ARTICLES or (low in _SUN_ARTICLES and following.startswith(low[1:])):
                continue
        out.append(word)
    return out


def _lexicon_segments(text: str, *, for_key: bool = False) -> list[tuple[str, bool]]:
    """Split ``text`` into (segment, found) pieces, taking the longest run of up to 3 words the lexicon knows."""
    words = _tokens(text)
    lexicon = _lexicon()
    if for_key:
        words = _drop_articles(words)
        lexicon = _key_lexicon()
    out: list[tuple[str, bool]] = []
    i = 0
    while i < len(words):
        for j in range(min(len(words), i + 3), i, -1):
            hit = lexicon.get(_compact("".join(words[i:j])))
            if hit is not None:
                out.append((hit, True))
                i = j
                break
        else:
            out.append((words[i], False))
            i += 1
    return out


def romanise(text: str) -> str:
    """The usual Latin spelling of a name in any script or spelling.

    >>> romanise("محمد عبد الرحمن")
    'Mohammed Abdulrahman'
    >>> romanise("Maxamed")
    'Mohamed'
    >>> romanise("Михаил")
    'Mikhail'
    """
    parts = []
    for segment, found in _lexicon_segments(text):
        parts.append(segment if found else anyascii(segment).replace("`", "").replace("'", "").title())
    return " ".join(p for p in parts if p)


def _skeleton_words(ascii_text: str) -> list[str]:
    text = ascii_text.lower()
    text = _ALLAH_LATIN.sub(" allah", text)
    text = _ARTICLE_LATIN.sub("", text)
    text = _ABD.sub("abd", text)
    out = []
    for word in re.split(r"[^a-z]+", text):
        if not word:
            continue
        for src, dst in _DIGRAPHS:
            word = word.replace(src, dst)
        if word.endswith("h") and len(word) > 1:
            word = word[:-1]
        letters = [c for c in word if c not in _DROP]
        squeezed = "".join(c for k, c in enumerate(letters) if k == 0 or c != letters[k - 1])
        out.append(squeezed or word[:1])
    return out


def _arabic_prepare(segment: str) -> str:
    segment = _ALLAH_ARABIC.sub(" allah", segment)
    segment = _ARTICLE_ARABIC.sub("", segment)
    return segment.replace("عبد ", "abd").replace("عبد", "abd")


def name_key(text: str) -> str:
    """A key equal for spellings of the same name across scripts and transliterations.

    Words stay separate (so swapped or missing parts can be compared word by word); use
    :func:`name_key_compact` to also ignore how a name is split into words.

    >>> {name_key(n) for n in ("محمد", "Mohammed", "Muhammad", "Mohamed", "Mhd", "Maxamed")}
    {'mhmd'}
    >>> name_key("Abdul Rahman") == name_key("Abdelrahman") == name_key("عبد الرحمن")
    True
    """
    words: list[str] = []
    pending: list[str] = []  # unknown words are folded together so "Abd" joins the word after it
    for segment, found in _lexicon_segments(text, for_key=True):
        if found:
            words.extend(_skeleton_words(" ".join(pending)))
            pending = []
            words.append(segment.replace(" ", ""))
        else:
            pending.append(anyascii(_arabic_prepare(segment)))
    words.extend(_skeleton_words(" ".join(pending)))
    return " ".join(words)


def name_key_compact(text: str) -> str:
    """:func:`name_key` without word breaks (Abdul Rahman = Abdulrahman, Gebre Medhin = Gebremedhin).

    >>> name_key_compact("Gebre Medhin") == name_key_compact("ገብረመድህን")
    True
    """
    return name_key(text).replace(" ", "")
