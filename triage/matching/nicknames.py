"""Common English given-name nicknames, so "Bill" finds William and "Peggy" finds Margaret.

Each formal name maps to the short forms and pet names a caller might use instead.
"""

from __future__ import annotations

NICKNAMES: dict[str, tuple[str, ...]] = {
    "abigail": ("abbie", "abby", "gail"),
    "albert": ("bert", "al", "bertie"),
    "alexander": ("alex", "alec", "sandy", "al", "xander"),
    "alexandra": ("alex", "sandra", "sandy", "lexi", "alexa"),
    "alfred": ("alf", "alfie", "fred"),
    "andrew": ("andy", "drew"),
    "anne": ("annie", "nan", "nancy", "ann", "anna"),
    "anthony": ("tony", "ant"),
    "arthur": ("art", "artie"),
    "barbara": ("barb", "babs", "barbie"),
    "benjamin": ("ben", "benny", "benji"),
    "bernard": ("bernie", "barney"),
    "catherine": ("cath", "cathy", "kate", "katie", "kath", "kathy", "cat", "kit", "kitty"),
    "charles": ("charlie", "chas", "chuck", "chaz"),
    "charlotte": ("lottie", "charlie", "lotte"),
    "christine": ("chris", "chrissie", "tina", "christina"),
    "christopher": ("chris", "kit", "topher"),
    "clifford": ("cliff",),
    "daniel": ("dan", "danny"),
    "david": ("dave", "davy", "davie"),
    "deborah": ("debbie", "deb", "debs", "debra"),
    "dorothy": ("dot", "dotty", "dolly", "dora"),
    "douglas": ("doug", "dougie"),
    "edward": ("ed", "eddie", "ted", "teddy", "ned"),
    "eleanor": ("ellie", "nell", "nellie", "elle", "nora"),
    "elizabeth": ("liz", "lizzie", "beth", "betty", "bess", "bessie", "eliza", "lisa",
                  "libby", "betsy", "elsie", "liza"),
    "ellen": ("nell", "ellie", "nellie"),
    "emily": ("em", "emmy", "millie"),
    "florence": ("flo", "florrie", "flossie"),
    "frances": ("fran", "frankie", "fanny"),
    "francis": ("frank", "fran", "frankie"),
    "frederick": ("fred", "freddie", "freddy"),
    "gerald": ("gerry", "jerry"),
    "geoffrey": ("geoff", "jeff"),
    "gregory": ("greg",),
    "harold": ("harry", "hal"),
    "helen": ("nell", "nellie", "ellie"),
    "henry": ("harry", "hal", "hank"),
    "isabel": ("izzy", "bella", "belle", "isabelle", "isobel"),
    "jacqueline": ("jackie", "jacqui"),
    "james": ("jim", "jimmy", "jamie", "jem"),
    "jane": ("janie", "jenny"),
    "janet": ("jan", "jenny", "netty"),
    "jennifer": ("jen", "jenny", "jenni"),
    "john": ("jack", "johnny", "jon", "jock"),
    "jonathan": ("jon", "jonny", "john"),
    "joseph": ("joe", "joey", "jo"),
    "josephine": ("jo", "josie", "jo"),
    "judith": ("judy", "jude"),
    "kenneth": ("ken", "kenny"),
    "lawrence": ("larry", "laurie", "lawrie"),
    "leonard": ("len", "lenny", "leo"),
    "louise": ("lou", "lulu", "louisa"),
    "margaret": ("maggie", "meg", "peggy", "peg", "madge", "margie", "maisie", "greta",
                 "rita", "marge"),
    "mary": ("molly", "polly", "mae", "mamie", "maria", "marie"),
    "matthew": ("matt", "matty"),
    "michael": ("mike", "mick", "mickey", "mikey", "micky"),
    "nicholas": ("nick", "nicky", "nico"),
    "nicola": ("nicky", "nikki", "nic"),
    "patricia": ("pat", "patty", "tricia", "trish", "patsy"),
    "patrick": ("pat", "paddy", "rick"),
    "peter": ("pete",),
    "philip": ("phil", "pip"),
    "rebecca": ("becky", "becca", "bex"),
    "richard": ("rick", "ricky", "dick", "rich", "richie"),
    "robert": ("rob", "bob", "bobby", "robbie", "bert", "robin"),
    "ronald": ("ron", "ronnie"),
    "rosemary": ("rose", "rosie"),
    "samuel": ("sam", "sammy"),
    "samantha": ("sam", "sammy", "sammie"),
    "sarah": ("sally", "sadie", "sara"),
    "stephen": ("steve", "stevie", "steven"),
    "susan": ("sue", "susie", "suzy", "suzanne"),
    "terence": ("terry", "tel"),
    "theodore": ("ted", "teddy", "theo"),
    "thomas": ("tom", "tommy", "thom"),
    "timothy": ("tim", "timmy"),
    "victoria": ("vicky", "vicki", "tori"),
    "walter": ("walt", "wally"),
    "william": ("bill", "billy", "will", "willie", "liam", "willy"),
    "winifred": ("winnie", "freda"),
}


def _formal_names_by_nickname() -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    for formal, shorts in NICKNAMES.items():
        found.setdefault(formal, set()).add(formal)
        for short in shorts:
            found.setdefault(short, set()).add(formal)
    return {name: frozenset(formals) for name, formals in found.items()}


FORMAL_NAMES: dict[str, frozenset[str]] = _formal_names_by_nickname()


def name_roots(given: str) -> frozenset[str]:
    """The name itself plus every formal name it may be short for (lower-case input)."""
    return FORMAL_NAMES.get(given, frozenset()) | {given}
