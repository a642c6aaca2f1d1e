//! Long on purpose (one file): a single generator whose steps draw from one seeded random stream in a fixed order, with the tests that pin its figures; apart, the steps would read as unrelated pieces.
//! A deterministic synthetic community with Xingxianli's shape (design.md: 3 committees, 30
//! groups, 83 buildings, 2,749 households, 11,212 residents, 453 disabled residents, 739
//! low-income households, 179 party members, 7,346 working-age residents), for demos, load tests
//! and import tests. Nobody in it is real: phones are in `19900xxxxxx` and ID numbers use the
//! region codes `990101`–`990199`, which no real county has.

use std::collections::HashSet;

use chrono::{Datelike, Days, Months, NaiveDate};

use super::sheet_import::{ENGLISH_COLUMNS, ImportRow};
use super::{Gender, IdCardNumber, Phone, Relation, make_id_card};

/// Residents' committees (居委会).
pub const COMMITTEES: usize = 3;
/// Resident groups (居民组) per committee.
pub const GROUPS_PER_COMMITTEE: usize = 10;
/// Apartment buildings.
pub const BUILDINGS: usize = 83;
/// Households (户).
pub const HOUSEHOLDS: usize = 2_749;
/// Residents.
pub const RESIDENTS: usize = 11_212;
/// Residents with a disability.
pub const DISABLED_RESIDENTS: usize = 453;
/// Low-income (低保) households.
pub const LOW_INCOME_HOUSEHOLDS: usize = 739;
/// Party members.
pub const PARTY_MEMBERS: usize = 179;
/// Residents aged 16 to 59.
pub const WORKING_AGE_RESIDENTS: usize = 7_346;

/// Youngest working age, in completed years.
const WORKING_AGE_FROM: u32 = 16;
/// Oldest working age, in completed years.
const WORKING_AGE_TO: u32 = 59;
/// Age from which a resident usually has a phone and may join the party.
const ADULT_AGE: u32 = 18;
/// Oldest generated resident; keeps birth dates after 1900 for any `as_of` after 1996.
const MAX_AGE: u32 = 95;

const COMMITTEE_NAMES: [&str; COMMITTEES] = ["第一居委会", "第二居委会", "第三居委会"];
const SURNAMES: [&str; 32] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
    "何", "郭", "马", "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "程", "曹", "袁",
];
const MALE_GIVEN: [&str; 24] = [
    "伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏", "华", "飞",
    "建国", "国强", "志强", "建军", "海涛", "红军", "子轩", "浩然",
];
const FEMALE_GIVEN: [&str; 24] = [
    "芳", "娟", "敏", "静", "丽", "艳", "霞", "燕", "玲", "萍", "红", "梅", "兰", "琳", "雪", "婷",
    "秀英", "桂英", "玉兰", "秀兰", "桂兰", "丽娟", "欣怡", "梓涵",
];
const SKILLS: [&str; 10] = [
    "保洁",
    "缝纫",
    "电工",
    "厨师",
    "驾驶",
    "种植食用菌",
    "保安",
    "家政",
    "焊工",
    "搬运",
];

/// Whether someone born on `birth` is of working age (16 to 59 completed years) on `as_of`.
pub fn is_working_age(birth: NaiveDate, as_of: NaiveDate) -> bool {
    age_on(birth, as_of).is_some_and(|age| (WORKING_AGE_FROM..=WORKING_AGE_TO).contains(&age))
}

/// Completed years of age on `date`; `None` before birth.
fn age_on(birth: NaiveDate, date: NaiveDate) -> Option<u32> {
    if birth > date {
        return None;
    }
    let before_birthday = (date.month(), date.day()) < (birth.month(), birth.day());
    let years = date.year() - birth.year() - i32::from(before_birthday);
    u32::try_from(years).ok()
}

