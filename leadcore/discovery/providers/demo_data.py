"""Static tables the demo universe is generated from: places, names, industries, titles, tech.

Data only; the generator lives in demo_universe.py. Phone templates use '#' for a digit.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class City:
    name: str
    state: str | None  # US/CA state or province code, shown in the location
    country: str
    phone: str  # template, '#' = digit
    names: str  # key of NAME_POOLS
    tld: str  # a local top-level domain some companies use
    weight: int  # bigger hubs host more companies
    aliases: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return ", ".join(p for p in (self.name, self.state, self.country) if p)


CITIES: tuple[City, ...] = (
    City("Berlin", None, "Germany", "+49 30 #### ####", "de", "de", 3),
    City("Munich", None, "Germany", "+49 89 #### ####", "de", "de", 2, ("münchen", "muenchen")),
    City("Hamburg", None, "Germany", "+49 40 #### ####", "de", "de", 2),
    City("Frankfurt", None, "Germany", "+49 69 #### ####", "de", "de", 1),
    City("Cologne", None, "Germany", "+49 221 #### ###", "de", "de", 1, ("köln", "koeln")),
    City("Vienna", None, "Austria", "+43 1 ### ####", "de", "at", 1, ("wien",)),
    City("Zurich", None, "Switzerland", "+41 44 ### ## ##", "de", "ch", 1, ("zürich", "zuerich")),
    City("London", None, "United Kingdom", "+44 20 #### ####", "en", "co.uk", 3),
    City("Manchester", None, "United Kingdom", "+44 161 ### ####", "en", "co.uk", 1),
    City("Dublin", None, "Ireland", "+353 1 ### ####", "en", "ie", 1),
    City("Paris", None, "France", "+33 1 ## ## ## ##", "fr", "fr", 3),
    City("Lyon", None, "France", "+33 4 ## ## ## ##", "fr", "fr", 1),
    City("Amsterdam", None, "Netherlands", "+31 20 ### ####", "nl", "nl", 2),
    City("Madrid", None, "Spain", "+34 91 ### ## ##", "es", "es", 2),
    City("Barcelona", None, "Spain", "+34 93 ### ## ##", "es", "es", 2),
    City("Lisbon", None, "Portugal", "+351 21 ### ####", "pt", "pt", 1, ("lisboa",)),
    City("Milan", None, "Italy", "+39 02 #### ####", "it", "it", 1, ("milano",)),
    City("Stockholm", None, "Sweden", "+46 8 ### ### ##", "nordic", "se", 1),
    City("Copenhagen", None, "Denmark", "+45 3# ## ## ##", "nordic", "dk", 1, ("københavn",)),
    City("Warsaw", None, "Poland", "+48 22 ### ## ##", "pl", "pl", 1, ("warszawa",)),
    City("New York", "NY", "United States", "+1 212-###-####", "en", "com", 3, ("nyc", "manhattan", "brooklyn")),
    City("San Francisco", "CA", "United States", "+1 415-###-####", "en", "com", 3,
         ("sf", "bay area", "silicon valley")),
    City("Austin", "TX", "United States", "+1 512-###-####", "en", "com", 2),
    City("Boston", "MA", "United States", "+1 617-###-####", "en", "com", 2),
    City("Chicago", "IL", "United States", "+1 312-###-####", "en", "com", 1),
    City("Seattle", "WA", "United States", "+1 206-###-####", "en", "com", 1),
    City("Toronto", "ON", "Canada", "+1 416-###-####", "en", "ca", 1),
    City("Sydney", None, "Australia", "+61 2 #### ####", "en", "com.au", 1),
    City("Singapore", None, "Singapore", "+65 6### ####", "intl", "sg", 1),
    City("Bangalore", None, "India", "+91 80 #### ####", "in", "in", 1, ("bengaluru",)),
    City("Tel Aviv", None, "Israel", "+972 3-###-####", "intl", "co.il", 1),
    City("São Paulo", None, "Brazil", "+55 11 ####-####", "pt", "com.br", 1, ("sao paulo",)),
    City("Mexico City", None, "Mexico", "+52 55 #### ####", "es", "mx", 1, ("cdmx", "ciudad de mexico")),
    City("Dubai", None, "United Arab Emirates", "+971 4 ### ####", "intl", "ae", 1),
)

# Words that name a set of countries (lowercase, accents kept as users type them).
COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {
    "germany": ("germany", "deutschland"),
    "austria": ("austria", "österreich"),
    "switzerland": ("switzerland", "schweiz", "suisse"),
    "united kingdom": ("united kingdom", "uk", "england", "great britain", "britain", "scotland"),
    "ireland": ("ireland",),
    "france": ("france",),
    "netherlands": ("netherlands", "holland", "the netherlands"),
    "spain": ("spain", "españa", "espana"),
    "portugal": ("portugal",),
    "italy": ("italy", "italia"),
    "sweden": ("sweden",),
    "denmark": ("denmark",),
    "poland": ("poland", "polska"),
    "united states": ("united states", "usa", "us", "u.s.", "america", "united states of america"),
    "canada": ("canada",),
    "australia": ("australia",),
    "singapore": ("singapore",),
    "india": ("india",),
    "israel": ("israel",),
    "brazil": ("brazil", "brasil"),
    "mexico": ("mexico", "méxico"),
    "united arab emirates": ("united arab emirates", "uae"),
}
REGIONS: dict[str, tuple[str, ...]] = {
    "dach": ("germany", "austria", "switzerland"),
    "europe": ("germany", "austria", "switzerland", "united kingdom", "ireland", "france", "netherlands",
               "spain", "portugal", "italy", "sweden", "denmark", "poland"),
    "eu": ("germany", "austria", "ireland", "france", "netherlands", "spain", "portugal", "italy", "sweden",
           "denmark", "poland"),
    "emea": ("germany", "austria", "switzerland", "united kingdom", "ireland", "france", "netherlands",
             "spain", "portugal", "italy", "sweden", "denmark", "poland", "israel", "united arab emirates"),
    "nordics": ("sweden", "denmark"),
    "benelux": ("netherlands",),
    "north america": ("united states", "canada", "mexico"),
    "latam": ("brazil", "mexico"),
    "apac": ("australia", "singapore", "india"),
}

NAME_POOLS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "de": (
        ("Anna", "Lukas", "Lea", "Jonas", "Marie", "Felix", "Sophie", "Maximilian", "Laura", "Paul", "Julia",
         "Tobias", "Katharina", "Jan", "Lena", "Florian", "Hannah", "Sebastian", "Johanna", "Moritz", "Clara",
         "Niklas", "Franziska", "Stefan", "Miriam", "Jürgen", "Sabine", "Matthias", "Carolin", "Benedikt"),
        ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
         "Koch", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger",
         "Hartmann", "Lange", "Werner", "Krause", "Lehmann", "Köhler", "Vogel", "Brandt", "Seidel", "Kühn"),
    ),
    "en": (
        ("James", "Emily", "Oliver", "Sarah", "Michael", "Jessica", "Daniel", "Olivia", "David", "Emma",
         "Matthew", "Charlotte", "Ryan", "Hannah", "Andrew", "Grace", "Chris", "Megan", "Thomas", "Rachel",
         "Ben", "Lauren", "Jack", "Amelia", "Sam", "Natalie", "Tyler", "Zoe", "Nathan", "Claire"),
        ("Smith", "Johnson", "Williams", "Brown", "Jones", "Taylor", "Davies", "Wilson", "Evans", "Thomas",
         "Roberts", "Walker", "Wright", "Thompson", "White", "Hughes", "Edwards", "Green", "Hall", "Wood",
         "Harris", "Clarke", "Martin", "Cooper", "Baker", "Turner", "Parker", "Collins", "Murphy", "Reed"),
    ),
    "fr": (
        ("Camille", "Lucas", "Léa", "Hugo", "Chloé", "Louis", "Manon", "Nathan", "Inès", "Théo", "Sarah",
         "Julien", "Pauline", "Antoine", "Mathilde", "Maxime", "Élodie", "Nicolas", "Claire", "Guillaume"),
        ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
         "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier"),
    ),
    "es": (
        ("Lucía", "Hugo", "Martina", "Pablo", "Sofía", "Javier", "Elena", "Alejandro", "Carmen", "Daniel",
         "Paula", "Adrián", "Laura", "Diego", "Marta", "Sergio", "Ana", "Álvaro", "Irene", "Carlos"),
        ("García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez", "Gómez",
         "Martín", "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno", "Muñoz", "Álvarez", "Romero", "Navarro",
         "Torres"),
    ),
    "it": (
        ("Giulia", "Luca", "Francesca", "Marco", "Chiara", "Alessandro", "Sara", "Matteo", "Valentina",
         "Andrea", "Elena", "Lorenzo", "Martina", "Davide", "Federica"),
        ("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco",
         "Bruno", "Gallo", "Conti", "De Luca", "Costa"),
    ),
    "nl": (
        ("Daan", "Emma", "Sem", "Julia", "Lars", "Sanne", "Thijs", "Lotte", "Bram", "Fleur", "Ruben", "Anouk",
         "Jesse", "Iris", "Koen"),
        ("de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen", "Visser", "Smit",
         "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos"),
    ),
    "nordic": (
        ("Erik", "Astrid", "Lars", "Ingrid", "Magnus", "Freja", "Oskar", "Elsa", "Nils", "Maja", "Anders",
         "Sofie", "Henrik", "Linnea", "Mikkel"),
        ("Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Hansen", "Jensen",
         "Nielsen", "Pedersen", "Lindqvist", "Berg", "Holm", "Lund", "Dahl"),
    ),
    "pl": (
        ("Anna", "Piotr", "Katarzyna", "Tomasz", "Magdalena", "Michał", "Agnieszka", "Paweł", "Marta",
         "Krzysztof", "Joanna", "Marcin"),
        ("Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński", "Lewandowski", "Zieliński",
         "Szymański", "Woźniak", "Dąbrowski", "Kozłowski"),
    ),
    "pt": (
        ("João", "Beatriz", "Pedro", "Mariana", "Tiago", "Inês", "Rafael", "Ana", "Gabriel", "Larissa",
         "Bruno", "Carolina", "Rodrigo", "Fernanda", "Miguel"),
        ("Silva", "Santos", "Ferreira", "Pereira", "Oliveira", "Costa", "Rodrigues", "Martins", "Sousa",
         "Almeida", "Carvalho", "Gomes", "Ribeiro", "Lima", "Barbosa"),
    ),
    "in": (
        ("Aarav", "Priya", "Rohan", "Ananya", "Vikram", "Sneha", "Arjun", "Kavya", "Rahul", "Divya", "Karthik",
         "Meera", "Aditya", "Pooja", "Siddharth"),
        ("Sharma", "Patel", "Iyer", "Reddy", "Gupta", "Nair", "Menon", "Rao", "Kumar", "Singh", "Mehta",
         "Joshi", "Krishnan", "Bhat", "Desai"),
    ),
    "intl": (
        ("Wei", "Mei", "Omar", "Leila", "Yuki", "Hiro", "Noa", "Eitan", "Sofia", "Daniel", "Aisha", "Ravi",
         "Ming", "Tal", "Karim", "Lina", "Jun", "Sara", "Ahmed", "Maya"),
        ("Tan", "Lim", "Chen", "Wong", "Haddad", "Cohen", "Levi", "Tanaka", "Sato", "Khan", "Rahman",
         "Nguyen", "Ng", "Goh", "Mizrahi", "Friedman", "Ali", "Hassan", "Park", "Kim"),
    ),
}


@dataclass(frozen=True)
class Industry:
    key: str
    label: str
    keywords: tuple[str, ...]
    stems: tuple[str, ...]  # company-name parts
    nouns: tuple[str, ...]  # second words: 'Atlas <Health>'
    tech: tuple[str, ...]  # tools companies in this industry tend to use
    blurb: str  # '{name} builds ...'


INDUSTRIES: tuple[Industry, ...] = (
    Industry("fintech", "Fintech", ("fintech", "payments", "payment", "banking", "bank", "neobank", "lending",
             "insurtech", "crypto", "financial services", "wealth"),
             ("Pay", "Ledger", "Coin", "Vault", "Penny", "Mint", "Cred", "Fund"),
             ("Pay", "Capital", "Finance", "Money", "Bank"),
             ("Stripe", "Plaid", "Adyen", "Kafka", "PostgreSQL", "Kotlin", "Java", "Snowflake"),
             "builds payment and banking infrastructure for businesses"),
    Industry("saas", "SaaS", ("saas", "b2b software", "software", "cloud software", "platform"),
             ("Stack", "Flow", "Sync", "Desk", "Loop", "Board", "Base", "Hub"),
             ("Software", "Cloud", "Apps", "Systems", "Works"),
             ("React", "TypeScript", "Node.js", "AWS", "HubSpot", "Intercom", "Segment", "Datadog"),
             "makes workflow software for growing teams"),
    Industry("healthcare", "Healthcare", ("healthcare", "health", "healthtech", "medtech", "medical",
             "digital health", "biotech", "pharma", "hospital", "clinic"),
             ("Med", "Care", "Vita", "Cura", "Pulse", "Thera", "Well", "Cell"),
             ("Health", "Medical", "Care", "Bio", "Clinics"),
             ("Python", "FHIR", "AWS", "Azure", "Salesforce Health Cloud", "PostgreSQL", "React"),
             "helps clinics and patients manage care"),
    Industry("ecommerce", "E-commerce", ("ecommerce", "e-commerce", "retail", "d2c", "dtc", "marketplace",
             "online shop", "consumer goods"),
             ("Shop", "Cart", "Basket", "Market", "Deal", "Bazaar", "Parcel", "Aisle"),
             ("Commerce", "Goods", "Store", "Retail", "Brands"),
             ("Shopify", "Magento", "Klaviyo", "Google Analytics", "Algolia", "Stripe", "React"),
             "sells consumer products online across Europe and North America"),
    Industry("ai", "Artificial Intelligence", ("ai", "artificial intelligence", "machine learning", "ml",
             "genai", "generative ai", "llm", "computer vision", "nlp"),
             ("Neuro", "Cortex", "Vector", "Tensor", "Synth", "Cogni", "Deep", "Insight"),
             ("AI", "Labs", "Intelligence", "Analytics", "Robotics"),
             ("Python", "PyTorch", "TensorFlow", "Kubernetes", "GCP", "Databricks", "Ray", "Weights & Biases"),
             "builds machine-learning products for enterprises"),
    Industry("cybersecurity", "Cybersecurity", ("cybersecurity", "cyber security", "infosec",
             "security software", "identity"),
             ("Shield", "Guard", "Sentinel", "Cipher", "Aegis", "Bastion", "Trust", "Secure"),
             ("Security", "Defense", "Cyber", "Identity", "Labs"),
             ("Go", "Rust", "Kubernetes", "AWS", "Splunk", "Okta", "Elasticsearch", "Terraform"),
             "protects companies from breaches and account takeover"),
    Industry("edtech", "Education Technology", ("edtech", "education", "e-learning", "elearning", "learning",
             "online courses", "school"),
             ("Learn", "Tutor", "Class", "Study", "Skill", "Campus", "Brain", "Quiz"),
             ("Learning", "Academy", "Education", "School", "Labs"),
             ("React", "Node.js", "Firebase", "Zoom", "PostgreSQL", "AWS", "Mixpanel"),
             "builds online learning tools for schools and employers"),
    Industry("logistics", "Logistics", ("logistics", "supply chain", "shipping", "freight", "delivery",
             "mobility", "transport", "fleet"),
             ("Freight", "Route", "Cargo", "Fleet", "Dock", "Haul", "Transit", "Port"),
             ("Logistics", "Freight", "Mobility", "Transport", "Supply"),
             ("Java", "SAP", "Kafka", "Google Maps Platform", "Azure", "PostgreSQL", "Twilio"),
             "moves freight with software-planned routes"),
    Industry("proptech", "Real Estate Technology", ("proptech", "real estate", "property", "construction tech"),
             ("Home", "Nest", "Brick", "Key", "Dwell", "Estate", "Roof", "Habitat"),
             ("Homes", "Property", "Estates", "Living", "Spaces"),
             ("Ruby on Rails", "React", "PostgreSQL", "AWS", "Salesforce", "Mapbox"),
             "makes renting and buying property simpler"),
    Industry("martech", "Marketing Technology", ("martech", "adtech", "advertising", "marketing software",
             "marketing automation"),
             ("Reach", "Funnel", "Pixel", "Signal", "Buzz", "Lead", "Spark", "Echo"),
             ("Media", "Marketing", "Ads", "Growth", "Analytics"),
             ("Google Ads", "Segment", "Snowflake", "dbt", "HubSpot", "Python", "BigQuery"),
             "helps marketing teams find and convert customers"),
    Industry("gaming", "Gaming", ("gaming", "games", "game studio", "esports"),
             ("Pixel", "Quest", "Arcade", "Level", "Play", "Rogue", "Mana", "Orbit"),
             ("Games", "Studios", "Interactive", "Entertainment", "Play"),
             ("Unity", "Unreal Engine", "C++", "AWS", "PlayFab", "Go"),
             "develops mobile and PC games"),
    Industry("climate", "Clean Energy", ("climate", "climate tech", "cleantech", "energy", "renewable",
             "renewables", "solar", "sustainability", "ev charging"),
             ("Sol", "Volt", "Terra", "Green", "Wind", "Carbon", "Grid", "Leaf"),
             ("Energy", "Power", "Climate", "Solar", "Grid"),
             ("Python", "AWS", "Kubernetes", "TimescaleDB", "React", "Azure IoT"),
             "helps businesses cut emissions and energy costs"),
    Industry("manufacturing", "Manufacturing", ("manufacturing", "industrial", "industry 4.0", "automotive",
             "robotics", "hardware"),
             ("Forge", "Steel", "Axis", "Gear", "Motor", "Precision", "Fab", "Torque"),
             ("Industries", "Manufacturing", "Robotics", "Systems", "Works"),
             ("SAP", "Siemens MindSphere", "C++", "Azure", "PTC", "Microsoft Dynamics"),
             "builds precision components for industrial customers"),
)

GENERIC_STEMS = ("Nova", "Atlas", "North", "Blue", "Bright", "Kite", "Lumen", "Orbit", "Helix", "Vertex",
                 "Pioneer", "Summit", "Harbor", "Cedar", "Amber", "Quartz", "Zephyr", "Nimbus", "Polar", "Tidal")
NAME_TAILS = ("ly", "io", "ify", "hub", "wise", "lane", "bit", "nest", "ra", "on")

GENERAL_TECH = ("AWS", "Google Cloud", "Kubernetes", "Docker", "Terraform", "Python", "Go", "TypeScript", "React",
                "Node.js", "PostgreSQL", "MySQL", "MongoDB", "Redis", "Snowflake", "Datadog", "Sentry", "Jira",
                "Slack", "Salesforce", "HubSpot", "Zendesk", "Figma", "Looker", "GitHub", "Okta")

# Seniority levels: 6 C-level, 5 VP, 4 head/director, 3 manager, 2 lead/staff, 1 senior, 0 individual.
# Each function lists (level, title); the same level may carry two titles.
FUNCTIONS: dict[str, tuple[tuple[str, ...], tuple[tuple[int, str], ...]]] = {
    "executive": (("ceo", "founder", "co-founder", "cofounder", "owner", "managing director", "president",
                   "general manager", "executive", "executives", "leadership", "c-level", "c-suite"),
                  ((6, "CEO"), (6, "Co-Founder"), (5, "Managing Director"), (5, "President"),
                   (4, "General Manager"), (3, "Chief of Staff"))),
    "engineering": (("engineering", "engineer", "engineers", "developer", "developers", "software", "cto",
                     "technology", "tech lead", "devops", "backend", "frontend", "platform", "infrastructure"),
                    ((6, "CTO"), (5, "VP Engineering"), (4, "Head of Engineering"), (4, "Director of Engineering"),
                     (3, "Engineering Manager"), (2, "Staff Software Engineer"), (2, "Tech Lead"),
                     (1, "Senior Software Engineer"), (0, "Software Engineer"))),
    "product": (("product", "cpo", "product management", "product manager"),
                ((6, "Chief Product Officer"), (5, "VP Product"), (4, "Head of Product"),
                 (4, "Director of Product"), (3, "Group Product Manager"), (2, "Lead Product Manager"),
                 (1, "Senior Product Manager"), (0, "Product Manager"))),
    "data": (("data", "analytics", "data science", "machine learning engineer", "bi", "cdo"),
             ((6, "Chief Data Officer"), (5, "VP Data"), (4, "Head of Data"), (4, "Director of Data Science"),
              (3, "Data Science Manager"), (2, "Lead Data Scientist"), (1, "Senior Data Engineer"),
              (0, "Data Analyst"))),
    "sales": (("sales", "revenue", "business development", "account executive", "cro", "bdr", "sdr"),
              ((6, "Chief Revenue Officer"), (5, "VP Sales"), (4, "Head of Sales"), (4, "Sales Director"),
               (3, "Sales Manager"), (2, "Team Lead Sales"), (1, "Senior Account Executive"),
               (0, "Account Executive"), (0, "Business Development Representative"))),
    "marketing": (("marketing", "growth", "brand", "demand generation", "cmo", "content"),
                  ((6, "CMO"), (5, "VP Marketing"), (4, "Head of Marketing"), (4, "Head of Growth"),
                   (3, "Marketing Manager"), (2, "Demand Generation Lead"), (1, "Senior Content Marketing Manager"),
                   (0, "Marketing Specialist"))),
    "finance": (("finance", "cfo", "accounting", "controller", "fp&a", "treasury"),
                ((6, "CFO"), (5, "VP Finance"), (4, "Head of Finance"), (4, "Finance Director"),
                 (3, "Finance Manager"), (2, "Financial Controller"), (1, "Senior Accountant"),
                 (0, "Financial Analyst"))),
    "people": (("hr", "human resources", "people", "talent", "recruiting", "recruiter", "chro"),
               ((6, "Chief People Officer"), (5, "VP People"), (4, "Head of People"), (4, "HR Director"),
                (3, "HR Manager"), (2, "Talent Acquisition Lead"), (1, "Senior Recruiter"), (0, "Recruiter"))),
    "operations": (("operations", "ops", "coo", "supply"),
                   ((6, "COO"), (5, "VP Operations"), (4, "Head of Operations"), (4, "Director of Operations"),
                    (3, "Operations Manager"), (1, "Senior Operations Analyst"), (0, "Operations Associate"))),
    "design": (("design", "designer", "ux", "ui", "user experience"),
               ((5, "VP Design"), (4, "Head of Design"), (4, "Design Director"), (3, "Design Manager"),
                (2, "Lead Product Designer"), (1, "Senior Product Designer"), (0, "Product Designer"))),
    "customer_success": (("customer success", "customer experience", "support", "account management", "cx"),
                         ((5, "VP Customer Success"), (4, "Head of Customer Success"),
                          (4, "Director of Customer Experience"), (3, "Customer Success Manager"),
                          (2, "Support Team Lead"), (0, "Customer Success Associate"))),
    "security": (("security", "ciso", "infosec"),
                 ((6, "CISO"), (5, "VP Security"), (4, "Head of Security"), (3, "Security Engineering Manager"),
                  (1, "Senior Security Engineer"), (0, "Security Engineer"))),
    "legal": (("legal", "counsel", "lawyer", "compliance"),
              ((5, "General Counsel"), (4, "Head of Legal"), (3, "Compliance Manager"), (1, "Senior Legal Counsel"),
               (0, "Legal Counsel"))),
}

# Words that set the seniority the searcher wants; C-level titles also name their function.
SENIORITY_WORDS: tuple[tuple[str, int], ...] = (
    ("chief", 6), ("c-level", 6), ("c-suite", 6), ("cto", 6), ("cfo", 6), ("cmo", 6), ("coo", 6), ("cpo", 6),
    ("ceo", 6), ("cro", 6), ("ciso", 6), ("cdo", 6), ("chro", 6), ("founder", 6), ("co-founder", 6),
    ("cofounder", 6), ("owner", 6), ("vp", 5), ("vice president", 5), ("svp", 5), ("evp", 5),
    ("managing director", 5), ("head", 4), ("director", 4), ("manager", 3), ("lead", 2), ("staff", 2),
    ("principal", 2), ("senior", 1), ("sr", 1), ("junior", 0), ("associate", 0), ("specialist", 0),
)

# Who a search with no recognised function reaches: the usual buyers.
DEFAULT_FUNCTIONS = ("executive", "engineering", "product", "sales", "marketing", "operations", "finance")
