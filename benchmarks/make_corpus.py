"""Generate a synthetic benchmark corpus of council oversight documents.

Usage::

    python benchmarks/make_corpus.py --n 250 --seed 1 --out benchmarks/out/corpus-250

The corpus is benchmark input only, never a test of extraction quality. It holds N
documents of every kind councilkg loads, in the layouts of the samples in
``data/sources`` but written from sentence banks, for real councils (taken from
``data/reference/councils.csv`` so that council resolution works) with invented people,
figures and dates:

* LGA Corporate Peer Challenge progress reviews in three layouts: a titled report with
  a bulleted summary list and themed listings (``layout a``); text converted from PDF,
  with a table of contents, page furniture, page numbers, hard line breaks and peers
  listed with their peer-team role in front (``layout b``); no title line, single
  newlines, ``Recommendation N: Title – text`` each followed by its findings
  (``layout c``). Each review has 10 to 20 recommendations and a peer team drawn from a
  pool of peers shared across councils, so people link across documents;
* CQC local authority assessments (markdown): rating, the nine quality statements with
  scores (listed twice, as CQC publishes them), financial facts, and 30+ national
  indicators stated against the England average;
* committee minutes (ModernGov style): agenda item, numbered paragraphs, bullets, chosen
  topics and statistics (comparisons, changes, waiting times).

Output is a function of ``--n`` and ``--seed`` only: each document is drawn from its own
random generator seeded with ``(seed, index)``, so the same arguments give byte-identical
files, and the first 250 documents of ``--n 2500`` are the 250 of ``--n 250``. (The shared
peer pool is sized from N, so peer teams differ between corpus sizes.)
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from councilkg import reference

# --- which kind each document is ----------------------------------------------------------------
#: One cycle of 20 documents: 7 progress reviews (layouts a, b, c), 5 CQC assessments, 8 minutes.
KIND_CYCLE = (
    "pr-a", "cqc", "min", "pr-b", "min", "pr-c", "cqc", "min", "pr-a", "min",
    "cqc", "pr-b", "min", "pr-c", "cqc", "min", "pr-a", "min", "cqc", "min",
)
#: Councils with adult social care duties (the ones CQC assesses).
CQC_TYPES = {"unitary", "county", "metropolitan-borough", "london-borough"}
#: Minutes name their council only by place ("<Place> Council"); keep places the loader can read.
PLACE_NAME = re.compile(r"^[A-Z][a-z'’-]+(?: [A-Z][a-z'’-]+)?$")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# --- invented people ----------------------------------------------------------------------------
FIRST_NAMES = (
    "Aisha Alan Amira Andrew Angela Anita Ben Bethany Carl Caroline Chloe Colin Daniel Deborah Declan Eleanor "
    "Elliot Farah Fiona Gareth Grace Hamid Hannah Helen Ian Imran Isla Jacob Janet Jasmine Joel Julia Karen Kieran "
    "Laura Leon Lucy Malcolm Maya Megan Nadia Neil Nina Oliver Omar Pamela Patrick Priya Rachel Rhys Robert Rosa "
    "Samir Sandra Sean Sophie Stephen Tanya Theo Una Victor Wendy Yusuf Zara"
).split()
SURNAMES = (
    "Abbott Adeyemi Ainsworth Bakshi Barrow Beresford Blackwood Bramley Carrington Chaudhry Colquhoun Cordell "
    "Dalgleish Darby Devereux Ellison Fairbairn Farrow Fitzgerald Galbraith Gorman Hadley Halloran Harcourt "
    "Hollis Iqbal Jarrett Kavanagh Kettering Lambourne Lindqvist Lowther Macready Marchetti Mensah Merriweather "
    "Nakamura Needham Okafor Ormerod Pemberton Pickering Quarrie Radcliffe Rashid Redfern Sandhu Selwood "
    "Sheridan Stanforth Tennant Thornbury Underwood Varga Wainwright Wetherby Whitlock Yardley Zielinski"
).split()
OFFICER_TITLES = (
    "Chief Executive", "Director of Finance", "Director of Law and Governance", "Director of Resources",
    "Strategic Director of Place", "Director of Transformation and Digital", "Director of Adult Social Services",
    "Executive Director of Corporate Services", "Assistant Chief Executive", "Director of Housing",
)
MEMBER_TITLES = ("Leader", "Deputy Leader", "Cabinet Member for Finance", "Cabinet Member for Adults and Health",
                 "Cabinet Member for Housing", "Leader of the Opposition")
LGA_TITLES = ("Senior Regional Adviser", "Principal Adviser", "Peer Challenge Manager")
STATUTORY = {"Director of Finance": " (S151 officer)", "Director of Law and Governance": " (Monitoring Officer)"}
PEER_LABELS = {"officer": "Senior Officer Peer", "chief": "Chief Executive Peer", "member": "Member Peer",
               "lga": "Peer Challenge Manager"}

# --- progress reviews ---------------------------------------------------------------------------
#: (short title, full text): {c} is the council's short name.
RECOMMENDATIONS = (
    ("Medium-term financial strategy", "Develop a medium-term financial strategy that closes the budget gap and is aligned to the long-term vision for {c}."),
    ("Use of reserves", "Clarify the approach to the use of reserves as an in-year solution to overspends and ensure there is an understanding of the limitations and risks of this."),
    ("Performance management", "Strengthen the performance management framework, making better use of data to inform decision making and policy development."),
    ("Workforce strategy", "Develop a refreshed workforce strategy to address recruitment and retention challenges in key services."),
    ("Strategic vision", "Develop a long-term strategic vision for the borough and the council which is co-produced with the community."),
    ("Internal governance", "Review the internal governance arrangements, including board structures, to ensure clarity of reporting and clear lines of accountability."),
    ("Partnership working", "Review partnership governance arrangements so that partners share priorities and resources."),
    ("Member development", "Strengthen the member training and development offer, with support initially focussed on cabinet members and committee chairs."),
    ("Transformation programme", "Accelerate the transformation programme and develop a clear narrative so that staff and members share a common understanding."),
    ("Asset review", "Accelerate the review of council assets and ensure the approach reflects the emerging financial position and new priorities."),
    ("Adult social care budget", "Resolve the differing views on the adult social care budget and build a shared commitment to collective endeavour."),
    ("Scrutiny", "Strengthen overview and scrutiny so that it adds value to policy development and holds the executive to account."),
    ("Customer experience", "Review the council wide approach to handling member enquiries, complaints and requests to ensure faster responses."),
    ("Digital and data", "Develop a digital and data strategy that supports transformation and improves access to services for residents."),
    ("Housing improvement", "Make housing improvement a corporate priority, with clear plans for repairs, voids and damp and mould."),
    ("Children's services", "Ensure that the improvement plan for children's services is resourced and monitored at the highest level."),
    ("Climate action", "Set out a costed plan for reaching the council's net-zero target and embed it in service planning."),
    ("Equality and diversity", "Ensure that the voices of residents from different backgrounds directly influence policy through their lived experience."),
    ("Capital programme", "Review the capital programme and its financing so that schemes are affordable and deliverable."),
    ("Economic growth", "Maximise opportunities to work across boundaries and capitalise on areas of economic prosperity in {c}."),
    ("Constitution", "Use the review of the constitution to speed up decision making and delegate appropriately."),
    ("Commercial income", "Explore opportunities to grow income, including full cost recovery of discretionary services."),
    ("Procurement", "Strengthen commissioning and procurement so that contracts deliver value for money and social value."),
    ("Organisational capacity", "Develop the corporate centre so that it is a strategic enabler and provides accurate management information."),
    ("Communications", "Develop a communications and engagement strategy that tells the story of {c} and its priorities."),
    ("Annual Governance Statement", "Prepare and publish the Annual Governance Statement and address the issues it raises."),
    ("Outstanding accounts", "Resolve the outstanding financial accounts with the external auditors as a priority."),
    ("Community safety", "Work with partners to develop a shared approach to community safety and anti-social behaviour."),
    ("Place leadership", "Set out the council's role as a place leader and how it will convene partners around shared outcomes."),
    ("Risk management", "Refresh the corporate risk register and ensure risks are owned and reviewed by senior leaders."),
    ("Cabinet and leadership team", "Establish regular structured meetings between the cabinet and the corporate leadership team that anchor the delivery of priorities."),
    ("Programme management", "Ensure the programme management office is resourced to drive delivery of savings and transformation."),
)
THEMES = ("Delivering for residents", "Securing a sustainable future", "Modernising together",
          "Leadership and governance", "Financial sustainability", "Working with partners")
FINDING_OPEN = (
    "The peer team heard that the council has made significant progress on this recommendation.",
    "Peers found that good progress has been made since the corporate peer challenge.",
    "The council has taken meaningful steps in response to this recommendation.",
    "The peer team found that there had been little progress on this recommendation.",
    "Progress on this recommendation has been slower than expected.",
    "The council has acted on the peer team's recommendation and the approach has been strengthened.",
    "Peers welcomed the clear and positive progress made in this area.",
    "Some progress has been made, although challenges remain.",
)
FINDING_MIDDLE = (
    "A new board has been established to oversee delivery and reports to cabinet every quarter.",
    "Staff and members described a renewed sense of energy and commitment to the work.",
    "The council has commissioned an external review, which has informed the improvement plan.",
    "Dashboards have been developed and were recently used at cabinet and scrutiny meetings for the first time.",
    "Partners reported positive relationships at the operational level, although strategic alignment is still developing.",
    "The approach has been agreed by the corporate leadership team and is being rolled out across directorates.",
    "A budget of £{k},000 per annum has been allocated to support this work.",
    "The council reported that {p} per cent of the related actions in its action plan are complete.",
    "Senior leaders are clear on the risks, and reporting to members has become more regular.",
    "Work is underway to align the service plans with the council's strategic priorities.",
    "The peer team heard examples of innovative practice from staff networks and front-line teams.",
    "Members of all political parties have engaged with the new arrangements.",
)
FINDING_CLOSE = (
    "Further work is needed to maintain momentum and embed the changes across the organisation.",
    "The peer team encourages the council to set clear milestones so that progress can be measured.",
    "There is more to be done to ensure that the benefits are felt by residents.",
    "The council should continue to communicate these arrangements to the whole organisation.",
    "While progress is evident, the council needs to move to delivery at pace.",
    "Peers noted that this represents a strong and proactive response.",
)
CONTEXT = (
    "The council has made £{a}m of savings since {y0}, and the outturn for {fy} showed an improved position of £{b}.{d}m.",
    "The council states that it needs to deliver the £{c}m of savings agreed in {fy} and will identify further savings for {fy2} and onwards.",
    "The council estimates that its children's improvement plan is likely to cost £{e}.{d}m.",
    "The council has sold assets totalling £{f}m to support its capital programme.",
    "There is a budget gap of £{g}m over the medium term, and the council has a clear narrative on the financial challenge.",
    "Demand for adult social care and temporary accommodation continues to rise faster than funding.",
    "The peer team noted a stable and more unified top team, led by the chief executive, committed to delivering the council's priorities.",
)

# --- CQC assessments ----------------------------------------------------------------------------
QUALITY_STATEMENTS = (
    ("Assessing needs", 1), ("Supporting people to live healthier lives", 1), ("Equity in experience and outcomes", 1),
    ("Care provision, integration and continuity", 2), ("Partnerships and communities", 2),
    ("Safe pathways, systems and transitions", 3), ("Safeguarding", 3),
    ("Governance, management and sustainability", 4), ("Learning, improvement and innovation", 4),
)
THEME_TITLES = {1: "How {c} works with people", 2: "Providing support", 3: "How {c} ensures safety within the system",
                4: "Leadership"}
WORDING = {1: "Evidence shows significant shortfalls", 2: "Evidence shows some shortfalls",
           3: "Evidence shows a good standard", 4: "Evidence shows an exceptional standard"}
RATING_FOR = {1: "Inadequate", 2: "Requires improvement", 3: "Good", 4: "Outstanding"}
SUBSECTIONS = {
    "Assessing needs": ("Assessment, care planning and review arrangements", "Timeliness of assessments, care planning and reviews",
                        "Assessment and care planning for unpaid carers", "Eligibility decisions for care and support"),
    "Supporting people to live healthier lives": ("Arrangements to prevent, delay or reduce needs for care and support",
                                                  "Provision and impact of intermediate care and reablement services",
                                                  "Access to equipment and home adaptations", "Direct payments"),
    "Equity in experience and outcomes": ("Understanding and reducing barriers to care and support",
                                          "Inclusion and accessibility arrangements"),
    "Care provision, integration and continuity": ("Understanding local needs for care and support",
                                                   "Market shaping and commissioning to meet local needs",
                                                   "Ensuring sufficient capacity in local services to meet demand",
                                                   "Ensuring quality of local services"),
    "Partnerships and communities": ("Partnership working to deliver shared local and national objectives",
                                     "Working with voluntary and charity sector groups"),
    "Safe pathways, systems and transitions": ("Safety management", "Safety during transitions", "Contingency planning"),
    "Safeguarding": ("Safeguarding systems, processes and practices", "Responding to concerns and undertaking Section 42 enquiries",
                     "Making safeguarding personal"),
    "Governance, management and sustainability": ("Governance, accountability and risk management", "Strategic planning",
                                                  "Information security"),
    "Learning, improvement and innovation": ("Continuous learning, improvement and professional development",
                                             "Learning from feedback"),
}
#: (data source, who, what): "<v>% of <who> <what>" with an England-average comparator.
INDICATORS = (
    ("Adult Social Care Survey", "people", "were satisfied with care and support"),
    ("Adult Social Care Survey", "people", "felt that they had control over their daily life"),
    ("Adult Social Care Survey", "people who use services", "feel they have a choice over services"),
    ("Adult Social Care Survey", "people who use services", "felt safe"),
    ("Adult Social Care Survey", "people who use services", "found it easy to find information about support"),
    ("Adult Social Care Survey", "people who use services", "said services made them feel safe and secure"),
    ("Adult Social Care Survey", "people", "had as much social contact as they would like"),
    ("Adult Social Care Survey", "people", "reported a good quality of life"),
    ("Survey of Adult Carers in England", "carers", "were satisfied with social services"),
    ("Survey of Adult Carers in England", "carers", "felt involved or consulted in discussions about the person they care for"),
    ("Survey of Adult Carers in England", "carers", "found it easy to find information about services"),
    ("Survey of Adult Carers in England", "carers", "had as much social contact as they would like"),
    ("Survey of Adult Carers in England", "carers", "reported that they had encouragement and support in their caring role"),
    ("Short and Long Term Support statistics", "people", "received short-term support that resulted in no further request"),
    ("Short and Long Term Support statistics", "older people", "were still at home 91 days after discharge into reablement"),
    ("Short and Long Term Support statistics", "people", "accessing long-term support received direct payments"),
    ("Short and Long Term Support statistics", "people with a learning disability", "lived in their own home or with family"),
    ("Adult Social Care Workforce Estimates", "staff", "had a care qualification"),
    ("Adult Social Care Workforce Estimates", "posts", "were vacant in the independent sector"),
    ("Adult Social Care Workforce Estimates", "staff", "left their role in the past year"),
    ("Safeguarding Adults Collection", "enquiries", "where the person was asked about their desired outcomes"),
    ("Safeguarding Adults Collection", "enquiries", "where the desired outcomes were fully achieved"),
    ("Safeguarding Adults Collection", "concerns", "that led to a Section 42 enquiry"),
    ("Adult Social Care Outcomes Framework", "people", "aged 65 and over were admitted to residential care"),
    ("Adult Social Care Outcomes Framework", "adults", "in contact with secondary mental health services lived independently"),
    ("Adult Social Care Outcomes Framework", "adults", "with a learning disability were in paid employment"),
    ("Adult Social Care Outcomes Framework", "people", "who use services received self-directed support"),
    ("Adult Social Care Outcomes Framework", "carers", "received self-directed support"),
    ("Adult Social Care Outcomes Framework", "people", "were discharged to their usual place of residence"),
    ("Adult Social Care Outcomes Framework", "service users", "said they had enough choice over care and support"),
    ("Adult Social Care Outcomes Framework", "providers", "were rated good or outstanding"),
    ("Adult Social Care Outcomes Framework", "beds", "in nursing homes were rated good or outstanding"),
)
DIRECTIONS = ("somewhat worse than", "somewhat better than", "similar to", "significantly worse than",
              "significantly better than", "a positive variation from", "in line with")
CQC_PROSE = (
    "Staff described a supportive culture and told us that leaders were visible and approachable.",
    "People told us that they felt listened to and that their views shaped their care and support.",
    "Partners described positive relationships with the local authority, although some processes were still developing.",
    "There was a clear plan to reduce waiting times, and progress was monitored at senior leadership meetings.",
    "Feedback from carers was mixed, and some carers were unclear about the support available to them.",
    "The local authority had a good understanding of its population and used data to plan services.",
    "Leaders recognised that more work was needed to embed a strengths-based approach across all teams.",
    "There was evidence of co-production with people with lived experience in the design of new services.",
    "Commissioning arrangements were being strengthened, with a new market position statement published.",
    "Quality assurance processes included regular case file audits and reflective practice sessions.",
    "Not all people received a timely review of their care and support, although the backlog was reducing.",
    "The local authority worked with health partners to support safe and timely hospital discharge.",
)

# --- minutes ------------------------------------------------------------------------------------
COMMITTEES = ("Scrutiny Panel", "Overview and Scrutiny Committee", "Audit Committee", "Health and Wellbeing Board",
              "Housing Scrutiny Commission", "Finance and Performance Committee", "Children and Young People Scrutiny Commission")
ITEM_TITLES = ("Chief Executive Question Time", "Housing Repairs Performance Update", "Budget Monitoring Report",
               "Adult Social Care Improvement Plan", "Customer Services Review", "Corporate Performance Report",
               "Temporary Accommodation Update", "Cost of Living Response")
TOPICS = (
    "How the Council is developing metrics and evaluating the outcomes for council services",
    "How the Council is restoring public confidence in the organisation",
    "The approach to tackling damp and mould in council homes",
    "The financial position and the savings programme for the coming year",
    "How the Council works with partners to reduce demand on adult social care",
    "The recruitment and retention of social workers",
    "How residents are involved in shaping services",
)
MINUTE_PROSE = (
    "The {who} thanked officers for the report and noted the progress made since the last meeting.",
    "Members asked how the Council would measure the impact of the changes on residents.",
    "The {who} explained that a new operating model had been introduced and was being reviewed each month.",
    "It was noted that the service had experienced significant pressure over the winter period.",
    "Members raised concerns about the consistency of communication with residents and ward councillors.",
    "The {who} confirmed that a further update would be brought to the Panel later in the municipal year.",
    "The Chair asked whether the Council was benchmarking its performance against similar authorities.",
    "Officers explained that recruitment to key posts remained challenging in a competitive market.",
    "Members welcomed the improvement but asked for more detail on the actions planned for the next quarter.",
    "The {who} acknowledged that the previous approach had not been communicated effectively to members or residents.",
    "A member asked how the views of residents who did not use digital channels were being captured.",
    "The {who} advised that the action plan had been refreshed following feedback from the Panel.",
    "Members noted that the impact had been felt more keenly by particular groups of residents.",
    "The Panel requested that future reports include trend data and comparisons with neighbouring authorities.",
    "It was confirmed that the risk register had been updated to reflect the financial position.",
    "The {who} highlighted the role of partners in the voluntary and community sector in supporting residents.",
)
MINUTE_STATS = (
    "The {who} reported that overall satisfaction with the Council remained consistent at {a}% which was above the national average ({b}%).",
    "{a}% of calls were now answered within five minutes as compared to {b}% a year earlier.",
    "The average waiting time for a response had fallen to {m1} minutes from {m2} minutes.",
    "The number of households in temporary accommodation had risen from {h1} to {h2} households.",
    "Since {mon} {yr}, over {k},000 cases from the backlog had been cleared and {a}% of work was being completed on time.",
    "The median wait for a Care Act assessment was {d} days in {mon} {yr}.",
    "The waiting list for occupational therapy assessment in {mon} {yr} was {w}.",
    "Sickness absence had reduced from {s1} days to {s2} days per employee against a target of {s3} days.",
    "The proportion of complaints answered on time was far higher in {place} ({a}%) than the London average ({b}%).",
)
WHO = ("Chief Executive", "Director of Housing", "Cabinet Member for Finance", "Strategic Director of Resources",
       "Director of Adult Social Services", "Head of Customer Services")


@dataclass(frozen=True)
class Peer:
    name: str
    honorific: str | None
    title: str
    employer: str
    kind: str  # chief, officer, member, lga

    def display(self) -> str:
        return f"{self.honorific} {self.name}" if self.honorific else self.name


@dataclass(frozen=True)
class Place:
    name: str  # canonical council name
    short: str  # a place name for prose ("Hackney")
    type: str


# --- helpers --------------------------------------------------------------------------------------
def councils() -> list[Place]:
    """Councils from the reference data, with a short place name for prose."""
    out = []
    for council in reference.councils():
        if council.type in ("combined-authority", "sui-generis"):
            continue
        # The shortest written form that reads as a place ("Hackney"), not an acronym ("RBKC").
        forms = [n for n in council.names if "," not in n and not n.isupper()]
        short = min(forms, key=len, default=council.name)
        out.append(Place(council.name, short, council.type))
    return sorted(out, key=lambda p: p.name)


def ordinal(day: int) -> str:
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def pick_date(rng: random.Random, first_year: int, last_year: int) -> date:
    start = date(first_year, 1, 1)
    return start + timedelta(days=rng.randrange((date(last_year, 12, 31) - start).days))


def long_date(d: date, rng: random.Random) -> str:
    style = rng.randrange(3)
    if style == 0:
        return f"{WEEKDAYS[d.weekday()]} {d.day} {MONTHS[d.month - 1]} {d.year}"
    if style == 1:
        return f"{ordinal(d.day)} {MONTHS[d.month - 1]} {d.year}"
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def fy(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def peer_pool(seed: int, size: int, places: list[Place]) -> list[Peer]:
    """Peers shared across reviews: the same person serves on several councils' peer teams."""
    rng = random.Random(f"{seed}:peers")
    names: set[str] = set()
    pool = []
    kinds = ("chief", "officer", "officer", "member", "member", "lga")
    while len(pool) < size:
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
        if name in names:
            continue
        names.add(name)
        kind = kinds[len(pool) % len(kinds)]
        if kind == "lga":
            pool.append(Peer(name, None, rng.choice(LGA_TITLES), rng.choice(("Local Government Association", "LGA")), kind))
            continue
        employer = rng.choice(places).name
        if kind == "member":
            pool.append(Peer(name, "Cllr", rng.choice(MEMBER_TITLES), employer, kind))
        elif kind == "chief":
            pool.append(Peer(name, None, rng.choice(("Chief Executive", "former Chief Executive")), employer, kind))
        else:
            title = rng.choice(OFFICER_TITLES[1:])
            pool.append(Peer(name, None, title + STATUTORY.get(title, ""), employer, kind))
    return pool