/// The synthetic community's residents, in import-file order, with `line` set as in [`to_csv`].
pub fn generate(seed: u64, as_of: NaiveDate) -> Vec<ImportRow> {
    let mut rng = SplitMix64(seed);
    let groups = group_building_counts(&mut rng);
    let buildings = building_household_counts(&mut rng);
    let sizes = household_sizes(&mut rng);
    let mut households: Vec<Vec<Person>> =
        sizes.iter().map(|&size| family(size, &mut rng)).collect();
    hit_working_age_target(&mut households, &mut rng);

    let low_income = low_income_households(&households, &mut rng);
    let mut people: Vec<&mut Person> = households.iter_mut().flatten().collect();
    let disabled = weighted_sample(
        &people
            .iter()
            .map(|p| 1.0 + f64::from(p.age) / 20.0)
            .collect::<Vec<_>>(),
        DISABLED_RESIDENTS,
        &mut rng,
    );
    let party = weighted_sample(
        &people
            .iter()
            .map(|p| {
                if p.age >= ADULT_AGE {
                    1.0 + f64::from(p.age) / 15.0
                } else {
                    0.0
                }
            })
            .collect::<Vec<_>>(),
        PARTY_MEMBERS,
        &mut rng,
    );
    for (index, person) in people.iter_mut().enumerate() {
        person.disability_level = disabled[index].then(|| disability_level(&mut rng));
        person.party_member = party[index];
    }

    let mut rows = Vec::with_capacity(RESIDENTS);
    let mut identities = Identities::new(&mut rng);
    let mut household_index = 0;
    let mut building_number = 0;
    for (group_index, &building_count) in groups.iter().enumerate() {
        let committee = COMMITTEE_NAMES[group_index / GROUPS_PER_COMMITTEE];
        let group = format!("{committee}第{}组", group_index % GROUPS_PER_COMMITTEE + 1);
        for _ in 0..building_count {
            let household_count = buildings[building_number];
            building_number += 1;
            let building = format!("{building_number}号楼");
            for label in household_labels(household_count, &mut rng) {
                let members = &households[household_index];
                let poor = low_income[household_index];
                household_index += 1;
                for person in members {
                    let birth = birth_for_age(as_of, person.age, &mut rng);
                    let Some((id_card, phone)) = identities.next(person, birth, &mut rng) else {
                        // Cannot happen with our fixed regions and clamped dates; a missing row
                        // fails the count tests, where a panic would take down a demo server.
                        continue;
                    };
                    rows.push(ImportRow {
                        line: rows.len() + 2,
                        committee: committee.to_owned(),
                        group: group.clone(),
                        building: building.clone(),
                        household: label.clone(),
                        relation: Some(person.relation),
                        name: person.name.clone(),
                        gender: if person.male {
                            Gender::Male
                        } else {
                            Gender::Female
                        },
                        birth_date: birth,
                        phone,
                        id_card,
                        disability: person.disability_level.is_some(),
                        disability_level: person.disability_level,
                        party_member: person.party_member,
                        low_income: poor,
                        skills: person.skills(is_working_age(birth, as_of), &mut rng),
                    });
                }
            }
        }
    }
    rows
}

/// The rows as an import file: UTF-8, English header, full ID numbers.
pub fn to_csv(rows: &[ImportRow]) -> String {
    let mut out = String::with_capacity(rows.len() * 120 + 200);
    out.push_str(&ENGLISH_COLUMNS.join(","));
    out.push('\n');
    for row in rows {
        let yes_no = |flag: bool| if flag { "是" } else { "否" };
        let cells: [&str; 15] = [
            &row.committee,
            &row.group,
            &row.building,
            &row.household,
            row.relation.map_or("", relation_word),
            &row.name,
            match row.gender {
                Gender::Male => "男",
                Gender::Female => "女",
            },
            &row.birth_date.format("%Y-%m-%d").to_string(),
            row.phone.as_ref().map_or("", Phone::as_str),
            row.id_card.expose(),
            yes_no(row.disability),
            match row.disability_level {
                Some(1) => "1",
                Some(2) => "2",
                Some(3) => "3",
                Some(4) => "4",
                _ => "",
            },
            yes_no(row.party_member),
            yes_no(row.low_income),
            &row.skills.join("、"),
        ];
        for (index, cell) in cells.iter().enumerate() {
            if index > 0 {
                out.push(',');
            }
            push_csv_cell(&mut out, cell);
        }
        out.push('\n');
    }
    out
}

fn relation_word(relation: Relation) -> &'static str {
    match relation {
        Relation::Head => "户主",
        Relation::Spouse => "配偶",
        Relation::Child => "子女",
        Relation::Parent => "父母",
        Relation::Other => "其他",
    }
}

