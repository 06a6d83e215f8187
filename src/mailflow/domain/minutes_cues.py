"""Who a sentence of minutes gives a task to: 由X负责, 请X于…前, X牵头Y配合, @X, "X to …".

Pure: one sentence and the people in, an :class:`OwnerCue` (who, and which words to take out of
the sentence to leave the task) or None out. Scribes rarely write mailflow's syntax; they write

- Chinese: ``由市场部负责，4月5日前完成竞品分析报告``, ``请张伟于本周五前提交预算``,
  ``李娜牵头，财务部配合，3月底前完成供应商评估``, ``责成采购部重新评估报价``, ``张伟：汇总预算``,
  ``张伟跟进客户反馈``, ``会上李娜表示市场部将在下周三前完成…``, ``@张伟 周五前把预算发群里``;
- English: ``Bob to send the forecast by Fri``, ``Carol will draft the FAQ (due 3/14)``,
  ``@Dave please book the room``, ``Alice owns the pricing page``, ``Bob agreed to circulate the
  deck``, and in a list of actions ``Bob: send the forecast`` or ``Send the forecast (Bob)``.

Names are found by :meth:`~mailflow.domain.owners.People.find_all` (names, aliases, departments
and their heads, 王总-style titles, ``@mentions``); the patterns run over the sentence with each
name replaced by one placeholder character, so they read like the sentence does. A name in the
place of an owner that the directory does not know (``由赵敏负责``, ``Kevin to …``) is still
returned, unresolved, so the scribe hears about it. Helpers (``Y配合``, ``会同Y``) are never the
owner. Running text is read only with the patterns that assign work; a numbered line and a line
under an actions heading also take a name at its start or its end (see :func:`find_cue`).

Sentences that give everyone a standing duty (``各部门负责人要高度重视…``, ``全体员工须…``,
"everyone to keep the tracker updated") are not tasks: :func:`is_standing_duty`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mailflow.domain.owners import Named, People
from mailflow.text_forms import simplified

# The common Chinese surnames: an unknown name is looked for only where one starts.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫"
    "孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童"
    "凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连"
    "芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩"
    "明佘池查麻苑迟邝"
)

_BASE = 0xE000  # private-use characters stand for the names found in a sentence
_MENTIONED = 0x100  # added for an @mention, so patterns can ask for one
_P = "[\ue000-\ue1ff]"
_AT = "[\ue100-\ue1ff]"
_JOIN_ZH = r"\s*(?:、|和|与|及|/|,|，|&)\s*"
_NAMES = rf"{_P}(?:{_JOIN_ZH}{_P})*"
_JOIN_EN = r"\s*(?:,|and|&|/|\+)\s*"
_NAMES_EN = rf"{_P}(?:{_JOIN_EN}{_P})*"
# Words that assign work and are not part of the task: taken out with the owner.
_ASSIGN = r"(?:具体负责|负责牵头|牵头负责|主要负责|负责|牵头|主责|主导|落实|统筹|承办|来)"
_CJK_NAME = rf"[{SURNAMES}][\u4e00-\u9fff]{{1,2}}?"
_LATIN_NAME = r"[A-Z][a-z]{2,}(?![A-Za-z])"
_CLAUSE = r"(?:^|(?<=[，,；;：:。]))\s*"  # the start of the text or of a clause in it
_ORG = r"\s*(?:总部|集团|公司|我司|本公司|分公司|事业部|台北分公司)?"  # 请总部信息部…
_FILLER = r"(?:这边|那边|方面|这里)?\s*"  # 研发部陈工这边需要…
_PRESIDE = r"(?:主持|主讲|召开|参加|出席|介绍|汇报|通报|定夺|决定|签字|批准)"  # 会议由王总主持
_OPINION = r"(?:我|认为|觉得|建议|表示|提出|说|同意|反对|补充|介绍|汇报|通报|指出|强调|希望)"
_COLLECTIVE = re.compile(
    r"^(?:各|全体|所有|相关|全员|大家|公司|双方|各方|我们|我方|对方|专人|领导|总部|集团|客户|供应商"
    r"|甲方|乙方|本部门|项目组|会议|会上|本次|下次|上次|此项|该项|以上|上述|同时|另外|其中|最后)"
)
# (how the task is kept, pattern, the least formal context it is read in)
_Pattern = tuple[str, re.Pattern[str], int]
# Patterns whose cue is as often a report as an assignment ("研发部需…", "李娜将…").
_WEAK: set[re.Pattern[str]] = set()


def _weak(pattern: str) -> re.Pattern[str]:
    compiled = re.compile(pattern)
    _WEAK.add(compiled)
    return compiled


_TEXT, _ITEM, _LIST = 0, 1, 2
_ZH_PATTERNS: tuple[_Pattern, ...] = (
    # 由张伟负责汇总预算 / 竞品分析报告由市场部负责 / 同意采购新服务器，由信息部落实
    (
        "around",
        re.compile(rf"(?:交由|请由|由){_ORG}\s*(?P<o>{_NAMES})\s*(?!{_PRESIDE}){_ASSIGN}?"),
        _TEXT,
    ),
    # 请张伟于本周五前提交预算 / 责成采购部重新评估报价 / 请总部信息部协助开通账号
    (
        "around",
        re.compile(
            rf"(?:请|责成|安排|指派|委托|指定|交给|要求|麻烦){_ORG}\s*(?P<o>{_NAMES})"
            rf"(?=\s*[^\s，,。])"
        ),
        _TEXT,
    ),
    # 李娜牵头，… / 张伟负责…
    ("after", re.compile(rf"{_CLAUSE}(?P<o>{_NAMES})\s*{_ASSIGN}(?!人)"), _TEXT),
    # 张伟将于… / 研发部需… / Alice 表示会… (weaker: as often a report as a commitment)
    (
        "after",
        _weak(
            rf"{_CLAUSE}(?P<o>{_NAMES})\s*{_FILLER}(?:表示|称|承诺|答应)?\s*(?:将|需要|需|要(?!求)"
            rf"|应当|应|须(?!知)|必须|务必|会(?![后上前议中议])|尽快)(?!人)"
        ),
        _TEXT,
    ),
    # 胡斌：机房巡检 (not "张伟：我认为…", which reports what someone said)
    ("after", re.compile(rf"{_CLAUSE}{_ORG}(?P<o>{_NAMES})\s*[:：](?!\s*{_OPINION})"), _TEXT),
    # 张伟——汇总预算 (a list's line, numbered or under an actions heading)
    ("after", re.compile(rf"^\s*{_ORG}(?P<o>{_NAMES})\s*(?:[:：]|——|—|–|-{{1,2}}\s)"), _ITEM),
    # 张伟跟进客户反馈 / 李娜在3月10日前完成 (the verb stays in the task)
    (
        "after",
        _weak(
            rf"(?P<o>{_NAMES})\s*{_FILLER}(?:会后|随后|尽快|马上|立即|近期)?\s*"
            rf"(?!{_OPINION}|{_ASSIGN}|要求|主持|参加|出席)(?=跟进|跟踪|对接|协调|推进|督促|核实|核对|确认|提交|完成|准备|整理|起草|制定|编制|汇总"
            rf"|更新|联系|沟通|评估|梳理|输出|提供|发起|安排|组织(?!召开)|与|和|跟|把|于|在\S{{0,12}}前"
            rf"|本周|下周|今天|明天|月底|\d|\S{{1,6}}(?:前|内)(?!往|容|部))"
        ),
        _TEXT,
    ),
    # 胡斌会后把接口文档发到群里: "把" after the owner is something they will do
    (
        "after",
        re.compile(rf"{_CLAUSE}(?P<o>{_NAMES})\s*(?:会后|随后|今天|明天|马上)?\s*(?=把)"),
        _TEXT,
    ),
    # 杨洁跟进客户投诉汇总 (跟进 assigns as plainly as 负责)
    ("after", re.compile(rf"{_CLAUSE}(?P<o>{_NAMES})\s*{_FILLER}(?=跟进|跟踪|落实|督办)"), _TEXT),
    # …李娜表示市场部将在下周三前完成… (a commitment in the middle of a report)
    (
        "tail",
        _weak(
            rf"(?P<o>{_NAMES})\s*(?:{_ASSIGN}|将于|将在|将|需在|需于|须在|要在|应在|承诺|答应)(?!人)"
        ),
        _TEXT,
    ),
    # @张伟 周五前把预算发群里 / please @Emma and @Carol review the copy
    ("around", re.compile(rf"(?P<o>{_AT}(?:(?:{_JOIN_EN}|\s+){_AT})*)"), _TEXT),
)
_ZH_UNKNOWN: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(rf"(?:交由|请由|由)\s*(?P<o>{_CJK_NAME})\s*(?:{_ASSIGN}|跟进)"), _TEXT),
    (
        re.compile(
            rf"(?:请|责成)\s*(?P<o>{_CJK_NAME})\s*(?=于|在|尽快|务必|负责|跟进|将|把|协助|配合|帮忙"
            rf"|处理|确认|提供|联系|安排|准备|整理)"
        ),
        _TEXT,
    ),
    (re.compile(rf"^\s*(?P<o>{_CJK_NAME})\s*(?:牵头|负责|跟进)"), _TEXT),
    (re.compile(rf"^\s*(?P<o>{_CJK_NAME})\s*[:：]"), _ITEM),
    (re.compile(r"@(?P<o>[\u4e00-\u9fff]{2,3}|[A-Za-z][\w.-]*)"), _TEXT),
    # A colleague outside the directory by an English name: 由Kevin起草, 交给 Kevin 他们…
    (re.compile(rf"(?:交由|请由|由|请|交给|责成)\s*(?P<o>{_LATIN_NAME})"), _TEXT),
    (
        re.compile(
            rf"(?:需要\s*)?(?P<o>{_LATIN_NAME})\s*(?:那边|这边|团队|他们)?\s*"
            rf"(?:需要|负责|跟进|牵头|尽快|确认|起草)"
        ),
        _TEXT,
    ),
)
_HELPERS = re.compile(
    rf"(?:(?:[，,、;；]\s*)?(?P<h>{_NAMES})\s*(?:配合|协助|协同|参与|支持|协办)[，,]?"
    rf"|(?:会同|协同|联合)\s*(?P<h2>{_NAMES}))"
)
_NARRATIVE = re.compile(r"(?:表示|指出|提出|称|说|认为|汇报|介绍|提到|建议)[，,:：]?\s*$")
_EN_LEAD = (
    r"(?:to|will|shall|should|must|needs?\s+to|has\s+to|have\s+to|is\s+to|are\s+to|'ll"
    r"|agreed\s+to|agrees\s+to|volunteered\s+to|offered\s+to|offers\s+to|committed\s+to"
    r"|commits\s+to|promised\s+to|is\s+going\s+to|are\s+going\s+to|plans?\s+to|owns|will\s+own"
    r"|is\s+responsible\s+for|are\s+responsible\s+for|responsible\s+for|handles|will\s+handle"
    r"|takes|took|will\s+take|to\s+take|please|pls|can\s+you|could\s+you)\b"
)
_EN_NOT_TASK = re.compile(r"^\s*(?:be|been|have|had|not|also\s+be|probably|likely|join|attend)\b")
_EN_PATTERNS: tuple[_Pattern, ...] = (
    ("after", re.compile(rf"^\s*(?P<o>{_NAMES_EN})\s*(?:\([^)]*\)\s*)?{_EN_LEAD}", re.I), _TEXT),
    (
        "after",
        re.compile(
            rf"(?:^|[;:.,]\s+|\band\s+|\bthen\s+)(?P<o>{_NAMES_EN})\s+{_EN_LEAD}",
            re.I,
        ),
        _TEXT,
    ),
    # "Bob: send the forecast", "Bob – fix the login bug"
    (
        "after",
        re.compile(rf"^\s*(?P<o>{_NAMES_EN})\s*(?:[:：]|[–—]+|-{{1,2}}\s|->|→)", re.I),
        _ITEM,
    ),
    # "Send the forecast (Bob)", "Update the wiki — Carol", "Fix the build, owner: David"
    (
        "after",
        re.compile(
            rf"[(（\[【]\s*(?:owner|assigned\s+to|assignee|pic|负责人|责任人)?\s*[:：]?\s*"
            rf"(?P<o>{_NAMES_EN})\s*[)）\]】]\s*[.。]?\s*$",
            re.I,
        ),
        _ITEM,
    ),
    ("after", re.compile(rf"(?:[–—]+|-{{1,2}}|->|→|=>)\s*(?P<o>{_NAMES_EN})\s*[.。]?\s*$"), _ITEM),
    (
        "after",
        re.compile(rf"\b(?:assigned\s+to|owner\s*[:：]|owned\s+by)\s*(?P<o>{_P})", re.I),
        _TEXT,
    ),
    # In a list of actions, a name and a space open the line: "张伟 汇总预算", "@bob Prepare …"
    ("after", re.compile(rf"^\s*(?P<o>{_NAMES})\s+(?=\S)"), _LIST),
)
_EN_UNKNOWN = re.compile(
    r"^\s*(?P<o>[A-Z][a-z]+(?:\s[A-Z][a-z]+)?)\s+(?:to|will|agreed\s+to|volunteered\s+to)\s+[a-z]"
)
_EN_NOT_NAMES = frozenset(
    {
        "we",
        "i",
        "you",
        "they",
        "he",
        "she",
        "it",
        "this",
        "that",
        "these",
        "those",
        "there",
        "here",
        "everyone",
        "everybody",
        "team",
        "all",
        "someone",
        "somebody",
        "nobody",
        "anyone",
        "each",
        "both",
        "management",
        "who",
        "what",
        "which",
        "when",
        "where",
        "why",
        "how",
        "whether",
        "if",
        "is",
        "are",
        "do",
        "does",
        "did",
        "should",
        "could",
        "would",
        "can",
        "may",
        "might",
        "must",
        "need",
        "needs",
        "also",
        "then",
        "next",
        "please",
        "plan",
        "time",
        "decision",
        "agreed",
        "decided",
        "action",
        "actions",
        "and",
        "or",
        "but",
        "so",
        "the",
        "a",
        "an",
        "to",
        "in",
        "on",
        "for",
        "with",
        "our",
        "your",
        "their",
        "its",
        "owner",
        "owners",
        "one",
        "another",
        "other",
        "others",
    }
)
_STANDING = re.compile(
    r"^\s*(?:会议)?(?:要求|强调|指出)?\s*(?:各部门|各单位|各中心|各级|各位|各相关|全体|所有|全员|每位|每个人"
    r"|大家|相关部门|相关人员|各部门负责人|各负责人|各事业部|公司全体)"
    r"|^\s*(?:everyone|everybody|all\s+(?:staff|teams|departments|managers|attendees|owners)"
    r"|each\s+(?:team|department|owner)|all\s+of\s+us|we\s+all|the\s+whole\s+team|team\s+members)\b",
    re.I,
)


@dataclass(frozen=True)
class OwnerCue:
    """The owner a sentence names and the spans to take out of it to leave the task.

    ``keep`` says which side of the cue holds the task: ``around`` (both sides), ``after`` (what
    follows), ``tail`` (what follows, unless the words before it are a report: "李娜表示…").
    """

    named: Named
    start: int
    end: int
    keep: str
    removed: tuple[tuple[int, int], ...] = ()  # helpers' spans ("财务部配合")
    others: tuple[Named, ...] = ()  # further owners named with the first ("张伟、李娜负责…")
    strong: bool = True  # an assignment (由X负责, 请X, X to); False for "X将…", "X需…"


_OWNERLESS = re.compile(
    r"(?:需|需要|须|必须|要|应)\s*(?:尽快|尽早|抓紧|马上|及时)?\s*(?:确定|确认|采购|找到?|决定|定下来"
    r"|安排|落实|处理|联系|解决|敲定|明确|评估|找人)|(?:还没|尚未|暂未|未)\s*(?:定|确定|决定|落实|明确)"
    r"|待定|谁去|找谁|需要有人|有人负责|负责人待定|无负责人"
    r"|\b(?:someone|somebody|sb|anyone|nobody)\b(?:\s+(?:from|in|at)\s+[\w&]+)?\s+"
    r"(?:to|should|needs?\s+to|must|will)\b|\bneeds?\s+(?:an?\s+)?(?:owner|decision|volunteer)\b"
    r"|\bTBD\s*[:：–—-]|\bno\s+owner\b|\bwho\s+will\b",
    re.IGNORECASE,
)


def is_ownerless_task(text: str) -> bool:
    """Whether ``text`` asks for something to be done without saying who does it
    (需尽快确定供应商, 主持人还没定, "someone from legal to check…", "TBD: book …")."""
    return _OWNERLESS.search(simplified(text)) is not None


def is_standing_duty(text: str) -> bool:
    """Whether ``text`` asks everyone (各部门…, 全体员工…, everyone…) rather than one owner."""
    return _STANDING.search(simplified(text)) is not None


CONTEXTS = {"text": _TEXT, "item": _ITEM, "list": _LIST}


def find_cue(text: str, people: People, *, context: str) -> OwnerCue | None:
    """The owner ``text`` gives its task to (see the module docstring), or None.

    ``context`` is how formal the place is: ``text`` (running text: only patterns that assign
    work), ``item`` (a numbered or bulleted line: also ``张伟：…`` and ``… (Bob)``), ``list``
    (a line under an actions heading: also a name and a space at its start).
    """
    level = CONTEXTS[context]
    hits = people.find_all(text)
    masked, starts, ends = _mask(simplified(text), hits)
    helpers = _helper_spans(masked)
    best: tuple[int, int, OwnerCue] | None = None
    for keep, pattern, least in (*_ZH_PATTERNS, *_EN_PATTERNS):
        if least > level:
            continue
        for match in pattern.finditer(masked):
            owners, helping = _owners(match, helpers)
            if not owners or (keep != "around" and _not_a_task(masked, match.end())):
                continue
            # A helper is the owner only when nobody else is named: 请信息部协助开通账号.
            rank = (2 if helping else 1 if keep == "tail" else 0, match.start())
            if best is None or rank < best[:2]:
                cue = OwnerCue(
                    hits[owners[0]][2],
                    starts[match.start()],
                    ends[match.end() - 1],
                    keep,
                    tuple((starts[s], ends[e - 1]) for s, e in helpers if not helping),
                    tuple(hits[index][2] for index in owners[1:]),
                    pattern not in _WEAK and not helping,
                )
                best = (*rank, cue)
            break
    if best is not None:
        return best[2]
    return _unknown_cue(text, people, level)


def _mask(view: str, hits: list[tuple[int, int, Named]]) -> tuple[str, list[int], list[int]]:
    """``view`` with each hit replaced by one placeholder, and for each character of the
    result where it starts and ends in ``view``."""
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    position = 0
    for index, (start, end, _named) in enumerate(hits[:0xFF]):
        for offset in range(position, start):
            out.append(view[offset])
            starts.append(offset)
            ends.append(offset + 1)
        mention = hits[index][2].raw.startswith("@")
        out.append(chr(_BASE + index + (_MENTIONED if mention else 0)))
        starts.append(start)
        ends.append(end)
        position = end
    for offset in range(position, len(view)):
        out.append(view[offset])
        starts.append(offset)
        ends.append(offset + 1)
    starts.append(len(view))
    ends.append(len(view))
    return "".join(out), starts, ends


def _helper_spans(masked: str) -> list[tuple[int, int]]:
    return [match.span() for match in _HELPERS.finditer(masked)]


def _owners(match: re.Match[str], helpers: list[tuple[int, int]]) -> tuple[list[int], bool]:
    """The indexes of the names in the match's owner group, and whether they are helpers."""
    start, end = match.span("o")
    helping = any(s <= start and end <= e for s, e in helpers)
    indexes = [
        (ord(c) - _BASE) % _MENTIONED for c in match.string[start:end] if "\ue000" <= c <= "\ue1ff"
    ]
    return indexes, helping


def _not_a_task(masked: str, end: int) -> bool:
    """Whether what follows a cue is no task ("Alice will be on leave", "Bob will attend")."""
    return _EN_NOT_TASK.match(masked[end:]) is not None


def _unknown_cue(text: str, people: People, level: int) -> OwnerCue | None:
    """A name the directory does not know in the place of an owner, so it can be reported."""
    view = simplified(text)
    for pattern, least in _ZH_UNKNOWN:
        match = pattern.search(view) if least <= level else None
        if match is not None and _COLLECTIVE.match(match.group("o")) is None:
            raw = text[match.start("o") : match.end("o")]
            if pattern.pattern.startswith("@"):
                raw = "@" + raw
            return OwnerCue(people.resolve(raw), match.start(), match.end(), "around")
    match = _EN_UNKNOWN.match(text)
    if match is not None and match.group("o").split()[0].casefold() not in _EN_NOT_NAMES:
        named = people.resolve(match.group("o"))
        if named.resolution.status != "unknown" or _not_a_task(text, match.end() - 1):
            return None  # a known name the patterns above did not take on purpose
        end = match.end() - 1
        return OwnerCue(named, match.start(), end, "after")
    return None