def peer_team(rng: random.Random, pool: list[Peer], council: Place) -> list[Peer]:
    """A chief executive, one or two members, one to three officers and an LGA manager, not from ``council``."""
    eligible = [p for p in pool if p.employer != council.name]
    by_kind = {k: [p for p in eligible if p.kind == k] for k in ("chief", "officer", "member", "lga")}
    team = [rng.choice(by_kind["chief"])]
    team += rng.sample(by_kind["member"], rng.randint(1, 2))
    team += rng.sample(by_kind["officer"], rng.randint(1, 3))
    team.append(rng.choice(by_kind["lga"]))
    return team


def peer_line(peer: Peer, labelled: bool) -> str:
    label = PEER_LABELS[peer.kind] + " " if labelled else ""
    if peer.kind == "lga":
        if peer.employer == "LGA":
            return f"{label}{peer.display()}, LGA {peer.title}"
        return f"{label}{peer.display()}, {peer.title}, {peer.employer}"
    return f"{label}{peer.display()}, {peer.title}, {peer.employer}"


def fill(template: str, rng: random.Random, **values) -> str:
    numbers = dict(a=rng.randint(20, 190), b=rng.randint(5, 40), c=rng.randint(5, 30), d=rng.randint(1, 9),
                   e=rng.randint(2, 9), f=rng.randint(20, 180), g=rng.randint(10, 90), k=rng.randint(20, 90),
                   p=rng.randint(10, 90))
    numbers.update(values)
    return template.format(**numbers)


