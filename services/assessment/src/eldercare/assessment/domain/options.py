"""Annex B option codes: every answer of the 26 items with its score and a Chinese label.

gbt42195.md §1.3: every item is single-choice and scored with integers. The labels are short
paraphrases of the option texts (the reference itself paraphrases; the official text was not at
hand). An option code is the score as a string ("4" .. "0"), except where two options share a score
and must stay apart: B.3.9 意识水平 keeps 嗜睡/意识模糊 (both 1) and 昏睡/昏迷 (both 0) as separate
codes, because only 昏迷 triggers R1 (gbt42195.md §1.3 "Engine note", §1.5 R1).
"""

from __future__ import annotations

from dataclasses import dataclass

from eldercare.assessment.domain.gbt42195 import ITEM_MAXIMA


@dataclass(frozen=True)
class Option:
    code: str
    score: int
    label: str


def _scale(*labels: str) -> tuple[Option, ...]:
    """Options from the highest score down to 0, coded by their score."""
    top = len(labels) - 1
    return tuple(Option(str(top - i), top - i, label) for i, label in enumerate(labels))


# gbt42195.md §1.3 "Generic 5-step assistance scale" (G5): B.1.2-B.1.5, B.1.8, B.2.1, B.2.2.
_G5 = _scale(
    "独立完成，不需要协助",
    "在他人指导或提示下完成",
    "需要他人协助，但以自身完成为主",
    "主要依靠他人协助，自身能给予配合",
    "完全依赖他人协助，且不能给予配合",
)

# B.3.9 option codes for the two shared scores (gbt42195.md §1.3 B.3.9 and its engine note).
CONSCIOUSNESS_COMA = "coma"

