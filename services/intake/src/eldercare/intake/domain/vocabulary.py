"""Code lists of the intake domain, each code with the Chinese label a person reads.

The circumstance vocabulary is shared across cities (shared/docs/domain.md, "Circumstance
vocabulary"), so an application, an eligibility check and a policy pack speak the same words.
"""

from __future__ import annotations

from enum import StrEnum


class Circumstance(StrEnum):
    extreme_poverty = "extreme_poverty"
    extreme_poverty_at_home = "extreme_poverty_at_home"
    subsistence_allowance = "subsistence_allowance"
    near_subsistence = "near_subsistence"
    economically_disadvantaged = "economically_disadvantaged"
    family_planning_special = "family_planning_special"
    lost_only_child = "lost_only_child"
    model_worker_city = "model_worker_city"
    hero_county = "hero_county"
    disabled_on_duty = "disabled_on_duty"
    disabled_person = "disabled_person"
    severely_disabled_person = "severely_disabled_person"
    priority_entitled = "priority_entitled"
    three_min = "three_min"
    living_alone = "living_alone"
    empty_nest = "empty_nest"
    left_behind = "left_behind"
    receives_extreme_poverty_care = "receives_extreme_poverty_care"


CIRCUMSTANCE_LABELS: dict[Circumstance, str] = {
    Circumstance.extreme_poverty: "特困供养",
    Circumstance.extreme_poverty_at_home: "分散供养特困（散居特困）",
    Circumstance.subsistence_allowance: "低保",
    Circumstance.near_subsistence: "低保边缘",
    Circumstance.economically_disadvantaged: "经济困难",
    Circumstance.family_planning_special: "计划生育特殊家庭",
    Circumstance.lost_only_child: "失独",
    Circumstance.model_worker_city: "市级以上劳动模范",
    Circumstance.hero_county: "县级以上见义勇为",
    Circumstance.disabled_on_duty: "因公致残",
    Circumstance.disabled_person: "残疾（持证）",
    Circumstance.severely_disabled_person: "重度残疾",
    Circumstance.priority_entitled: "重点优抚对象",
    Circumstance.three_min: "文革“三民”",
    Circumstance.living_alone: "独居",
    Circumstance.empty_nest: "空巢",
    Circumstance.left_behind: "留守",
    Circumstance.receives_extreme_poverty_care: "已享受特困人员照料服务",
}


class Sex(StrEnum):
    male = "male"
    female = "female"


SEX_LABELS = {Sex.male: "男", Sex.female: "女"}


class Guardian(StrEnum):
    """Who is the applicant's guardian (监护人); decides whether emergency help is mandatory."""

    family = "family"
    civil_affairs_bureau = "civil_affairs_bureau"
    village_committee = "village_committee"
    residents_committee = "residents_committee"


GUARDIAN_LABELS = {
    Guardian.family: "家庭成员",
    Guardian.civil_affairs_bureau: "民政部门",
    Guardian.village_committee: "村民委员会",
    Guardian.residents_committee: "居民委员会",
}

# GB/T 43153-2023 categories as used in shared/reference/service-catalog.md.
SERVICE_CATEGORY_LABELS = {
    "daily_living": "生活照料服务",
    "basic_nursing": "基础照护服务",
    "health_management": "健康管理服务",
    "emotional_comfort": "精神慰藉服务",
    "welfare_visit": "探访关爱服务",
    "errands": "委托代办服务",
}