def findings(rng: random.Random, short: str, n: int) -> list[str]:
    paragraphs = []
    for _ in range(n):
        sentences = [rng.choice(FINDING_OPEN)] + [fill(s, rng) for s in rng.sample(FINDING_MIDDLE, rng.randint(2, 4))]
        sentences.append(rng.choice(FINDING_CLOSE))
        paragraph = " ".join(sentences)
        if rng.random() < 0.2:  # now and then the council is named rather than "the council"
            paragraph = paragraph.replace("the council", f"{short} council", 1)
        paragraphs.append(paragraph)
    return paragraphs


def recommendations(rng: random.Random, short: str) -> list[tuple[str, str]]:
    chosen = rng.sample(RECOMMENDATIONS, rng.randint(10, 20))
    return [(title, text.format(c=short)) for title, text in chosen]


# --- progress reviews ---------------------------------------------------------------------------
INTRO_BULLETS = (
    "Receive feedback from peers on the early progress made by the council against the CPC recommendations and the council's CPC action plan;",
    "Consider peers' reflections on any new opportunities or challenges that may have arisen since the peer team was 'on-site' including any further support needs; and",
    "Discuss any early impact or learning from the progress made to date.",
)
CLOSING = (
    "We appreciate that senior managerial and political leadership will want to reflect on these findings and suggestions in order to determine how the organisation wishes to take things forward.",
    "Under the umbrella of LGA sector-led improvement, there is an on-going offer of support to councils. The LGA is well placed to provide additional support, advice and guidance on a number of the areas identified for development and improvement and we would be happy to discuss this.",
)