/// Quotes a cell only when CSV needs it (rows from a parsed file may hold commas or quotes).
fn push_csv_cell(out: &mut String, cell: &str) {
    let needs_quotes = cell.contains([',', '"', '\n', '\r'])
        || cell.starts_with(char::is_whitespace)
        || cell.ends_with(char::is_whitespace);
    if needs_quotes {
        out.push('"');
        out.push_str(&cell.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(cell);
    }
}

/// One generated resident before dates and identities are drawn.
struct Person {
    relation: Relation,
    male: bool,
    age: u32,
    name: String,
    disability_level: Option<u8>,
    party_member: bool,
}

impl Person {
    fn new(relation: Relation, male: bool, age: u32, surname: &str, rng: &mut SplitMix64) -> Self {
        let given = if male { &MALE_GIVEN } else { &FEMALE_GIVEN };
        Person {
            relation,
            male,
            age: age.min(MAX_AGE),
            name: format!("{surname}{}", rng.pick(given)),
            disability_level: None,
            party_member: false,
        }
    }

    /// About a third of working-age residents list one or two skills.
    fn skills(&self, working_age: bool, rng: &mut SplitMix64) -> Vec<String> {
        if !working_age || !rng.chance(0.35) {
            return Vec::new();
        }
        let first = rng.below(SKILLS.len());
        let mut skills = vec![SKILLS[first].to_owned()];
        if rng.chance(0.3) {
            let second = (first + 1 + rng.below(SKILLS.len() - 1)) % SKILLS.len();
            skills.push(SKILLS[second].to_owned());
        }
        skills
    }
}

/// Buildings per group: 2–4 each, 83 in all.
fn group_building_counts(rng: &mut SplitMix64) -> Vec<usize> {
    let groups = COMMITTEES * GROUPS_PER_COMMITTEE;
    let mut counts = vec![3; groups];
    let mut total = 3 * groups;
    while total > BUILDINGS {
        let index = rng.below(groups);
        if counts[index] > 2 {
            counts[index] -= 1;
            total -= 1;
        }
    }
    // Moves that keep the total give some groups four buildings.
    for _ in 0..groups {
        let (from, to) = (rng.below(groups), rng.below(groups));
        if from != to && counts[from] > 2 && counts[to] < 4 {
            counts[from] -= 1;
            counts[to] += 1;
        }
    }
    counts
}

/// Households per building, 26–40, 2,749 in all.
fn building_household_counts(rng: &mut SplitMix64) -> Vec<usize> {
    let base = HOUSEHOLDS / BUILDINGS;
    let mut counts = vec![base; BUILDINGS];
    for _ in 0..HOUSEHOLDS - base * BUILDINGS {
        counts[rng.below(BUILDINGS)] += 1;
    }
    for _ in 0..BUILDINGS * 4 {
        let (from, to) = (rng.below(BUILDINGS), rng.below(BUILDINGS));
        if from != to && counts[from] > 26 && counts[to] < 40 {
            counts[from] -= 1;
            counts[to] += 1;
        }
    }
    counts
}

/// `count` distinct `unit-floorroom` labels (`3-201`) in a building of 3 units, 7 floors and
/// 2 flats per landing, in reading order.
fn household_labels(count: usize, rng: &mut SplitMix64) -> Vec<String> {
    let mut slots: Vec<(u32, u32, u32)> = (1..=3)
        .flat_map(|unit| {
            (1..=7).flat_map(move |floor| (1..=2).map(move |room| (unit, floor, room)))
        })
        .collect();
    rng.shuffle(&mut slots);
    slots.truncate(count);
    slots.sort_unstable();
    slots
        .into_iter()
        .map(|(unit, floor, room)| format!("{unit}-{floor}{room:02}"))
        .collect()
}

/// Household sizes 1–8 summing to exactly 11,212.
fn household_sizes(rng: &mut SplitMix64) -> Vec<usize> {
    const WEIGHTS: [u64; 8] = [6, 14, 18, 24, 19, 11, 5, 3];
    let total_weight: u64 = WEIGHTS.iter().sum();
    let mut sizes: Vec<usize> = (0..HOUSEHOLDS)
        .map(|_| {
            let mut roll = rng.below_u64(total_weight);
            let mut size = 1;
            for weight in WEIGHTS {
                if roll < weight {
                    break;
                }
                roll -= weight;
                size += 1;
            }
            size
        })
        .collect();
    let mut total: usize = sizes.iter().sum();
    // Each step scans from a random household to the next one that can change, so it ends.
    while total != RESIDENTS {
        let grow = total < RESIDENTS;
        let start = rng.below(HOUSEHOLDS);
        let found = (0..HOUSEHOLDS)
            .map(|offset| (start + offset) % HOUSEHOLDS)
            .find(|&i| if grow { sizes[i] < 8 } else { sizes[i] > 1 });
        let Some(index) = found else { break };
        if grow {
            sizes[index] += 1;
            total += 1;
        } else {
            sizes[index] -= 1;
            total -= 1;
        }
    }
    sizes
}

/// A plausible family of `size`: the head first, then spouse, parents, children and others.
fn family(size: usize, rng: &mut SplitMix64) -> Vec<Person> {
    let mut remaining = size - 1;
    let spouse = remaining >= 1 && rng.chance(if size == 2 { 0.75 } else { 0.9 });
    remaining -= usize::from(spouse);
    let parents = match remaining {
        0 => 0,
        1 => usize::from(!spouse && rng.chance(0.4)),
        2 => usize::from(rng.chance(0.3)),
        _ => [0, 0, 1, 1, 2][rng.below(5)],
    };
    remaining -= parents;
    let children = remaining.min(5);
    let others = remaining - children;

    let head_age = if parents > 0 {
        rng.range(26, 52)
    } else if children > 0 {
        rng.range(34, 64)
    } else if rng.chance(0.35) {
        rng.range(60, 88)
    } else {
        rng.range(22, 59)
    };
    let head_male = rng.chance(if spouse { 0.85 } else { 0.6 });
    let head_surname = *rng.pick(&SURNAMES);
    let spouse_surname = *rng.pick(&SURNAMES);
    let family_surname = if head_male || !spouse {
        head_surname
    } else {
        spouse_surname
    };

    let mut members = vec![Person::new(
        Relation::Head,
        head_male,
        head_age,
        head_surname,
        rng,
    )];
    if spouse {
        let spouse_age = if head_male {
            head_age.saturating_sub(rng.range(0, 5)).max(20)
        } else {
            head_age + rng.range(0, 5)
        };
        members.push(Person::new(
            Relation::Spouse,
            !head_male,
            spouse_age,
            spouse_surname,
            rng,
        ));
    }
    for index in 0..parents {
        // Two parents are a couple; a lone parent is more often a widowed mother.
        let male = if parents == 2 {
            index == 0
        } else {
            rng.chance(0.35)
        };
        let age = head_age + rng.range(22, 34) + u32::from(male && parents == 2) * rng.range(0, 3);
        let surname = if male {
            head_surname
        } else {
            *rng.pick(&SURNAMES)
        };
        members.push(Person::new(Relation::Parent, male, age, surname, rng));
    }
    for _ in 0..children {
        let age = head_age.saturating_sub(rng.range(21, 36).min(head_age));
        let male = rng.chance(0.52);
        members.push(Person::new(Relation::Child, male, age, family_surname, rng));
    }
    for _ in 0..others {
        // Grandchildren in an older household, otherwise a sibling of the head.
        let (age, surname) = if head_age >= 48 {
            (rng.range(0, (head_age - 44).min(12)), family_surname)
        } else {
            (
                rng.range(head_age.saturating_sub(8).max(16), head_age + 8),
                head_surname,
            )
        };
        let male = rng.chance(0.5);
        members.push(Person::new(Relation::Other, male, age, surname, rng));
    }
    members
}

/// Whether the ages in a family still make sense (parents old enough to be parents, ...).
fn plausible(members: &[Person]) -> bool {
    let Some(head) = members.first() else {
        return true;
    };
    let gap = |older: u32, younger: u32| older >= younger + 18 && older <= younger + 46;
    head.age >= ADULT_AGE
        && members.iter().all(|person| match person.relation {
            Relation::Head | Relation::Other => person.age <= MAX_AGE,
            Relation::Spouse => person.age >= 20 && person.age.abs_diff(head.age) <= 12,
            Relation::Child => gap(head.age, person.age),
            Relation::Parent => gap(person.age, head.age) && person.age <= MAX_AGE,
        })
}

/// Moves residents near the age boundaries across them until exactly 7,346 are of working age.
fn hit_working_age_target(households: &mut [Vec<Person>], rng: &mut SplitMix64) {
    let working = |age: u32| (WORKING_AGE_FROM..=WORKING_AGE_TO).contains(&age);
    let mut count = households
        .iter()
        .flatten()
        .filter(|p| working(p.age))
        .count();
    let mut order: Vec<(usize, usize)> = households
        .iter()
        .enumerate()
        .flat_map(|(h, members)| (0..members.len()).map(move |m| (h, m)))
        .collect();
    rng.shuffle(&mut order);
    for &(h, m) in order.iter().cycle().take(order.len() * 3) {
        if count == WORKING_AGE_RESIDENTS {
            break;
        }
        let too_many = count > WORKING_AGE_RESIDENTS;
        let age = households[h][m].age;
        let target = match (too_many, working(age)) {
            (true, true) if age <= 19 => WORKING_AGE_FROM - 1 - rng.range(0, 2),
            (true, true) if age >= 56 => WORKING_AGE_TO + 1 + rng.range(0, 3),
            (false, false) if (12..WORKING_AGE_FROM).contains(&age) => {
                WORKING_AGE_FROM + rng.range(0, 2)
            }
            (false, false) if (WORKING_AGE_TO + 1..=63).contains(&age) => {
                WORKING_AGE_TO - rng.range(0, 3)
            }
            _ => continue,
        };
        households[h][m].age = target;
        if plausible(&households[h]) {
            count = if too_many { count - 1 } else { count + 1 };
        } else {
            households[h][m].age = age;
        }
    }
}

/// 739 households, favouring those with a disabled, elderly or large family.
fn low_income_households(households: &[Vec<Person>], rng: &mut SplitMix64) -> Vec<bool> {
    let weights: Vec<f64> = households
        .iter()
        .map(|members| {
            let elderly = members.iter().filter(|p| p.age > WORKING_AGE_TO).count();
            1.0 + 0.5 * elderly as f64 + 0.1 * members.len() as f64
        })
        .collect();
    weighted_sample(&weights, LOW_INCOME_HOUSEHOLDS, rng)
}

/// Levels 1 (most severe) to 4, milder ones more common.
fn disability_level(rng: &mut SplitMix64) -> u8 {
    match rng.below(10) {
        0 => 1,
        1 | 2 => 2,
        3..=5 => 3,
        _ => 4,
    }
}

/// Exactly `k` of the items, each drawn with probability growing with its weight
/// (Efraimidis–Spirakis: the `k` largest `u^(1/w)`); zero weights are never drawn.
fn weighted_sample(weights: &[f64], k: usize, rng: &mut SplitMix64) -> Vec<bool> {
    let mut keys: Vec<(f64, usize)> = weights
        .iter()
        .enumerate()
        .filter(|(_, w)| **w > 0.0)
        .map(|(index, w)| (rng.unit().powf(1.0 / w), index))
        .collect();
    keys.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut chosen = vec![false; weights.len()];
    for &(_, index) in keys.iter().take(k) {
        chosen[index] = true;
    }
    chosen
}

/// A birth date on which someone is exactly `age` completed years old on `as_of`.
fn birth_for_age(as_of: NaiveDate, age: u32, rng: &mut SplitMix64) -> NaiveDate {
    let latest = as_of
        .checked_sub_months(Months::new(12 * age))
        .unwrap_or(as_of);
    let earliest = as_of
        .checked_sub_months(Months::new(12 * (age + 1)))
        .and_then(|date| date.checked_add_days(Days::new(1)))
        .unwrap_or(latest);
    let span = u64::try_from((latest - earliest).num_days()).unwrap_or(0);
    let birth = earliest
        .checked_add_days(Days::new(rng.below_u64(span + 1)))
        .unwrap_or(latest);
    birth.max(NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(birth))
}

/// Draws unique fake phone numbers and ID numbers.
struct Identities {
    next_phone: u64,
    ids: HashSet<String>,
}

impl Identities {
    /// Numbers `19900000000`–`19900999999`, visited by a stride coprime to their count so that
    /// they are unique and spread out.
    const PHONE_BASE: u64 = 19_900_000_000;
    const PHONE_COUNT: u64 = 1_000_000;
    const PHONE_STRIDE: u64 = 7_919;

    fn new(rng: &mut SplitMix64) -> Self {
        Identities {
            next_phone: rng.below_u64(Self::PHONE_COUNT),
            ids: HashSet::with_capacity(RESIDENTS),
        }
    }

    fn next(
        &mut self,
        person: &Person,
        birth: NaiveDate,
        rng: &mut SplitMix64,
    ) -> Option<(IdCardNumber, Option<Phone>)> {
        let mut region = 990_101 + rng.below_u64(99);
        let mut sequence = u16::try_from(rng.below(1000)).unwrap_or(0);
        let mut found = None;
        // 99 regions x 500 sequences of one gender: every free number for this birth date.
        for _ in 0..99 * 500 {
            let id = make_id_card(&region.to_string(), birth, sequence, person.male).ok()?;
            if self.ids.insert(id.expose().to_owned()) {
                found = Some(id);
                break;
            }
            // Stepping by 2 keeps the gender digit; after a full cycle try another region.
            sequence = (sequence + 2) % 1000;
            if sequence < 2 {
                region = 990_101 + (region - 990_101 + 1) % 99;
            }
        }
        let id = found?;
        let has_phone = match person.age {
            age if age < ADULT_AGE => false,
            age if age < 65 => rng.chance(0.93),
            age if age < 75 => rng.chance(0.7),
            _ => rng.chance(0.45),
        };
        let phone = if has_phone {
            let number = Self::PHONE_BASE + self.next_phone;
            self.next_phone = (self.next_phone + Self::PHONE_STRIDE) % Self::PHONE_COUNT;
            Phone::parse(&number.to_string()).ok()
        } else {
            None
        };
        Some((id, phone))
    }
}

/// SplitMix64 (Steele, Lea and Flood 2014): tiny, fast and good enough for test data.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (Lemire's multiply-shift; its tiny bias is irrelevant here).
    fn below_u64(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    fn below(&mut self, n: usize) -> usize {
        self.below_u64(n as u64) as usize
    }

    /// Uniform in `low..=high`.
    fn range(&mut self, low: u32, high: u32) -> u32 {
        low + self.below_u64(u64::from(high.saturating_sub(low)) + 1) as u32
    }

    /// Uniform in `(0, 1]`, never 0 so that `powf` in sampling stays meaningful.
    fn unit(&mut self) -> f64 {
        ((self.next_u64() >> 11) + 1) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, probability: f64) -> bool {
        self.unit() <= probability
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet, HashMap};

    use super::*;
    use crate::people::parse_import;

    fn as_of() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 6, 1).unwrap()
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn age(row: &ImportRow) -> u32 {
        age_on(row.birth_date, as_of()).unwrap()
    }

    /// Rows by household, in file order.
    fn households(rows: &[ImportRow]) -> BTreeMap<(String, String), Vec<&ImportRow>> {
        let mut map: BTreeMap<_, Vec<_>> = BTreeMap::new();
        for row in rows {
            map.entry((row.building.clone(), row.household.clone()))
                .or_default()
                .push(row);
        }
        map
    }

    #[test]
    fn has_exactly_xingxianlis_counts() {
        for seed in [0, 1, 2025] {
            let rows = generate(seed, as_of());
            assert_eq!(rows.len(), RESIDENTS, "seed {seed}");

            let committees: BTreeSet<_> = rows.iter().map(|r| r.committee.as_str()).collect();
            assert_eq!(committees, COMMITTEE_NAMES.into_iter().collect());

            let mut groups_per_committee: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
            let mut group_of_building: HashMap<&str, (&str, &str)> = HashMap::new();
            for row in &rows {
                groups_per_committee
                    .entry(&row.committee)
                    .or_default()
                    .insert(&row.group);
                let group = (row.committee.as_str(), row.group.as_str());
                let first = *group_of_building.entry(&row.building).or_insert(group);
                assert_eq!(first, group, "building {} is in one group", row.building);
            }
            assert!(
                groups_per_committee
                    .values()
                    .all(|g| g.len() == GROUPS_PER_COMMITTEE)
            );
            let all_groups: BTreeSet<_> = group_of_building.values().collect();
            assert_eq!(all_groups.len(), COMMITTEES * GROUPS_PER_COMMITTEE);
            let expected_buildings: BTreeSet<String> =
                (1..=BUILDINGS).map(|n| format!("{n}号楼")).collect();
            let buildings: BTreeSet<String> =
                group_of_building.keys().map(|b| (*b).to_owned()).collect();
            assert_eq!(buildings, expected_buildings);
            let mut buildings_per_group: HashMap<(&str, &str), usize> = HashMap::new();
            for group in group_of_building.values() {
                *buildings_per_group.entry(*group).or_default() += 1;
            }
            assert!(buildings_per_group.values().all(|n| (2..=4).contains(n)));

            let households = households(&rows);
            assert_eq!(households.len(), HOUSEHOLDS);
            let low_income: Vec<_> = households
                .values()
                .filter(|members| members.iter().any(|r| r.low_income))
                .collect();
            assert_eq!(low_income.len(), LOW_INCOME_HOUSEHOLDS);
            assert!(low_income.iter().all(|m| m.iter().all(|r| r.low_income)));

            let disabled: Vec<_> = rows.iter().filter(|r| r.disability).collect();
            assert_eq!(disabled.len(), DISABLED_RESIDENTS);
            assert!(
                disabled
                    .iter()
                    .all(|r| matches!(r.disability_level, Some(1..=4)))
            );
            assert!(
                rows.iter()
                    .all(|r| r.disability || r.disability_level.is_none())
            );
            let levels: BTreeSet<_> = disabled.iter().map(|r| r.disability_level).collect();
            assert_eq!(levels.len(), 4, "every level occurs");

            let party: Vec<_> = rows.iter().filter(|r| r.party_member).collect();
            assert_eq!(party.len(), PARTY_MEMBERS);
            assert!(party.iter().all(|r| age(r) >= ADULT_AGE));

            let working = rows
                .iter()
                .filter(|r| is_working_age(r.birth_date, as_of()))
                .count();
            assert_eq!(working, WORKING_AGE_RESIDENTS);
        }
    }

    #[test]
    fn families_are_plausible() {
        let rows = generate(3, as_of());
        let households = households(&rows);
        let mut sizes = Vec::new();
        for members in households.values() {
            sizes.push(members.len());
            assert!((1..=8).contains(&members.len()));
            let heads: Vec<_> = members
                .iter()
                .filter(|r| r.relation == Some(Relation::Head))
                .collect();
            assert_eq!(heads.len(), 1, "one head in {:?}", members[0].household);
            let head = heads[0];
            assert_eq!(
                members[0].relation,
                Some(Relation::Head),
                "head comes first"
            );
            assert!(age(head) >= ADULT_AGE);
            let spouses: Vec<_> = members
                .iter()
                .filter(|r| r.relation == Some(Relation::Spouse))
                .collect();
            assert!(spouses.len() <= 1);
            for spouse in spouses {
                assert_ne!(spouse.gender, head.gender);
                assert!(age(spouse).abs_diff(age(head)) <= 12);
            }
            for row in members.iter().copied() {
                match row.relation {
                    Some(Relation::Child) => assert!((18..=46).contains(&(age(head) - age(row)))),
                    Some(Relation::Parent) => assert!((18..=46).contains(&(age(row) - age(head)))),
                    _ => {}
                }
            }
            let parents = members
                .iter()
                .filter(|r| r.relation == Some(Relation::Parent))
                .count();
            assert!(parents <= 2);
            // Everyone in a household is in the same building, so in the same group.
            assert!(members.iter().all(|r| r.group == head.group));
        }
        let mean = RESIDENTS as f64 / HOUSEHOLDS as f64;
        assert!((mean - 4.08).abs() < 0.01);
        for size in 1..=8 {
            assert!(sizes.contains(&size), "some household has {size} people");
        }
        let labels_ok = households.keys().all(|(_, label)| {
            let (unit, room) = label.split_once('-').unwrap();
            unit.parse::<u32>().is_ok() && room.len() >= 3 && room.parse::<u32>().is_ok()
        });
        assert!(labels_ok);
    }

    #[test]
    fn identities_are_fake_unique_and_consistent() {
        let rows = generate(4, as_of());
        let mut ids = HashSet::new();
        let mut phones = HashSet::new();
        let mut adults = 0;
        let mut adults_with_phone = 0;
        for row in &rows {
            let id = row.id_card.expose();
            assert!(ids.insert(id.to_owned()), "unique ID");
            let region: u32 = id[..6].parse().unwrap();
            assert!((990_101..=990_199).contains(&region), "{region}");
            assert_eq!(row.id_card.birth_date(), row.birth_date);
            assert_eq!(row.id_card.gender(), row.gender);
            if age(row) >= ADULT_AGE {
                adults += 1;
                adults_with_phone += usize::from(row.phone.is_some());
            } else {
                assert_eq!(row.phone, None, "children have no phone");
            }
            if let Some(phone) = &row.phone {
                assert!(phone.as_str().starts_with("19900"), "{phone}");
                assert!(phones.insert(phone.clone()), "unique phone");
            }
            assert!(row.skills.iter().all(|s| SKILLS.contains(&s.as_str())));
            if !row.skills.is_empty() {
                assert!(is_working_age(row.birth_date, as_of()));
            }
        }
        assert!(
            adults_with_phone * 10 > adults * 8,
            "most adults have a phone"
        );
        assert!(rows.iter().filter(|r| !r.skills.is_empty()).count() > 1000);
    }

    #[test]
    fn the_same_seed_gives_the_same_file() {
        let first = to_csv(&generate(11, as_of()));
        assert_eq!(first, to_csv(&generate(11, as_of())));
        assert_ne!(first, to_csv(&generate(12, as_of())));
        assert!(first.starts_with(
            "committee,group,building,household,relation,name,gender,birth_date,phone,\
             id_card_number,disability,disability_level,party_member,low_income,skills\n"
        ));
        assert_eq!(first.lines().count(), RESIDENTS + 1);
    }

    #[test]
    fn the_csv_parses_back_to_the_same_rows() {
        let rows = generate(5, as_of());
        let parsed = parse_import(to_csv(&rows).as_bytes(), as_of()).unwrap();
        assert_eq!(parsed.len(), rows.len());
        for (parsed, generated) in parsed.iter().zip(&rows) {
            assert_eq!(parsed, generated);
        }
    }

    #[test]
    fn to_csv_quotes_cells_that_need_it() {
        let mut rows = generate(6, as_of());
        rows.truncate(3);
        rows[0].name = "王\"小\",明".to_owned();
        rows[1].name = " 李四".to_owned();
        let csv = to_csv(&rows);
        assert!(csv.contains("\"王\"\"小\"\",明\""), "{csv}");
        let parsed = parse_import(csv.as_bytes(), as_of()).unwrap();
        assert_eq!(parsed[0].name, rows[0].name);
        // The importer trims cells, so only the surrounding space is lost.
        assert_eq!(parsed[1].name, "李四");
        assert!(csv.contains(",\" 李四\","), "{csv}");
    }

    #[test]
    fn working_age_runs_from_the_16th_birthday_to_the_day_before_the_60th() {
        let as_of = date(2025, 6, 1);
        assert!(!is_working_age(date(2009, 6, 2), as_of));
        assert!(is_working_age(date(2009, 6, 1), as_of));
        assert!(is_working_age(date(1965, 6, 2), as_of));
        assert!(!is_working_age(date(1965, 6, 1), as_of));
        assert!(!is_working_age(date(2030, 1, 1), as_of));
        // Born on 29 February: a year later it is 28 February that has not yet passed.
        assert!(!is_working_age(date(2008, 2, 29), date(2024, 2, 28)));
        assert!(is_working_age(date(2008, 2, 29), date(2024, 2, 29)));
        assert!(is_working_age(date(2008, 2, 29), date(2024, 3, 1)));
    }

    #[test]
    fn birth_for_age_gives_exactly_that_age() {
        let mut rng = SplitMix64(9);
        for as_of in [
            date(2024, 2, 29),
            date(2023, 2, 28),
            date(2025, 3, 1),
            date(2025, 12, 31),
            date(2025, 1, 1),
        ] {
            for age in 0..=MAX_AGE {
                for _ in 0..20 {
                    let birth = birth_for_age(as_of, age, &mut rng);
                    assert_eq!(age_on(birth, as_of), Some(age), "{as_of} {age} {birth}");
                }
            }
        }
    }

    #[test]
    fn splitmix64_matches_the_reference_sequence() {
        // First outputs for seed 0 of the reference C implementation.
        let mut rng = SplitMix64(0);
        assert_eq!(rng.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(rng.next_u64(), 0x6E78_9E6A_A1B9_65F4);
        assert_eq!(rng.next_u64(), 0x06C4_5D18_8009_454F);
    }

    #[test]
    fn weighted_sample_takes_exactly_k_and_never_a_zero_weight() {
        let mut rng = SplitMix64(1);
        let weights: Vec<f64> = (0..1000).map(|i| f64::from(i % 3)).collect();
        let chosen = weighted_sample(&weights, 300, &mut rng);
        assert_eq!(chosen.iter().filter(|c| **c).count(), 300);
        assert!(chosen.iter().zip(&weights).all(|(c, w)| !*c || *w > 0.0));
    }
}