OPTIONS: dict[str, tuple[Option, ...]] = {
    # B.1 自理能力 (gbt42195.md §1.3 B.1)
    "B.1.1": _scale(
        "独立使用器具进食，无呛咳",
        "在他人指导或提示下完成，或独立使用辅具，无呛咳",
        "需少量接触式协助，偶有呛咳（每月≥1次）",
        "需大量接触式协助，经常呛咳（每周≥1次）",
        "完全依赖他人，或吞咽困难，或留置营养管",
    ),
    "B.1.2": _G5,
    "B.1.3": _G5,
    "B.1.4": _G5,
    "B.1.5": _G5,
    "B.1.6": _scale(
        "可自行控制排尿",
        "白天可控制，夜间次数增多或控制较差，或自行使用尿垫/尿布",
        "白天大部分可控制，偶有失禁（每天<1次，每周>1次），夜间控制差，或需少量协助使用尿垫",
        "白天大部分不能控制（每天≥1次，但非完全失控），夜间失禁，或需大量协助使用尿垫",
        "完全失禁，或留置导尿管",
    ),
    "B.1.7": _scale(
        "可正常自行控制排便",
        # gbt42195.md §1.3 note on B.1.7: read as 每周<1次 (labels only, not scoring).
        "偶有便秘或失禁（每周<1次），或自行使用开塞露/尿垫",
        "经常便秘或失禁（每天<1次，每周>1次），或需少量协助",
        "大部分时间便秘或失禁（每天≥1次，但非完全），或需大量协助",
        "严重便秘或完全失禁，需他人协助排便或清洁皮肤",
    ),
    "B.1.8": _G5,
    # B.2 基础运动能力 (gbt42195.md §1.3 B.2)
    "B.2.1": _G5,
    "B.2.2": _G5,
    "B.2.3": _scale(
        "可独自平地行走约50米，无摔倒风险",
        "可平地行走约50米，但有摔倒风险，需他人监护、指导或使用拐杖/助行器",
        "需他人少量扶持",
        "需他人大量扶持",
        "不能行走",
    ),
    "B.2.4": _scale(  # no 4 (gbt42195.md §1.2)
        "可独立连续上下10～15个台阶",
        "在他人指导或提示下完成",
        "需他人协助，但以自身完成为主",
        "主要或完全依赖他人",
    ),
    # B.3 精神状态 (gbt42195.md §1.3 B.3)
    "B.3.1": _scale(
        "时间观念清楚，可说出年份、月份，日期或星期相差不超过1天",
        "时间观念有些下降，不能完全说出年月日星期（相差2天及以上）",
        "时间观念较差，只知道上半年或下半年、季节",
        "时间观念很差，只知道上午或下午、白天或夜间",
        "无时间观念",
    ),
    "B.3.2": _scale(
        "能在日常生活范围内单独外出（如在社区内购物）",
        "不能单独外出，但知道日常生活的确切地址",
        "不能单独外出，知道较多有关地址的信息",
        "不能单独外出，知道较少有关地址的信息",
        "不能单独外出，无空间观念",
    ),
    "B.3.3": _scale(
        "认识长期共同生活的人，能称呼并知道关系",
        "认识大部分共同生活的人，能称呼或知道关系",
        "只认识部分家人或照护者",
        "只认识自己或极少数人",
        "不认识任何人（包括自己）",
    ),
    "B.3.4": _scale(
        "记忆力与年龄相符，回忆完整",
        "轻度受损（3个词语5分钟后能回忆0～1个）",
        "中度受损（不能回忆近期事件，如上一顿饭）",
        "重度受损（不能回忆远期事件，如老朋友）",
        "记忆完全紊乱",
    ),
    "B.3.5": _scale(
        "能正常理解他人的话",
        "能理解他人的话，但需要更多时间",
        "理解有困难，需频繁重复或简化口头表达",
        "理解有严重困难，需要大量他人帮助",
        "完全不能理解他人的话",
    ),
    "B.3.6": _scale(
        "能正常表达自己的想法",
        "能表达自己的需要，但需要更多时间",
        "表达有困难，需频繁重复或简化",
        "表达有严重困难，需要大量他人帮助",
        "完全不能表达需要",
    ),
    "B.3.7": _scale("无攻击行为", "近一个月内出现过攻击行为"),
    "B.3.8": _scale("无抑郁症状", "近一个月内出现过负性情绪"),
    "B.3.9": (
        Option("alert", 2, "神志清醒，对周围环境能作出正确反应"),
        Option("somnolent", 1, "嗜睡"),
        Option("confused", 1, "意识模糊"),
        Option("stupor", 0, "昏睡"),
        Option(CONSCIOUSNESS_COMA, 0, "昏迷"),
    ),
    # B.4 感知觉与社会参与 (gbt42195.md §1.3 B.4)
    "B.4.1": _scale(
        "视力正常",
        "能看清楚大字体，但看不清书报上的标准字体；或不能看报纸大标题，但能辨认物体",
        "只能看到光、颜色和形状，或完全失明",
    ),
    "B.4.2": _scale(
        "听力正常",
        "听不清正常交谈或2米以外的声音，需在安静环境或大声说话",
        "只能听到大声或缓慢说话的部分内容，或完全失聪",
    ),
    "B.4.3": _scale(
        "能完全独立计划、安排和完成日常事务",
        "计划、安排和完成日常事务需要他人监护或指导",
        "需要少量协助",
        "需要大量协助",
        "完全依赖他人",
    ),
    "B.4.4": _scale(  # no 4: Lawton IADL pattern (gbt42195.md §1.3 B.4.4, §1.9)
        "能自己骑车或搭乘公共交通工具外出",
        "能自己搭乘出租车，但不会搭乘其他公共交通工具",
        "在他人协助或陪伴下能搭乘公共交通工具",
        "只能在他人协助下搭乘出租车或私家车外出，或完全不能出门",
    ),
    "B.4.5": _scale(
        "参与社会，适应环境，待人接物恰当",
        "能适应单纯环境，主动接触他人，初见时难以察觉智力问题，不能理解隐喻语",
        "脱离社会，只能被动接触，谈话中很多不适词句，容易上当受骗",
        "勉强可与他人接触，谈吐内容不清楚，表情不恰当",
        "不能与人交往",
    ),
}

# Every item has its options, and the option scores cover exactly 0..the item's maximum.
assert set(OPTIONS) == set(ITEM_MAXIMA)
assert all({o.score for o in opts} == set(range(ITEM_MAXIMA[c] + 1)) for c, opts in OPTIONS.items())

_BY_CODE: dict[str, dict[str, Option]] = {item: {o.code: o for o in opts} for item, opts in OPTIONS.items()}


def option(item_code: str, option_code: str) -> Option | None:
    """The option of an item by its code, or None when the item has no such option."""
    return _BY_CODE.get(item_code, {}).get(option_code)


def label_of(item_code: str, score: int) -> str:
    """The label of the first option with this score (B.3.9 then names both of the shared ones)."""
    labels = [o.label for o in OPTIONS[item_code] if o.score == score]
    return "/".join(labels)