def progress_review(rng: random.Random, layout: str, council: Place, pool: list[Peer]) -> tuple[str, date]:
    visit = pick_date(rng, 2023, 2025)
    cpc = visit - timedelta(days=rng.randint(270, 760))
    recs = recommendations(rng, council.short)
    team = peer_team(rng, pool, council)
    formal = council.name
    if layout == "a":
        return _layout_a(rng, formal, council.short, visit, cpc, recs, team), visit
    if layout == "b":
        return _layout_b(rng, formal, council.short, visit, cpc, recs, team), visit
    return _layout_c(rng, formal, council.short, visit, cpc, recs, team), visit


def _themed(rng: random.Random, recs: list[tuple[str, str]]) -> list[tuple[str, list[int]]]:
    """Recommendation numbers grouped under 2-4 themes (each theme a run of numbers in shuffled order)."""
    numbers = list(range(1, len(recs) + 1))
    rng.shuffle(numbers)
    k = rng.randint(2, 4)
    themes = rng.sample(THEMES, k)
    groups = [(themes[i], sorted(numbers[i::k])) for i in range(k)]
    return groups


def _layout_a(rng, formal, short, visit, cpc, recs, team) -> str:
    out = [f"LGA Corporate Peer Challenge – Progress review: {formal}", "", f"Feedback: {long_date(visit, rng)}", "", "",
           "1. Introduction", "",
           f"The council undertook an LGA Corporate Peer Challenge (CPC) during {MONTHS[cpc.month - 1]} {cpc.year} and published the full report with an action plan. ",
           "",
           "The Progress Review is an integral part of the CPC process. Taking place approximately ten months after the CPC, it is designed to provide space for the council's senior leadership to:",
           ""]
    out += [f"  • {b}" for b in INTRO_BULLETS]
    out += ["", f"The LGA would like to thank the {formal} for their commitment to sector-led improvement. This Progress Review was the next step in the ongoing, open and close relationship that the council has with LGA sector support.",
            "", "2. Summary of the approach", "",
            f"The Progress Review at the {formal} took place at the council on {long_date(visit, rng)}. The Progress Review focussed on the recommendations from the Corporate Peer Challenge: ",
            ""]
    out += [f"  • Recommendation {i} – {title}: {text}" for i, (title, text) in enumerate(recs, 1)]
    out += ["", f"{short} accepted all the recommendations made during the LGA CPC and subsequently produced an action plan outlining the steps the council would take to respond to these recommendations. ",
            "", "For this Progress Review, the following members of the original CPC team were involved:", ""]
    out += [f"  • {peer_line(p, False)}" + ("." if i == len(team) - 1 else "") for i, p in enumerate(team)]
    complete = rng.randint(10, 40)
    on_track = rng.randint(20, 40)
    progress = rng.randint(5, 100 - complete - on_track - 1)
    out += ["", "The peer team would like to thank all those that they spoke to as part of the Progress Review for their participation and openness.",
            "", "3. Progress Review – Feedback", "",
            f"From the action plan {complete} per cent are complete, {on_track} per cent are on track, {progress} per cent are in progress and {100 - complete - on_track - progress} per cent are not due to start at the time of the review.",
            ""]
    out += [fill(s, rng, y0=rng.randint(2010, 2018), fy=fy(visit.year - 1), fy2=fy(visit.year + 1)) for s in rng.sample(CONTEXT, 3)]
    for theme, numbers in _themed(rng, recs):
        out += ["", theme, "", f"Theme: {theme}"]
        out += [f"Recommendation {n}: {recs[n - 1][0]}: {recs[n - 1][1]}" for n in numbers]
        out.append("")
        for n in numbers:
            for paragraph in findings(rng, short, rng.randint(1, 2)):
                out += [paragraph, ""]
    out += ["4. Final thoughts and next steps", "",
            f"The LGA would like to thank the {formal} for undertaking a CPC Progress Review. {CLOSING[0]}", "", CLOSING[1], ""]
    return "\n".join(out)


FURNITURE = ("Local Government Association company number 11177145 Improvement and Development Agency for Local "
             "Government company number 03675577")


def _pdf_noise(rng: random.Random, paragraphs: list[str]) -> list[str]:
    """Break some paragraphs across a page: blank lines, a page number, then the rest."""
    out = []
    page = 3
    for paragraph in paragraphs:
        words = paragraph.split(" ")
        if len(words) > 25 and rng.random() < 0.25:
            cut = rng.randint(10, len(words) - 5)
            page += 1
            out += [" ".join(words[:cut]), "", "", str(page), "", "", "", " ".join(words[cut:]), ""]
        else:
            out += [paragraph, ""]
    return out


def _layout_b(rng, formal, short, visit, cpc, recs, team) -> str:
    out = ["", "", "LGA Corporate Peer Challenge – Progress Review", "", f"{formal}", "", long_date(visit, rng), "",
           "Feedback", "", "", "", "", "",
           "1.\tIntroduction\t. 3", "2.\tSummary of the approach\t. 3", "3.\tProgress Review - Feedback\t. 4",
           f"4.\tFinal thoughts and next steps\t{rng.randint(8, 14)}", "", FURNITURE, "", "1. Introduction", "",
           f"The council undertook an LGA Corporate Peer Challenge (CPC) during {MONTHS[cpc.month - 1]} {cpc.year} and published the full report with an action plan.",
           "", "The Progress Review is an integral part of the Corporate Peer Challenge process. It is designed to provide space for the council's senior leadership to:", ""]
    out += [f"- {b}" for b in INTRO_BULLETS]
    out += ["", f"The LGA would like to thank the {formal} for their commitment to sector-led improvement.", "",
            "2. Summary of the approach", "",
            f"The Progress Review at the {formal} took place onsite on {long_date(visit, rng)}.", "",
            f"- The peer team gathered information and views from {rng.randint(12, 40)} meetings, in addition to further research, speaking to more than {rng.randint(25, 80)} people.",
            "", "For this Progress Review, the following members of the original CPC team were", "", "", "", "involved:", ""]
    out += [f"- {peer_line(p, True)}" for p in team]
    out += ["", "3. Progress Review - Feedback", "", "Context and challenges", "", "The peer challenge team noted that:", ""]
    out += [f"- {fill(s, rng, y0=rng.randint(2010, 2018), fy=fy(visit.year - 1), fy2=fy(visit.year + 1))}" for s in rng.sample(CONTEXT, 4)]
    green = rng.randint(2, len(recs) - 2)
    out += ["", "Feedback and action plan progress", "",
            f"The peer challenge team reviewed the action plan and the original recommendations from the CPC. Out of the CPC's {len(recs)} recommendations, the council's RAG rating showed {green} as green and {len(recs) - green} as amber.",
            ""]
    body = []
    for i, (title, text) in enumerate(recs, 1):
        body.append(f"Recommendation {i} - {title} - {text}")
        body += findings(rng, short, rng.randint(1, 2))
    out += _pdf_noise(rng, body)
    out += ["4. Final thoughts and next steps", "",
            f"The LGA would like to thank the {formal} for undertaking an LGA CPC Progress Review.", "", CLOSING[0], "",
            CLOSING[1], "", FURNITURE, ""]
    lga = next(p for p in team if p.kind == "lga")
    out += [f"{lga.name} ({lga.title}) is the main point of contact between the authority and the Local Government Association (LGA).", ""]
    return "\n".join(out)


def _layout_c(rng, formal, short, visit, cpc, recs, team) -> str:
    last = visit + timedelta(days=1)
    days = f"{visit.day} – {last.day} {MONTHS[visit.month - 1]} {visit.year}" if last.month == visit.month else long_date(visit, rng)
    years = max(1, round((visit - cpc).days / 365))
    green = rng.randint(len(recs) // 2, len(recs) - 1)
    out = [f"Feedback: {days}", "1. Introduction",
           "The Progress Review is an integral part of the Corporate Peer Challenge process. It is designed to provide space for the council's senior leadership to:"]
    out += [f"- {b}" for b in INTRO_BULLETS]
    out += [f"The LGA would like to thank {formal} for their commitment to sector led improvement.",
            "2. Summary of the approach",
            f"The Progress Review at {formal} took place (onsite) on {days}, {'two' if years == 2 else 'one'} year{'s' if years == 2 else ''} after the CPC. The Progress Review focused on each of the recommendations from the Corporate Peer Challenge.",
            "For this Progress Review, the following members were involved:"]
    out += [f"- {peer_line(p, False)}" + ("." if i == len(team) - 1 else "") for i, p in enumerate(team)]
    out += ["3. Progress Review - Feedback",
            f"Whilst the peer team saw positive commitment to continuous improvement, the council's self-assessment reported that {green} out of the {len(recs)} recommendations were rated ‘green’ and the remaining {len(recs) - green} were rated ‘amber’. No recommendations were rated ‘red’.",
            fill(rng.choice(CONTEXT), rng, y0=rng.randint(2010, 2018), fy=fy(visit.year - 1), fy2=fy(visit.year + 1)),
            f"The Progress Review considered all {len(recs)} recommendations from the Corporate Peer Challenge in {cpc.year}."]
    for i, (title, text) in enumerate(recs, 1):
        out.append(f"Recommendation {i}: {title} – {text}")
        out += findings(rng, short, rng.randint(1, 3))
    out += ["4. Final thoughts and next steps", f"The LGA would like to thank {formal} for undertaking an LGA CPC Progress Review.",
            CLOSING[0], CLOSING[1], ""]
    return "\n".join(out)


# --- CQC assessments ----------------------------------------------------------------------------
def cqc_assessment(rng: random.Random, council: Place) -> tuple[str, date]:
    published = pick_date(rng, 2023, 2025)
    name = council.name if council.name.endswith("Council") else f"{council.short} Council"
    scores = {qs: rng.choice((1, 2, 2, 3, 3, 3, 4)) for qs, _ in QUALITY_STATEMENTS}
    mean = sum(scores.values()) / len(scores)
    rating = RATING_FOR[min(4, max(1, round(mean)))]
    h = rng.choice(("#", "##"))  # heading marks vary between exports
    year = published.year - 1
    budget = rng.randint(300, 1500) * 1_000_000 + rng.randint(0, 999) * 1000
    actual = budget + rng.randint(-30, 60) * 1_000_000 + rng.randint(0, 999) * 1000
    asc = budget * rng.randint(18, 40) // 100 // 1000 * 1000
    asc_actual = asc + rng.randint(-10, 30) * 1_000_000
    diff = lambda a, b: ("more" if b >= a else "less", abs(b - a))  # noqa: E731
    more, delta = diff(budget, actual)
    asc_more, asc_delta = diff(asc, asc_actual)
    out = ["", f"# {name}: local authority assessment", "", "[How we assess local authorities](#)", "",
           f"Assessment published: {published.day} {MONTHS[published.month - 1]} {published.year}", "",
           f"## About {name}", "", "### Demographics", "",
           f"{name} is a {council.type.replace('-', ' ')} council with {rng.randint(60, 1400):,},{rng.randint(0, 999):03d} residents. "
           f"{rng.randint(8, 60)}% of people were from ethnic minorities, and {rng.randint(10, 25)}% of residents were aged 65 or over.",
           "", "## Financial facts", "", f"The Financial facts for {name} are:", "",
           f"- The local authority estimated that in {fy(year)}, its total budget would be **£{budget:,}**. Its actual spend for that year was **£{actual:,}** which was **£{delta:,}** {more} than estimated.",
           f"- The local authority estimated that it would spend **£{asc:,}** of its total budget on adult social care in {fy(year)}. Its actual spend was **£{asc_actual:,}** which is **£{asc_delta:,}** {asc_more} than estimated.",
           "", f"- In {fy(year)}, **{asc_actual * 100 / actual:.2f}%** of the budget was spent on adult social care.",
           f"- The local authority has raised the full adult social care precept for {fy(year)}, with a value of **2%**.",
           "", "# Overall summary", "", "## Local authority rating and score", "", f"### {name}", "", rating, "", "",
           "## Quality statement scores", "", "---", ""]
    for qs, _ in QUALITY_STATEMENTS:
        listed = qs.replace("live healthier", "lead healthier") if rng.random() < 0.5 else qs
        out += [f"## {listed}", "", f"Score: {scores[qs]}", "", "---", ""]
    out += ["## Summary of people's experiences", ""]
    out += [p for s in rng.sample(CQC_PROSE, 4) for p in (s, "")]
    out += ["## Summary of strengths, areas for development and next steps", ""]
    out += [p for s in rng.sample(CQC_PROSE, 5) for p in (s + " " + rng.choice(CQC_PROSE), "")]
    indicators = list(INDICATORS)
    rng.shuffle(indicators)
    per_statement = [indicators[i::len(QUALITY_STATEMENTS)] for i in range(len(QUALITY_STATEMENTS))]
    theme = 0
    for (qs, qs_theme), stats in zip(QUALITY_STATEMENTS, per_statement):
        if qs_theme != theme:
            theme = qs_theme
            statements = [q for q, t in QUALITY_STATEMENTS if t == theme]
            out += [f"# Theme {theme}: {THEME_TITLES[theme].format(c=name)}", "", "This theme includes these quality statements:", ""]
            out += [f"- {q}" for q in statements]
            out += ["", "We may not always review all quality statements during every assessment.", ""]
        score_line = f"{h} Score: {scores[qs]}" if rng.random() < 0.2 else f"Score: {scores[qs]}"
        out += [f"# {qs}", "", score_line, "", f"{scores[qs]} - {WORDING[scores[qs]]}", "",
                f"{h}# What people expect", "", "I have care and support that is coordinated, and everyone works well together and with me.", "",
                f"{h}# The local authority commitment", "", "We work with people and partners to deliver the outcomes that matter to them.", "",
                f"{h}# Key findings for this quality statement", ""]
        subsections = SUBSECTIONS[qs]
        for j, sub in enumerate(subsections):
            out += [f"## {sub}", "", "---", ""]
            for _ in range(rng.randint(2, 3)):
                out += [" ".join(rng.sample(CQC_PROSE, rng.randint(3, 5))), ""]
            for source, who, what in stats[j::len(subsections)]:
                value = rng.randint(150, 9500) / 100
                england = max(1.0, min(99.0, value + rng.randint(-1200, 1200) / 100))
                direction = rng.choice(DIRECTIONS)
                out += [f"National data from the {source} for {fy(year)} showed {value:.2f}% of {who} {what}. "
                        f"This was {direction} the England average ({england:.2f}%). " + rng.choice(CQC_PROSE), ""]
        if rng.random() < 0.6:
            waits = rng.randint(40, 900)
            out += [f"In {MONTHS[rng.randrange(12)]} {published.year - 1} there were {waits} people waiting for a Care Act assessment, "
                    f"and the median wait was {rng.randint(5, 120)} days. " + rng.choice(CQC_PROSE), ""]
    return "\n".join(out), published


# --- minutes --------------------------------------------------------------------------------------
def minutes(rng: random.Random, council: Place) -> tuple[str, date]:
    held = pick_date(rng, 2022, 2025)
    committee = rng.choice(COMMITTEES)
    item = rng.randint(3, 9)
    title = rng.choice(ITEM_TITLES)
    who = rng.choice(WHO)
    place = council.short
    out = []
    if rng.random() < 0.5:
        out += [f"Minutes of the {committee} held on {long_date(held, rng)}", "",
                f"Present: Councillors {rng.choice(SURNAMES)} (Chair), {rng.choice(SURNAMES)}, {rng.choice(SURNAMES)} and {rng.choice(SURNAMES)}", ""]
    out += ["Agenda item", "", f"{title} ({rng.randint(6, 8)}:{rng.choice(('00', '15', '30', '35', '45'))}pm)", "", "Minutes:", ""]
    para = 1
    out += [f"{item}.{para} In each municipal year the {committee} holds a session with the {who} to ask questions about "
            f"strategic direction, performance and decision-making within {place} Council.", "", " ", ""]
    para += 1
    topics = rng.sample(TOPICS, rng.randint(2, 4))
    out += [f"{item}.{para} Following the formal invite to this session, {len(topics)} topic areas were selected by members which will form the basis of the session. The areas selected were:", ""]
    out += [p for t in topics for p in (f"·  {t}", "")]
    stats = rng.sample(MINUTE_STATS, rng.randint(4, 7))
    prose = list(MINUTE_PROSE)
    rng.shuffle(prose)
    for k in range(rng.randint(10, 18)):
        para += 1
        lead, *tail = rng.sample(prose, rng.randint(2, 4))
        parts = [fill(lead, rng, who=who)]
        if stats and rng.random() < 0.7:
            parts.append(fill(stats.pop(), rng, who=who, m1=rng.randint(2, 15), m2=rng.randint(16, 45),
                              h1=rng.randint(300, 2500), h2=rng.randint(2600, 5000), mon=MONTHS[rng.randrange(12)],
                              yr=held.year - 1, d=rng.randint(5, 90), w=rng.randint(50, 900), s1=rng.randint(9, 14),
                              s2=rng.randint(6, 8), s3=rng.randint(5, 7), place=place))
        parts += [fill(t, rng, who=who) for t in tail]
        out += [f"{item}.{para} " + " ".join(parts), "", " ", ""]
        if k % 3 == 2:
            out += [p for t in rng.sample(TOPICS, 2) for p in (f"·  {t};", "")]
    para += 1
    out += [f"{item}.{para} The Chair thanked the {who} for attending and responding to questions from members of the {committee}.",
            "", "RESOLVED: That the report be noted.", "", "Supporting documents:", ""]
    return "\n".join(out), held


# --- the corpus -----------------------------------------------------------------------------------
def generate(n: int, seed: int) -> dict[str, str]:
    """File name -> text of every document of the corpus (in generation order)."""
    places = councils()
    cqc_places = [p for p in places if p.type in CQC_TYPES]
    minute_places = [p for p in places if PLACE_NAME.match(p.short)]
    pool = peer_pool(seed, max(24, n // 6), places)
    docs: dict[str, str] = {}
    for i in range(n):
        rng = random.Random(f"{seed}:{i}")
        kind = KIND_CYCLE[i % len(KIND_CYCLE)]
        if kind == "cqc":
            council = rng.choice(cqc_places)
            text, when = cqc_assessment(rng, council)
            name = f"{i:05d}-{slugify(council.short)}-cqc-assessment-{when:%Y-%m}.md"
        elif kind == "min":
            council = rng.choice(minute_places)
            text, when = minutes(rng, council)
            name = f"{i:05d}-{slugify(council.short)}-minutes-{when:%Y-%m-%d}.txt"
        else:
            council = rng.choice(places)
            text, when = progress_review(rng, kind[-1], council, pool)
            name = f"{i:05d}-{slugify(council.short)}-cpc-progress-review-{when:%Y-%m}.txt"
        docs[name] = text
    return docs


def write_corpus(n: int, seed: int, out: Path, clean: bool = True) -> list[Path]:
    """Write the corpus to ``out`` (emptied first when ``clean``); the paths written, sorted."""
    out = Path(out)
    if clean and out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in generate(n, seed).items():
        path = out / name
        path.write_bytes(text.encode("utf-8"))
        paths.append(path)
    return sorted(paths)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog="example: python benchmarks/make_corpus.py --n 250 --seed 1 --out benchmarks/out/corpus-250")
    parser.add_argument("--n", type=int, default=250, help="number of documents (default 250)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--out", type=Path, required=True, help="output folder (emptied first)")
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("--n must be at least 1")
    paths = write_corpus(args.n, args.seed, args.out)
    size = sum(p.stat().st_size for p in paths)
    print(f"wrote {len(paths)} documents ({size / 1e6:.1f} MB) to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
