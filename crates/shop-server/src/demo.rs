//! Demo data for `shop-server --demo`: a small Scandinavian lifestyle shop with staff,
//! products, discount codes, customers, orders, carts, notes and six months of customer
//! conversations in English and Swedish.
//!
//! Everything comes from one seeded RNG and [`DemoOptions::now`], so the same options give the
//! same shop row for row; only the staff password hashes differ, because their salts are
//! random. Seeding writes into an empty database inside the caller's transaction, follows the
//! rules the live server keeps (replies to customers who left the online store go by email,
//! one open conversation per customer and platform, only on-store products are shared, only
//! active codes are shared, topics come from the classifier) and ends by rebuilding the change
//! log. It must never run against a shop that already has data, and [`seed`] never reads the
//! clock: "now" is whatever the options say. The files of the saved replies' images are the
//! one thing outside the database: [`store_media`] writes them when the shop starts.
//!
//! The demo staff sign in with fixed, public passwords:
//!
//! | Email                    | Password      | Name             | Online store chat |
//! |--------------------------|---------------|------------------|-------------------|
//! | `astrid@nordlys.example` | `demo-astrid` | Astrid Lindqvist | yes               |
//! | `jonas@nordlys.example`  | `demo-jonas`  | Jonas Berg       | yes               |
//! | `maja@nordlys.example`   | `demo-maja`   | Maja Ekström     | yes               |
//! | `oskar@nordlys.example`  | `demo-oskar`  | Oskar Nilsson    | no                |

use std::collections::{BTreeMap, BTreeSet};

use inbox_protocol::{
    CartAction, CartChange, ConversationStatus, Delivery, DiscountCard, DiscountStatus,
    MessageBody, Millis, Money, OrderStatus, Platform, ProductCard, SavedReplyBody, SendMessage,
    SetReadState,
};
use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

use crate::auth;
use crate::checkout::{DiscountKind, DiscountRule};
use crate::error::{Error, Result};
use crate::storage::{Shop, Tx, mutations};
use crate::topics::TopicClassifier;

/// A demo staff member and the password to sign in with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoStaff {
    pub email: String,
    pub password: String,
    pub name: String,
    pub chat_permission: bool,
}

/// How big a demo shop to make, and when "now" is.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub now: Millis,
    pub seed: u64,
    pub customers: usize,
    pub conversations: usize,
}

impl Default for DemoOptions {
    fn default() -> DemoOptions {
        DemoOptions {
            now: crate::clock::now_ms(),
            seed: 42,
            customers: 200,
            conversations: 1_000,
        }
    }
}

const SECOND: Millis = 1_000;
const MINUTE: Millis = 60 * SECOND;
const HOUR: Millis = 60 * MINUTE;
const DAY: Millis = 24 * HOUR;
const CURRENCY: &str = "SEK";
/// Where the demo shop is (Nordlys Studio is Swedish): its snoozes end by its clock.
pub const TIME_ZONE: &str = "Europe/Stockholm";
/// How many of the newest conversations are live: the customer is on the store right now.
const LIVE_CONVERSATIONS: usize = 6;

// ---- Staff -----------------------------------------------------------------------------------

struct StaffSeed {
    email: &'static str,
    password: &'static str,
    name: &'static str,
    chat: bool,
    joined_days_ago: i64,
    /// How much of the chat load this person answers.
    share: u32,
}

/// The demo staff. The passwords are fixed and public: this is a demo shop.
const STAFF: [StaffSeed; 4] = [
    StaffSeed {
        email: "astrid@nordlys.example",
        password: "demo-astrid",
        name: "Astrid Lindqvist",
        chat: true,
        joined_days_ago: 790,
        share: 40,
    },
    StaffSeed {
        email: "jonas@nordlys.example",
        password: "demo-jonas",
        name: "Jonas Berg",
        chat: true,
        joined_days_ago: 530,
        share: 35,
    },
    StaffSeed {
        email: "maja@nordlys.example",
        password: "demo-maja",
        name: "Maja Ekström",
        chat: true,
        joined_days_ago: 240,
        share: 25,
    },
    StaffSeed {
        email: "oskar@nordlys.example",
        password: "demo-oskar",
        name: "Oskar Nilsson",
        chat: false,
        joined_days_ago: 410,
        share: 0,
    },
];

// ---- Products ----------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Clothing,
    Ceramics,
    Glass,
    Textiles,
    Candles,
    Kitchen,
    Bags,
    Cosmetics,
    Service,
}

/// A variant: title, options, price in whole kronor, stock.
struct V(&'static str, &'static [&'static str], i64, i64);

struct ProductSeed {
    title: &'static str,
    kind: Kind,
    image: Option<&'static str>,
    online_store: bool,
    description: &'static str,
    variants: &'static [V],
}

const fn product(
    title: &'static str,
    kind: Kind,
    image: Option<&'static str>,
    description: &'static str,
    variants: &'static [V],
) -> ProductSeed {
    ProductSeed {
        title,
        kind,
        image,
        online_store: true,
        description,
        variants,
    }
}

const fn off_store(
    title: &'static str,
    kind: Kind,
    image: Option<&'static str>,
    description: &'static str,
    variants: &'static [V],
) -> ProductSeed {
    ProductSeed {
        title,
        kind,
        image,
        online_store: false,
        description,
        variants,
    }
}

const ONE: &[&str] = &[];

/// Thirty products. Titles straddle the 41-character cart event limit on purpose: "Lip Balm
/// Trio…" and "Ullfilt…" are exactly 40, "Kids' Rain Jacket…" and "Wholesale Case…" exactly 41.
const PRODUCTS: [ProductSeed; 30] = [
    product(
        "Organic Cotton Tee",
        Kind::Clothing,
        Some("tee.png"),
        "Heavyweight tee in organic cotton, garment-dyed in Borås. Relaxed fit.",
        &[
            V("S", &["Size: S"], 349, 12),
            V("M", &["Size: M"], 349, 0),
            V("L", &["Size: L"], 349, 7),
            V("XL", &["Size: XL"], 349, 3),
        ],
    ),
    product(
        "Merino Rib Sweater",
        Kind::Clothing,
        Some("sweater.png"),
        "Fine-rib sweater in mulesing-free merino wool. Slightly cropped, true to size.",
        &[
            V("Oat / S", &["Colour: Oat", "Size: S"], 1299, 4),
            V("Oat / M", &["Colour: Oat", "Size: M"], 1299, 0),
            V("Fog / M", &["Colour: Fog", "Size: M"], 1299, 6),
            V("Fog / L", &["Colour: Fog", "Size: L"], 1299, 2),
        ],
    ),
    product(
        "Lambswool Beanie",
        Kind::Clothing,
        Some("beanie.png"),
        "Chunky rib beanie with a recycled-wool pompom.",
        &[
            V("Oat", &["Colour: Oat"], 399, 15),
            V("Moss", &["Colour: Moss"], 399, 0),
            V("Charcoal", &["Colour: Charcoal"], 399, 9),
        ],
    ),
    product(
        "Wool Hiking Socks, 2-pack",
        Kind::Clothing,
        Some("socks.png"),
        "Cushioned merino-blend socks for long walks and cold floors.",
        &[
            V("36–39", &["Size: 36–39"], 199, 30),
            V("40–43", &["Size: 40–43"], 199, 22),
            V("44–46", &["Size: 44–46"], 199, 0),
        ],
    ),
    product(
        "Linneskjorta Ängsmark",
        Kind::Clothing,
        Some("tee.png"),
        "Lös skjorta i tvättat linne med pärlemorknappar.",
        &[
            V("S", &["Size: S"], 899, 5),
            V("M", &["Size: M"], 899, 8),
            V("L", &["Size: L"], 899, 0),
        ],
    ),
    product(
        "Stickad halsduk i alpacka, havregrå",
        Kind::Clothing,
        Some("beanie.png"),
        "Mjuk halsduk i alpacka och ull, 190 × 35 cm.",
        &[V("Default Title", ONE, 749, 11)],
    ),
    product(
        "Kids' Rain Jacket with Reflectors, Yellow",
        Kind::Clothing,
        None,
        "Windproof rain jacket with taped seams and reflectors front and back.",
        &[
            V("98/104", &["Size: 98/104"], 549, 6),
            V("110/116", &["Size: 110/116"], 549, 4),
            V("122/128", &["Size: 122/128"], 549, 0),
            V("134/140", &["Size: 134/140"], 549, 3),
        ],
    ),
    off_store(
        "Hand-Knitted Mittens",
        Kind::Clothing,
        Some("beanie.png"),
        "Knitted by hand in Dalarna. Sold in our shop on Bondegatan only.",
        &[
            V("S/M", &["Size: S/M"], 349, 4),
            V("M/L", &["Size: M/L"], 349, 2),
        ],
    ),
    product(
        "Stoneware Mug",
        Kind::Ceramics,
        Some("mug.png"),
        "Wheel-thrown mug with a satin glaze, 300 ml. Dishwasher safe.",
        &[
            V("Sand", &["Colour: Sand"], 249, 24),
            V("Sage", &["Colour: Sage"], 249, 18),
        ],
    ),
    product(
        "Stoneware Serving Bowl",
        Kind::Ceramics,
        Some("bowl.png"),
        "A generous bowl for salads and cinnamon buns, thrown in Höganäs.",
        &[
            V("Ø 16 cm", &["Size: Ø 16 cm"], 399, 10),
            V("Ø 24 cm", &["Size: Ø 24 cm"], 599, 3),
        ],
    ),
    product(
        "Handblown Bud Vase",
        Kind::Glass,
        Some("vase.png"),
        "Mouth-blown in Småland, so every vase is a little different. 18 cm tall.",
        &[
            V("Smoke", &["Colour: Smoke"], 449, 7),
            V("Clear", &["Colour: Clear"], 449, 0),
        ],
    ),
    product(
        "Ljuslykta i munblåst glas",
        Kind::Candles,
        Some("candle.png"),
        "Munblåst ljuslykta för värmeljus, 12 cm.",
        &[
            V("Smoke", &["Colour: Smoke"], 379, 3),
            V("Amber", &["Colour: Amber"], 379, 6),
        ],
    ),
    product(
        "Gotland Wool Throw",
        Kind::Textiles,
        Some("throw.png"),
        "Woven throw in Gotland lambswool, 130 × 180 cm.",
        &[
            V("Natural", &["Colour: Natural"], 1499, 5),
            V("Grey Melange", &["Colour: Grey Melange"], 1499, 0),
        ],
    ),
    product(
        "Handvävd pläd i gotländsk lammull, naturvit",
        Kind::Textiles,
        Some("throw.png"),
        "Handvävd på Gotland i ofärgad lammull, 140 × 200 cm. Varje pläd är unik.",
        &[V("Default Title", ONE, 2490, 2)],
    ),
    product(
        "Linen Tea Towel, Set of 2",
        Kind::Textiles,
        Some("towel.png"),
        "Stonewashed linen towels, 50 × 70 cm, with a hanging loop.",
        &[
            V("Natural", &["Colour: Natural"], 229, 40),
            V("Rust", &["Colour: Rust"], 229, 12),
            V("Sage", &["Colour: Sage"], 229, 0),
            V("Striped", &["Colour: Striped"], 229, 9),
        ],
    ),
    product(
        "Bordslöpare i linne",
        Kind::Textiles,
        Some("towel.png"),
        "Bordslöpare i tvättat linne med fållade kanter.",
        &[
            V("40 × 150 cm", &["Size: 40 × 150 cm"], 399, 6),
            V("40 × 200 cm", &["Size: 40 × 200 cm"], 459, 4),
        ],
    ),
    product(
        "Ullfilt för sittbänk, grå melerad, 45×45",
        Kind::Textiles,
        Some("throw.png"),
        "Sittdyna i pressad ullfilt, 45 × 45 cm.",
        &[V("Default Title", ONE, 329, 14)],
    ),
    product(
        "Recycled Wool Cushion Cover, 50 × 50 cm",
        Kind::Textiles,
        Some("throw.png"),
        "Cushion cover in recycled wool with a hidden zip.",
        &[
            V("Oat", &["Colour: Oat"], 449, 8),
            V("Moss", &["Colour: Moss"], 449, 5),
            V("Rust", &["Colour: Rust"], 449, 0),
        ],
    ),
    product(
        "Doftljus Skogsglänta",
        Kind::Candles,
        Some("candle.png"),
        "Doftljus i rapsvax med toner av tall, mossa och björklöv. Brinntid ca 40 timmar.",
        &[V("Default Title", ONE, 299, 36)],
    ),
    product(
        "Doftljus Sommaräng",
        Kind::Candles,
        Some("candle.png"),
        "Doftljus i rapsvax med fläder och nyslaget gräs. Brinntid ca 40 timmar.",
        &[V("Default Title", ONE, 299, 0)],
    ),
    product(
        "Birch Wood Cutting Board",
        Kind::Kitchen,
        None,
        "Oiled birch board from Norrland, with a juice groove.",
        &[
            V("Small", &["Size: Small"], 289, 9),
            V("Large", &["Size: Large"], 449, 4),
        ],
    ),
    product(
        "Canvas Market Tote",
        Kind::Bags,
        Some("tote.png"),
        "Sturdy organic canvas tote with an inside pocket.",
        &[
            V("Natural", &["Colour: Natural"], 279, 25),
            V("Black", &["Colour: Black"], 279, 14),
        ],
    ),
    product(
        "Birch Tar Soap",
        Kind::Cosmetics,
        Some("soap.png"),
        "Old-fashioned birch tar soap with a smoky scent. 100 g.",
        &[V("Default Title", ONE, 129, 48)],
    ),
    product(
        "Nordic Berry Face Oil",
        Kind::Cosmetics,
        Some("bottle.png"),
        "Cold-pressed lingonberry, sea buckthorn and rosehip oils.",
        &[
            V("15 ml", &["Size: 15 ml"], 449, 12),
            V("30 ml", &["Size: 30 ml"], 649, 7),
        ],
    ),
    product(
        "Handkräm Havtorn & Kamomill, 75 ml",
        Kind::Cosmetics,
        Some("bottle.png"),
        "Rik handkräm med havtornsolja och kamomill.",
        &[V("Default Title", ONE, 189, 21)],
    ),
    product(
        "Badsalt med tallbarr och eukalyptus, 500 g",
        Kind::Cosmetics,
        Some("soap.png"),
        "Badsalt från Läsö med tallbarr och eukalyptusolja.",
        &[V("Default Title", ONE, 249, 16)],
    ),
    product(
        "Lip Balm Trio: Cloudberry, Lingon & Mint",
        Kind::Cosmetics,
        Some("bottle.png"),
        "Three beeswax lip balms in recycled-aluminium tins.",
        &[V("Default Title", ONE, 219, 9)],
    ),
    product(
        "Unscented Body Lotion, 250 ml",
        Kind::Cosmetics,
        Some("bottle.png"),
        "Fragrance-free lotion for sensitive skin, with a pump.",
        &[V("Default Title", ONE, 279, 13)],
    ),
    off_store(
        "Wholesale Case: Doftljus Skogsglänta × 12",
        Kind::Candles,
        Some("candle.png"),
        "Twelve candles in a shipping case, for stockists.",
        &[V("Default Title", ONE, 2388, 6)],
    ),
    off_store(
        "Gift Wrapping, In-Store Only",
        Kind::Service,
        None,
        "Wrapping in kraft or dotted paper with a linen ribbon.",
        &[
            V("Kraft", &["Paper: Kraft"], 39, 100),
            V("Dotted", &["Paper: Dotted"], 49, 100),
        ],
    ),
];

// ---- Discount codes ------------------------------------------------------------------------------

struct DiscountSeed {
    code: &'static str,
    summary: &'static str,
    /// What checkout takes off; the summary says it in words.
    rule: DiscountRule,
    /// Days relative to now; negative is in the past.
    starts: i64,
    ends: Option<i64>,
}

/// Two active (one without an end), two expired and two scheduled, relative to `now`.
const DISCOUNTS: [DiscountSeed; 6] = [
    DiscountSeed {
        code: "WELCOME10",
        summary: "10% off your first order",
        rule: DiscountRule {
            once_per_customer: true,
            ..DiscountRule::percent(10)
        },
        starts: -420,
        ends: None,
    },
    DiscountSeed {
        code: "FIKA15",
        summary: "15% off orders of 300 kr or more",
        rule: DiscountRule {
            minimum_subtotal: 30_000,
            ..DiscountRule::percent(15)
        },
        starts: -9,
        ends: Some(23),
    },
    DiscountSeed {
        code: "SOMMAR20",
        summary: "20% off the summer collection",
        rule: DiscountRule::percent(20),
        starts: -175,
        ends: Some(-130),
    },
    DiscountSeed {
        code: "BLACKWEEK25",
        summary: "25% off everything",
        rule: DiscountRule::percent(25),
        starts: -96,
        ends: Some(-88),
    },
    DiscountSeed {
        code: "FRIFRAKT",
        summary: "Free shipping on all orders",
        rule: DiscountRule {
            kind: DiscountKind::FreeShipping,
            ..DiscountRule::percent(0)
        },
        starts: 3,
        ends: Some(10),
    },
    DiscountSeed {
        code: "VINTER30",
        summary: "30% off knitwear",
        rule: DiscountRule::percent(30),
        starts: 18,
        ends: None,
    },
];

// ---- Customers -----------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lang {
    En,
    Sv,
}

struct Place {
    city: &'static str,
    country: &'static str,
    time_zone: &'static str,
}

const fn place(city: &'static str, country: &'static str, time_zone: &'static str) -> Place {
    Place {
        city,
        country,
        time_zone,
    }
}

struct Region {
    share: u32,
    places: &'static [Place],
    /// Comma-separated, so the table stays readable.
    first_names: &'static str,
    last_names: &'static str,
    /// How likely a customer from here writes in Swedish.
    swedish: f64,
    phone: Phone,
}

#[derive(Debug, Clone, Copy)]
enum Phone {
    /// Numbers from ranges set aside for fiction, so no real person is ever dialled.
    Sweden,
    UnitedKingdom,
    UnitedStates,
    Australia,
    None,
}

const SWEDEN: &[Place] = &[
    place("Stockholm", "Sweden", "Europe/Stockholm"),
    place("Stockholm", "Sweden", "Europe/Stockholm"),
    place("Stockholm", "Sweden", "Europe/Stockholm"),
    place("Göteborg", "Sweden", "Europe/Stockholm"),
    place("Göteborg", "Sweden", "Europe/Stockholm"),
    place("Malmö", "Sweden", "Europe/Stockholm"),
    place("Malmö", "Sweden", "Europe/Stockholm"),
    place("Uppsala", "Sweden", "Europe/Stockholm"),
    place("Västerås", "Sweden", "Europe/Stockholm"),
    place("Örebro", "Sweden", "Europe/Stockholm"),
    place("Linköping", "Sweden", "Europe/Stockholm"),
    place("Umeå", "Sweden", "Europe/Stockholm"),
    place("Lund", "Sweden", "Europe/Stockholm"),
    place("Visby", "Sweden", "Europe/Stockholm"),
    place("Luleå", "Sweden", "Europe/Stockholm"),
    place("Jönköping", "Sweden", "Europe/Stockholm"),
    place("Östersund", "Sweden", "Europe/Stockholm"),
    place("Karlstad", "Sweden", "Europe/Stockholm"),
    place("Sundsvall", "Sweden", "Europe/Stockholm"),
    place("Kiruna", "Sweden", "Europe/Stockholm"),
];

const REGIONS: &[Region] = &[
    Region {
        share: 54,
        places: SWEDEN,
        first_names: "Anna, Elin, Sara, Emma, Maja, Ida, Linnéa, Klara, Johanna, Karin, Sofia, \
                      Ebba, Frida, Agnes, Alva, Wilma, Åsa, Ulrika, Malin, Tove, Saga, Elsa, \
                      Ingrid, Jenny, Erik, Lars, Johan, Anders, Oskar, Gustav, Viktor, Axel, \
                      Filip, Hugo, Mattias, Per, Björn, Nils, Sven, Henrik, Fredrik, Mikael, \
                      Göran, Leo",
        last_names: "Andersson, Johansson, Karlsson, Nilsson, Eriksson, Larsson, Olsson, \
                     Persson, Svensson, Gustafsson, Pettersson, Jonsson, Lindberg, Lindström, \
                     Bergström, Sjöberg, Åberg, Holm, Nyström, Lundgren, Björk, Hedlund, \
                     Sandberg, Öberg, Forsberg, Wallin, Engström, Dahl",
        swedish: 0.85,
        phone: Phone::Sweden,
    },
    // Swedes whose families came from elsewhere.
    Region {
        share: 8,
        places: SWEDEN,
        first_names: "Amir, Leila, Yusuf, Noor, Aleksandra, Dragana, Mehmet, Fatima, Omar, \
                      Zeynep, Minh, Reza, Hanna, Ali",
        last_names: "Hassan, Ali, Mohammed, Yılmaz, Nguyen, Kovačević, Rahimi, Haddad, Nowak, \
                     Ahmadi, Petrović, Demir",
        swedish: 0.8,
        phone: Phone::Sweden,
    },
    Region {
        share: 6,
        places: &[
            place("Oslo", "Norway", "Europe/Oslo"),
            place("Bergen", "Norway", "Europe/Oslo"),
            place("Trondheim", "Norway", "Europe/Oslo"),
            place("Tromsø", "Norway", "Europe/Oslo"),
        ],
        first_names: "Ingrid, Kari, Ola, Magnus, Sigrid, Nora, Håkon, Solveig",
        last_names: "Hansen, Johansen, Olsen, Haugen, Bakken, Solberg, Strand",
        swedish: 0.0,
        phone: Phone::None,
    },
    Region {
        share: 6,
        places: &[
            place("København", "Denmark", "Europe/Copenhagen"),
            place("Aarhus", "Denmark", "Europe/Copenhagen"),
            place("Odense", "Denmark", "Europe/Copenhagen"),
        ],
        first_names: "Mette, Freja, Mads, Rasmus, Sofie, Søren, Ida, Emil",
        last_names: "Jensen, Nielsen, Pedersen, Kristensen, Møller, Larsen",
        swedish: 0.0,
        phone: Phone::None,
    },
    Region {
        share: 5,
        places: &[
            place("Helsinki", "Finland", "Europe/Helsinki"),
            place("Tampere", "Finland", "Europe/Helsinki"),
            place("Turku", "Finland", "Europe/Helsinki"),
            place("Mariehamn", "Åland", "Europe/Mariehamn"),
        ],
        first_names: "Aino, Elina, Mikko, Juha, Laura, Veera, Jonna, Kalle",
        last_names: "Virtanen, Korhonen, Mäkinen, Nieminen, Lehtonen, Sundström",
        swedish: 0.3,
        phone: Phone::None,
    },
    Region {
        share: 6,
        places: &[
            place("Berlin", "Germany", "Europe/Berlin"),
            place("Hamburg", "Germany", "Europe/Berlin"),
            place("München", "Germany", "Europe/Berlin"),
            place("Amsterdam", "Netherlands", "Europe/Amsterdam"),
            place("Utrecht", "Netherlands", "Europe/Amsterdam"),
            place("Paris", "France", "Europe/Paris"),
            place("Lyon", "France", "Europe/Paris"),
        ],
        first_names: "Lena, Lukas, Katharina, Felix, Jürgen, Sanne, Daan, Lotte, Camille, Chloé, \
                      Théo",
        last_names: "Müller, Schmidt, Schneider, Fischer, Weber, de Vries, van Dijk, Bakker, \
                     Dubois, Lefèvre",
        swedish: 0.0,
        phone: Phone::None,
    },
    Region {
        share: 7,
        places: &[
            place("London", "United Kingdom", "Europe/London"),
            place("Manchester", "United Kingdom", "Europe/London"),
            place("Edinburgh", "United Kingdom", "Europe/London"),
            place("Bristol", "United Kingdom", "Europe/London"),
        ],
        first_names: "Emily, Oliver, Charlotte, James, Hannah, Tom, Siobhan",
        last_names: "Smith, Taylor, Brown, Wilson, Evans, Thompson, O'Brien",
        swedish: 0.0,
        phone: Phone::UnitedKingdom,
    },
    Region {
        share: 6,
        places: &[
            place("New York", "United States", "America/New_York"),
            place("Minneapolis", "United States", "America/Chicago"),
            place("Chicago", "United States", "America/Chicago"),
            place("Portland", "United States", "America/Los_Angeles"),
            place("Seattle", "United States", "America/Los_Angeles"),
        ],
        first_names: "Ashley, Michael, Jessica, Ryan, Megan, Tyler, Kristin",
        last_names: "Johnson, Williams, Garcia, Miller, Davis, Anderson, Peterson",
        swedish: 0.0,
        phone: Phone::UnitedStates,
    },
    Region {
        share: 1,
        places: &[place("Tokyo", "Japan", "Asia/Tokyo")],
        first_names: "Yuki, Haruto, Sakura, Ren",
        last_names: "Tanaka, Sato, Nakamura, Suzuki",
        swedish: 0.0,
        phone: Phone::None,
    },
    Region {
        share: 1,
        places: &[
            place("Melbourne", "Australia", "Australia/Melbourne"),
            place("Sydney", "Australia", "Australia/Sydney"),
        ],
        first_names: "Chloe, Liam, Mia, Jack",
        last_names: "Walker, Nguyen, Kelly, Murphy",
        swedish: 0.0,
        phone: Phone::Australia,
    },
];

const EMAIL_DOMAINS: [&str; 5] = [
    "example.com",
    "example.net",
    "example.org",
    "mail.example",
    "post.example",
];

// ---- Conversations -------------------------------------------------------------------------------

/// One line of a scripted exchange. Texts may use `{first}` (the customer's first name),
/// `{staff}` (the replying staff member), `{product}`, `{order}`, `{city}`, `{email}` and
/// `{tracking}`.
#[derive(Debug, Clone, Copy)]
enum Line {
    /// The customer writes.
    C(&'static str),
    /// A staff member replies.
    S(&'static str),
    /// Staff share the focus product and up to `n - 1` similar ones, with optional text.
    P(&'static str, usize),
    /// Staff share these products by title.
    Share(&'static str, &'static [&'static str]),
    /// Staff share a discount code that is active at that moment.
    D,
    /// The customer adds the focus product to their cart.
    Add(i64),
    /// The customer takes it out again.
    Remove(i64),
}

/// Which product a thread is about.
#[derive(Debug, Clone, Copy)]
enum Focus {
    None,
    Any,
    Of(&'static [Kind]),
    OneOf(&'static [&'static str]),
    /// A clothing product whose size runs sold out.
    SoldOutSize,
}

struct Thread {
    focus: Focus,
    lines: &'static [Line],
    /// An internal note staff may leave on the customer afterwards.
    note: Option<&'static str>,
}

const fn thread(focus: Focus, lines: &'static [Line]) -> Thread {
    Thread {
        focus,
        lines,
        note: None,
    }
}

const fn noted(focus: Focus, lines: &'static [Line], note: &'static str) -> Thread {
    Thread {
        focus,
        lines,
        note: Some(note),
    }
}

use Line::{Add, C, D, P, Remove, S, Share};

const SIZED_CLOTHES: &[&str] = &[
    "Organic Cotton Tee",
    "Merino Rib Sweater",
    "Linneskjorta Ängsmark",
];
const OATY_THINGS: &[&str] = &[
    "Merino Rib Sweater",
    "Lambswool Beanie",
    "Stickad halsduk i alpacka, havregrå",
    "Recycled Wool Cushion Cover, 50 × 50 cm",
];
const STONEWARE: &[&str] = &["Stoneware Mug", "Stoneware Serving Bowl"];
const WASHABLE_WOOL: &[&str] = &[
    "Gotland Wool Throw",
    "Recycled Wool Cushion Cover, 50 × 50 cm",
    "Stickad halsduk i alpacka, havregrå",
];
const SCENTED_CARE: &[&str] = &[
    "Nordic Berry Face Oil",
    "Handkräm Havtorn & Kamomill, 75 ml",
    "Birch Tar Soap",
    "Badsalt med tallbarr och eukalyptus, 500 g",
];
const LINEN: &[&str] = &["Linen Tea Towel, Set of 2", "Bordslöpare i linne"];
const GIFTS: &[Kind] = &[Kind::Candles, Kind::Ceramics, Kind::Textiles];
const DRY_SKIN: &[&str] = &[
    "Nordic Berry Face Oil",
    "Handkräm Havtorn & Kamomill, 75 ml",
];

#[rustfmt::skip]
const EN_THREADS: &[Thread] = &[
    // Shipping
    thread(Focus::None, &[
        C("Hi! How much is shipping to {city}?"),
        S("Hi {first}! Within Sweden it's 49 kr with PostNord, and free on orders over 499 kr. To the rest of the Nordics and the EU it's 149 kr."),
        C("Great, thanks!"),
    ]),
    thread(Focus::None, &[
        C("Do you ship to the UK? I'm a bit worried about customs after Brexit 😅"),
        S("We do! UK orders go with DHL Express for 179 kr. The UK is outside the EU, so DHL may collect import VAT before delivery — they'll text you a payment link if so."),
        C("Ok, good to know. Thank you!"),
    ]),
    thread(Focus::None, &[
        C("Can I pick up my order at your shop instead of having it shipped?"),
        S("Absolutely! Choose “Pick up in store” when you order and we'll email you when it's ready, usually the same day. Pickup is free."),
        C("Perfect, I'll do that"),
    ]),
    thread(Focus::Any, &[
        C("If I order the {product} today, will it arrive before Friday? It's a birthday present"),
        S("If you order before 2 pm it leaves us today, and PostNord usually delivers in 1–3 working days, so Friday should work. I can't promise it 100% though!"),
        C("Fingers crossed then 🤞"),
        Add(1),
    ]),
    thread(Focus::Of(&[Kind::Textiles]), &[
        C("What's the delivery cost for the {product} to Oslo? And how long does it take?"),
        S("Shipping to Norway is 149 kr and takes 3–5 working days. Norwegian VAT is added when you order, so there's nothing extra to pay on delivery."),
    ]),
    // Returns
    noted(Focus::OneOf(STONEWARE), &[
        C("Hi, my {product} arrived damaged, there's a big chip in the glaze 😢 What do I do?"),
        S("Oh no, I'm so sorry {first}! Could you send a photo of the damage? We'll send a new one right away — no need to return the broken one."),
        C("Just emailed you a photo"),
        S("Got it, thank you! A replacement is on its way, you'll get the tracking number tomorrow."),
    ], "Sent a replacement for a damaged {product}; no return needed."),
    thread(Focus::None, &[
        C("I'd like to return a sweater from order {order}, it's too big. How does that work?"),
        S("Of course! You have 30 days' open purchase. Go to our returns page, enter your order number and email, and you'll get a return label (59 kr is deducted from the refund). The refund comes within 5 working days of us receiving the parcel."),
        C("Can I exchange it for a smaller size instead?"),
        S("Yes! Pick “Exchange” in the returns portal and choose the size, and we'll send the new one as soon as your return is scanned."),
    ]),
    thread(Focus::None, &[
        C("When will I get my refund? I sent the return last week."),
        S("Let me check… The return for {order} arrived yesterday and the refund was approved today. It usually shows on your card within 3–5 banking days."),
        C("Brilliant, thanks for checking!"),
    ]),
    noted(Focus::OneOf(&["Unscented Body Lotion, 250 ml"]), &[
        C("The pump on my {product} doesn't work, nothing comes out. Can I get a refund?"),
        S("Sorry about that! It sounds like a faulty pump. I've refunded the bottle in full — keep it, and if you unscrew the top you can still use what's inside."),
        C("Oh that's kind, thank you!"),
    ], "Refunded a {product} with a faulty pump, no return."),
    // Product details
    thread(Focus::OneOf(SIZED_CLOTHES), &[
        C("What size would you recommend in the {product}? I'm usually an M but like it a bit loose."),
        S("It already has a relaxed fit, so I'd stay with M for a slightly loose look — size up to L only if you want it properly oversized. The model in the photos is 174 cm and wears S."),
        C("Perfect, M it is."),
        Add(1),
    ]),
    noted(Focus::SoldOutSize, &[
        C("Will the {product} be back in stock soon? My size says sold out."),
        S("Sorry about that! We're expecting a new batch in about three weeks. Want me to let you know when it's back?"),
        C("Yes please!"),
        S("Done, I've made a note. You'll get an email from us as soon as it's in."),
    ], "Wants an email when {product} is back in stock."),
    thread(Focus::OneOf(&["Handblown Bud Vase"]), &[
        C("How tall is the {product}? Wondering if it'll fit on my windowsill"),
        S("It's 18 cm tall and 9 cm across at the base, so it should fit on most windowsills."),
    ]),
    thread(Focus::OneOf(SCENTED_CARE), &[
        C("Is the {product} unscented? I react to strong fragrances."),
        S("It has a light scent from natural essential oils. If you'd like something completely fragrance-free, this one is a safe bet:"),
        Share("", &["Unscented Body Lotion, 250 ml"]),
    ]),
    thread(Focus::Any, &[
        C("Do you have more pictures of the {product}? Hard to tell the colour on my screen"),
        P("Sure! Here it is again — the third photo on the product page is taken in daylight and shows the colour best.", 1),
    ]),
    thread(Focus::OneOf(WASHABLE_WOOL), &[
        C("Can the {product} go in the washing machine?"),
        S("Yes, on a wool programme at 30 °C with wool detergent. Dry it flat and it'll keep its shape for years."),
        C("Great, thank you!"),
    ]),
    thread(Focus::OneOf(OATY_THINGS), &[
        C("What colour is the {product} in real life? More grey or more beige?"),
        S("I'd say a warm light beige with a hint of grey, like oatmeal. It looks a little cooler in the photos than it does in reality."),
    ]),
    // Product interest
    thread(Focus::OneOf(STONEWARE), &[
        C("Hi! I'm thinking of getting two of the {product} — are they identical or all a bit different?"),
        Add(2),
        S("Each one is thrown by hand, so the glaze varies a little from piece to piece. That's part of the charm, but they look lovely together!"),
        C("Ok, I'll start with one then and see"),
        Remove(1),
    ]),
    thread(Focus::None, &[
        C("Do you sell gift cards?"),
        S("We do! Digital gift cards from 200 kr, emailed straight away. You'll find them at the very bottom of the shop page."),
        C("Lovely, thanks"),
    ]),
    thread(Focus::Of(GIFTS), &[
        C("Hi! I'm looking for a gift for my mum — she loves candles and cosy things. Any tips?"),
        P("How lovely! Here are a few of our favourites:", 3),
        C("Oh, the first one is beautiful!"),
        Add(1),
        S("Great choice! Tick “gift” when you order and we'll wrap it and leave out the receipt."),
    ]),
    thread(Focus::OneOf(LINEN), &[
        C("Do you have any linen bedding? Can't find it on the site"),
        P("Not at the moment, sorry! We're working on a linen range for spring. In the meantime, maybe one of these?", 2),
    ]),
    thread(Focus::Any, &[
        C("Do you have the {product} in the Stockholm shop too, or only online?"),
        S("Yes, we have it on Bondegatan too! It goes quickly though, so call ahead if you want to be sure — 08-123 456 78."),
    ]),
    thread(Focus::OneOf(DRY_SKIN), &[
        C("Do you have any natural skincare for dry winter skin?"),
        Share("Our face oil is a customer favourite for exactly that, and the hand cream is great for cracked knuckles:", DRY_SKIN),
        C("Ordering both, thanks!"),
        Add(1),
    ]),
    thread(Focus::Any, &[
        C("Hi! Saw the {product} on Instagram, is it still available?"),
        P("Hi {first}! Yes, it is — here's the link:", 1),
        C("Thanks! 😍"),
    ]),
    // Pricing and discounts
    thread(Focus::None, &[
        C("Hi! Do you have a discount code for first-time customers?"),
        S("Welcome! Here's a code for your first order:"),
        D,
        C("Thank you so much!"),
    ]),
    thread(Focus::None, &[
        C("My discount code doesn't work, it says it's invalid?"),
        S("Sorry about that! That code ended last week, unfortunately. Here's one that works right now instead:"),
        D,
        C("Worked, thanks!"),
    ]),
    thread(Focus::Any, &[
        C("Will the {product} be on sale for Black Week?"),
        S("We can't reveal our plans yet, but if you sign up to the newsletter you'll be the first to know 😉"),
    ]),
    thread(Focus::None, &[
        C("Is there a student discount?"),
        S("We don't have a student discount, but here's a code you can use right now:"),
        D,
    ]),
    thread(Focus::Any, &[
        C("Do you price match? I saw the {product} cheaper at another shop."),
        S("We don't price match, sorry — our prices are set so the makers are paid fairly. We do have free shipping over 499 kr though!"),
        C("Fair enough, I'll order from you then"),
    ]),
    // Order status
    thread(Focus::None, &[
        C("Hi, where is my order {order}? I ordered last week and haven't heard anything."),
        S("Hi {first}! I've checked: {order} was sent on Tuesday with PostNord, and the tracking says it's waiting at your service point. You should have got a text."),
        C("Found the text in my spam folder, thank you!"),
    ]),
    thread(Focus::None, &[
        C("Did my payment go through? The money's gone from my account but I have no confirmation for {order}."),
        S("Yes, {order} is paid and confirmed 👍 The confirmation went to {email} — maybe check your spam? I've resent it now."),
    ]),
    thread(Focus::None, &[
        C("What's the tracking number for {order}?"),
        S("Here you go: {tracking} (PostNord). It should be delivered tomorrow!"),
    ]),
    thread(Focus::None, &[
        C("Order status for {order}? It still says “processing”"),
        S("Sorry for the wait! One item in your order was delayed by our supplier. It arrives on Monday and your parcel goes out the same day."),
        C("Ok, no stress, thanks for letting me know"),
    ]),
    // Edit orders
    thread(Focus::None, &[
        C("I need to change my order {order} — I picked the wrong size. Could you switch it to a large?"),
        S("Caught it just in time! It hadn't been packed yet, so I've changed it to L. You'll get an updated confirmation by email."),
        C("Lifesaver, thank you!!"),
    ]),
    thread(Focus::None, &[
        C("Can I cancel my order? I ordered the same thing twice by mistake 🙈"),
        S("No problem! I've cancelled the duplicate ({order}) and refunded it. The money should be back in a few days."),
    ]),
    thread(Focus::None, &[
        C("Could you change the delivery address on {order}? I'm moving on Friday."),
        S("Sure, what's the new address?"),
        C("Linnégatan 12B, 413 04 Göteborg"),
        S("Updated! The parcel will go to your new address."),
    ]),
    thread(Focus::None, &[
        C("Is it too late to add a tea towel to my order {order}?"),
        S("It's already been packed, sorry! But if you place a second order today, I'll refund the shipping on it and send both together."),
    ]),
    // Checkout
    thread(Focus::None, &[
        C("Can I pay with Klarna?"),
        S("Yes, Klarna is available — pay within 30 days or split it into three interest-free payments. We also take cards, Swish and Apple Pay."),
    ]),
    thread(Focus::None, &[
        C("The payment keeps failing at checkout, but my card works fine everywhere else?"),
        S("Sorry for the hassle! It's often the 3-D Secure step timing out. Could you try again and keep your bank app open? If it still fails, Swish usually works."),
        C("Worked with Swish, thanks!"),
    ]),
    noted(Focus::None, &[
        C("Can I pay by invoice? I'm ordering for our office."),
        S("Yes — for company orders we can send an invoice with 30 days to pay. Tell me what you'd like and send your company details, and I'll set up the order for you."),
        C("Great, I'll email you a list."),
    ], "Company customer, pays by invoice (30 days)."),
    thread(Focus::Any, &[
        C("I'm trying to buy the {product} but the checkout page just keeps loading"),
        S("Sorry about that! Our payment provider had a short hiccup, but it's working again now. Could you give it another go?"),
        C("It worked now 👍"),
    ]),
    // Store info
    thread(Focus::None, &[
        C("What are your opening hours in the Stockholm shop?"),
        S("Our shop on Bondegatan is open Tue–Fri 11–18 and Sat 11–16, closed Sunday and Monday. Welcome!"),
    ]),
    thread(Focus::None, &[
        C("What's your phone number? I'd rather call"),
        S("You can reach us on 08-123 456 78, weekdays 10–15. Or keep writing here, whatever's easiest!"),
    ]),
    noted(Focus::None, &[
        C("Hi! I'm a photographer and would love to collaborate on some content. Who should I talk to?"),
        S("How fun! Send a few words and a link to your portfolio to hej@nordlys.example, and Maja, who runs our marketing, will get back to you."),
    ], "Photographer who wants to collaborate on content; Maja follows up."),
    thread(Focus::None, &[
        C("What's your general policy if a gift isn't right? Want to buy something for my sister"),
        S("You have 30 days' open purchase on everything except opened cosmetics, and we can put a gift receipt in the parcel so she can exchange it herself."),
    ]),
    // Wholesale
    noted(Focus::None, &[
        C("Hello! I run a small concept store in Copenhagen. Do you offer wholesale prices?"),
        S("Hi! Yes, we work with around 30 stockists. The minimum first order is 3,000 kr excl. VAT. Send your company details to wholesale@nordlys.example and we'll send you the price list."),
        C("Will do, thank you!"),
    ], "Wholesale lead: concept store in Copenhagen, price list sent."),
    noted(Focus::OneOf(&["Doftljus Skogsglänta"]), &[
        C("We'd like 40 candles as Christmas gifts for our staff. Do you take bulk orders?"),
        S("We'd love to! For 40 we can do the {product} at 20% off, and add a printed card with your logo. Shall I send a quote?"),
        C("Yes please, to this email address."),
    ], "Corporate bulk order of 40 candles, quote sent."),
    thread(Focus::None, &[
        C("Are you looking for resellers in Germany? We have two shops in Hamburg."),
        S("We are! Germany is new for us, so we'd love to talk. Could you email wholesale@nordlys.example with a few words about your shops?"),
    ]),
    // Small talk
    thread(Focus::None, &[
        C("Just wanted to say the throw I bought is the best thing ever, I use it every single evening 🥰"),
        S("That made our day — thank you for telling us! ❤️"),
    ]),
    thread(Focus::None, &[
        C("hello?"),
        S("Hi! How can I help you today?"),
        C("sorry, pressed the chat by mistake 🙈"),
        S("No worries at all! Have a lovely day."),
    ]),
    thread(Focus::Any, &[
        C("Is anyone there?"),
        S("Hi, yes! I'm {staff}, how can I help?"),
        C("Just wondering if the {product} comes in more colours?"),
        S("Right now only the ones on the product page, but we're getting new colours in the autumn!"),
    ]),
    thread(Focus::None, &[
        C("Love your shop! Do you have a newsletter?"),
        S("Thank you so much! Yes — sign up at the bottom of any page and you'll get 10% off your first order too."),
    ]),
    thread(Focus::None, &[
        C("We came by your shop on Södermalm on Saturday, it's so cosy! Had to tell you"),
        S("Aww, thank you! Hope to see you again soon ☕"),
    ]),
];

#[rustfmt::skip]
const SV_THREADS: &[Thread] = &[
    // Frakt
    thread(Focus::None, &[
        C("Hej! Vad kostar frakten till {city}?"),
        S("Hej {first}! Inom Sverige kostar frakten 49 kr med PostNord och den är fri över 499 kr. Leveranstiden är oftast 1–3 vardagar."),
        C("Toppen, tack!"),
    ]),
    thread(Focus::None, &[
        C("Kan jag hämta min beställning i butiken istället?"),
        S("Absolut! Välj ”Hämta i butik” när du beställer så mejlar vi när paketet är redo, oftast samma dag. Det kostar ingenting."),
        C("Perfekt, då gör jag så"),
    ]),
    thread(Focus::Any, &[
        C("Hinner {product} komma fram till fredag om jag beställer idag? Det är en present"),
        S("Beställer du före kl. 14 skickas den idag, och PostNord brukar leverera inom 1–3 vardagar, så fredag borde gå fint. Kan tyvärr inte lova helt säkert!"),
        C("Håller tummarna 🤞"),
        Add(1),
    ]),
    thread(Focus::None, &[
        C("Skickar ni till Åland?"),
        S("Ja, det gör vi! Frakten är 149 kr. Åland ligger utanför EU:s skatteområde, så det kan tillkomma en avgift för tullhanteringen."),
    ]),
    thread(Focus::None, &[
        C("Hur lång är leveranstiden till Kiruna? 😅"),
        S("Det går fortare än man tror! Oftast 2–4 vardagar med PostNord. Vill du ha det snabbare kan du välja DHL Express när du beställer."),
    ]),
    thread(Focus::None, &[
        C("Kan man välja Budbee eller Instabox?"),
        S("Ja! I storstäderna kan du välja Budbee hem till dörren för 59 kr, och Instabox finns i hela landet där det finns skåp."),
        C("Vad bra, tack"),
    ]),
    // Returer
    noted(Focus::OneOf(STONEWARE), &[
        C("Hej, min {product} kom fram trasig, det är en stor flisa i glasyren 😢 Vad gör jag?"),
        S("Åh nej, vad tråkigt! Kan du skicka en bild på skadan? Vi skickar en ny direkt, du behöver inte skicka tillbaka den trasiga."),
        C("Har mejlat en bild nu"),
        S("Tack! En ny är på väg, du får spårningslänken i morgon."),
    ], "Skickat ersättning för trasig {product}, ingen retur behövs."),
    thread(Focus::None, &[
        C("Jag vill returnera en tröja från order {order}, den var för stor. Hur gör jag?"),
        S("Självklart! Du har 30 dagars öppet köp. Gå in på vår retursida, fyll i ordernummer och e-post så får du en fraktsedel (59 kr dras från återbetalningen)."),
        C("Kan jag byta till en mindre storlek istället?"),
        S("Ja, välj ”Byte” i returportalen och vilken storlek du vill ha, så skickar vi den nya så fort returen är inskannad."),
    ]),
    thread(Focus::None, &[
        C("När får jag tillbaka pengarna? Skickade returen förra veckan."),
        S("Jag kollar… Returen för {order} kom in i går och återbetalningen godkändes idag. Det brukar synas på kortet inom 3–5 bankdagar."),
        C("Vad snabbt, tack!"),
    ]),
    noted(Focus::OneOf(&["Unscented Body Lotion, 250 ml"]), &[
        C("Pumpen på min {product} fungerar inte, det kommer inget ut. Kan jag få pengarna tillbaka?"),
        S("Förlåt för det! Det låter som en felaktig pump. Jag har återbetalat hela flaskan – behåll den, skruvar du av toppen kan du fortfarande använda det som finns i."),
        C("Vad snällt, tack!"),
    ], "Återbetalat {product} pga trasig pump, ingen retur."),
    // Produktdetaljer
    thread(Focus::OneOf(SIZED_CLOTHES), &[
        C("Vilken storlek ska jag ta i {product}? Brukar ha M men gillar när det sitter lite löst."),
        S("Den har redan en ganska avslappnad passform, så jag skulle ta M. Gå upp till L bara om du vill ha den riktigt oversize. Modellen på bilderna är 174 cm och har S."),
        C("Då blir det M!"),
        Add(1),
    ]),
    noted(Focus::SoldOutSize, &[
        C("Kommer {product} tillbaka i lager snart? Min storlek står som slutsåld."),
        S("Förlåt! Vi väntar en ny leverans om ungefär tre veckor. Vill du att jag hör av mig när den är tillbaka?"),
        C("Ja gärna!"),
        S("Klart, jag har skrivit upp dig. Du får ett mejl så fort den är inne."),
    ], "Vill ha mejl när {product} är tillbaka i lager."),
    thread(Focus::OneOf(&["Handblown Bud Vase"]), &[
        C("Hur hög är {product}? Undrar om den får plats i fönstret"),
        S("Den är 18 cm hög och 9 cm bred vid foten, så den passar i de flesta fönster."),
    ]),
    thread(Focus::OneOf(SCENTED_CARE), &[
        C("Är {product} oparfymerad? Jag reagerar lätt på dofter."),
        S("Den har en mild doft av naturliga eteriska oljor. Vill du ha något helt utan doft är den här ett säkert kort:"),
        Share("", &["Unscented Body Lotion, 250 ml"]),
    ]),
    thread(Focus::Any, &[
        C("Har ni fler bilder på {product}? Svårt att se färgen på skärmen"),
        P("Självklart! Här är den igen – tredje bilden på produktsidan är tagen i dagsljus och visar färgen bäst.", 1),
    ]),
    thread(Focus::OneOf(WASHABLE_WOOL), &[
        C("Kan man tvätta {product} i maskin?"),
        S("Ja, på ullprogram i 30 grader med ulltvättmedel. Torka den plant så behåller den formen i många år."),
        C("Toppen, tack!"),
    ]),
    thread(Focus::OneOf(OATY_THINGS), &[
        C("Vilken färg är {product} i verkligheten? Mer grå eller mer beige?"),
        S("Jag skulle säga varmt ljusbeige med en gråton, som havregryn. Den ser lite kallare ut på bilderna än i verkligheten."),
    ]),
    // Produktintresse
    thread(Focus::OneOf(STONEWARE), &[
        C("Hej! Funderar på att köpa två {product} – är de likadana eller skiljer de sig lite åt?"),
        Add(2),
        S("Varje del drejas för hand, så glasyren varierar lite från bit till bit. Det är en del av charmen, men de blir jättefina tillsammans!"),
        C("Okej, då börjar jag med en och ser hur den blir"),
        Remove(1),
    ]),
    thread(Focus::None, &[
        C("Säljer ni presentkort?"),
        S("Ja! Digitala presentkort från 200 kr som skickas direkt via mejl. Du hittar dem längst ner på sidan."),
        C("Vad bra, tack"),
    ]),
    thread(Focus::Of(GIFTS), &[
        C("Hej! Letar efter en present till min mamma som älskar ljus och mysiga saker. Har du några tips?"),
        P("Vad fint! Här är några av våra favoriter:", 3),
        C("Åh, den första var jättefin!"),
        Add(1),
        S("Bra val! Kryssa i ”present” när du beställer så slår vi in den och lägger inte med kvittot."),
    ]),
    thread(Focus::OneOf(LINEN), &[
        C("Har ni sängkläder i linne? Hittar inga på sidan"),
        P("Inte just nu tyvärr, men vi jobbar på en linneserie till våren! Under tiden kanske någon av de här kan vara något?", 2),
    ]),
    thread(Focus::Any, &[
        C("Finns {product} i butiken i Stockholm också, eller bara på nätet?"),
        S("Ja, vi har den på Bondegatan också! Men den går fort, så ring gärna innan om du vill vara säker – 08-123 456 78."),
    ]),
    thread(Focus::OneOf(DRY_SKIN), &[
        C("Har ni någon naturlig hudvård för torr vinterhud?"),
        Share("Vår ansiktsolja är en favorit för just det, och handkrämen är toppen för spruckna knogar:", DRY_SKIN),
        C("Beställer båda, tack!"),
        Add(1),
    ]),
    thread(Focus::Any, &[
        C("Hej! Såg {product} på Instagram, finns den kvar?"),
        P("Hej {first}! Ja, den finns kvar – här är länken:", 1),
        C("Tack! 😍"),
    ]),
    // Rabatter
    thread(Focus::None, &[
        C("Hej! Har ni någon rabattkod för nya kunder?"),
        S("Välkommen! Här är en kod till din första beställning:"),
        D,
        C("Tack så mycket!"),
    ]),
    thread(Focus::None, &[
        C("Rabattkoden funkar inte, det står att den är ogiltig?"),
        S("Förlåt för strulet! Den koden gick tyvärr ut förra veckan. Här är en som fungerar just nu:"),
        D,
        C("Nu funkade det, tack!"),
    ]),
    thread(Focus::Any, &[
        C("Blir {product} billigare på Black Week?"),
        S("Vi kan inte avslöja något än, men skriv upp dig på nyhetsbrevet så får du veta först 😉"),
    ]),
    thread(Focus::None, &[
        C("Har ni studentrabatt?"),
        S("Vi har tyvärr ingen studentrabatt, men här är en kod du kan använda just nu:"),
        D,
    ]),
    thread(Focus::Any, &[
        C("Matchar ni priser? Såg {product} billigare i en annan butik."),
        S("Vi prismatchar tyvärr inte – våra priser är satta så att hantverkarna får betalt ordentligt. Men vi har fri frakt över 499 kr!"),
        C("Okej, då beställer jag från er ändå"),
    ]),
    // Orderstatus
    thread(Focus::None, &[
        C("Hej, var är min order {order}? Beställde förra veckan men har inte hört något."),
        S("Hej {first}! Jag har kollat: {order} skickades i tisdags med PostNord och enligt spårningen ligger den hos ditt ombud. Du borde ha fått ett sms."),
        C("Hittade sms:et i skräpkorgen, tack!"),
    ]),
    thread(Focus::None, &[
        C("Har betalningen gått igenom? Pengarna är dragna men jag har ingen orderbekräftelse för {order}."),
        S("Ja, {order} är betald och bekräftad 👍 Bekräftelsen gick till {email} – kolla gärna skräpposten? Jag har skickat den igen nu."),
    ]),
    thread(Focus::None, &[
        C("Vad har {order} för spårningsnummer?"),
        S("Varsågod: {tracking} (PostNord). Den ska levereras i morgon!"),
    ]),
    thread(Focus::None, &[
        C("Min order {order} står fortfarande som ”behandlas”, är allt okej?"),
        S("Förlåt för väntan! En vara i din order blev försenad hos leverantören. Den kommer på måndag och då skickar vi ditt paket samma dag."),
        C("Okej, inga problem, tack för att du säger till"),
    ]),
    // Redigera ordrar
    thread(Focus::None, &[
        C("Kan jag ändra min order {order}? Valde fel storlek, vill ha L istället."),
        S("Precis i tid! Den hade inte packats än, så jag har ändrat till L. Du får en uppdaterad bekräftelse på mejlen."),
        C("Räddare i nöden, tack!!"),
    ]),
    thread(Focus::None, &[
        C("Jag vill avbryta min beställning, råkade beställa samma sak två gånger 🙈"),
        S("Inga problem! Jag har makulerat dubbletten ({order}) och återbetalat den. Pengarna bör synas inom några dagar."),
    ]),
    thread(Focus::None, &[
        C("Kan ni ändra adressen på {order}? Jag flyttar på fredag."),
        S("Självklart, vad är den nya adressen?"),
        C("Linnégatan 12B, 413 04 Göteborg"),
        S("Uppdaterat! Paketet går till den nya adressen."),
    ]),
    thread(Focus::None, &[
        C("Är det för sent att lägga till en kökshandduk i order {order}?"),
        S("Den är tyvärr redan packad! Men gör du en ny beställning idag så återbetalar jag frakten på den och skickar båda tillsammans."),
    ]),
    // Kassa
    thread(Focus::None, &[
        C("Kan man betala med Klarna?"),
        S("Ja, Klarna finns – betala inom 30 dagar eller dela upp på tre räntefria delbetalningar. Vi tar även kort, Swish och Apple Pay."),
    ]),
    thread(Focus::None, &[
        C("Det går inte att slutföra köpet i kassan, fast kortet funkar överallt annars?"),
        S("Förlåt för krånglet! Det är ofta 3-D Secure-steget som tar för lång tid. Testa igen och ha bankappen öppen. Funkar det ändå inte brukar Swish gå bra."),
        C("Det gick med Swish, tack!"),
    ]),
    noted(Focus::None, &[
        C("Går det att betala mot faktura? Jag beställer till kontoret."),
        S("Ja, till företag kan vi skicka faktura med 30 dagars betalningstid. Berätta vad ni vill ha och skicka era företagsuppgifter, så lägger jag ordern åt er."),
        C("Toppen, jag mejlar en lista."),
    ], "Företagskund, betalar mot faktura (30 dagar)."),
    thread(Focus::Any, &[
        C("Försöker köpa {product} men kassan bara laddar och laddar"),
        S("Förlåt! Vår betalleverantör hade en kort störning, men nu fungerar det igen. Kan du testa en gång till?"),
        C("Nu gick det 👍"),
    ]),
    // Butiksinformation
    thread(Focus::None, &[
        C("Vilka öppettider har butiken?"),
        S("Butiken på Bondegatan har öppet tis–fre 11–18 och lör 11–16. Söndag och måndag har vi stängt. Välkommen!"),
    ]),
    thread(Focus::None, &[
        C("Vilket telefonnummer har ni? Vill hellre ringa"),
        S("Du når oss på 08-123 456 78, vardagar 10–15. Eller skriv här, det som passar dig bäst!"),
    ]),
    thread(Focus::None, &[
        C("Har ni öppet i mellandagarna?"),
        S("Ja, 27–30 december har vi öppet 11–16. Nyårsafton och nyårsdagen har vi stängt."),
    ]),
    noted(Focus::None, &[
        C("Hej! Jag är fotograf och skulle gärna samarbeta kring bilder. Vem ska jag prata med?"),
        S("Vad roligt! Skicka några rader och en länk till din portfolio till hej@nordlys.example så hör Maja, som ansvarar för marknadsföringen, av sig."),
    ], "Fotograf som vill samarbeta, Maja tar kontakt."),
    thread(Focus::None, &[
        C("Var ligger er butik? Vill komma förbi i helgen"),
        S("Vi finns på Bondegatan 14 på Södermalm, fem minuter från Medborgarplatsen. På lördagar har vi öppet 11–16. Välkommen!"),
    ]),
    // Grosshandel
    noted(Focus::None, &[
        C("Hej! Jag driver en liten inredningsbutik i Visby. Jobbar ni med återförsäljare?"),
        S("Hej! Ja, vi har ett 30-tal återförsäljare. Minsta första order är 3 000 kr exkl. moms. Mejla företagsuppgifter och org.nr till grossist@nordlys.example så skickar vi prislistan."),
        C("Perfekt, gör det direkt!"),
    ], "Grossistkund på gång: inredningsbutik i Visby, prislista skickad."),
    noted(Focus::OneOf(&["Doftljus Skogsglänta"]), &[
        C("Vi vill beställa 40 doftljus som julklapp till personalen. Har ni grossistpris?"),
        S("Vad roligt! För 40 st kan vi ge 20 % på {product}, och vi kan lägga till ett tryckt kort med er logga. Ska jag skicka en offert?"),
        C("Ja tack, till den här adressen."),
    ], "Företagsbeställning på 40 ljus, offert skickad."),
    thread(Focus::None, &[
        C("Hej, har ni en grossistkatalog för keramiken?"),
        S("Ja, jag har mejlat den till {email}. Priserna är exkl. moms och minsta order är 12 st per artikel."),
    ]),
    // Småprat
    thread(Focus::None, &[
        C("Ville bara säga att pläden jag köpte är det bästa jag har, jag använder den varje kväll 🥰"),
        S("Åh, vad glada vi blir! Tack för att du berättar ❤️"),
    ]),
    thread(Focus::None, &[
        C("hallå?"),
        S("Hej! Vad kan jag hjälpa till med?"),
        C("förlåt, klickade på chatten av misstag 🙈"),
        S("Ingen fara alls! Ha en fin dag."),
    ]),
    thread(Focus::Any, &[
        C("Är det någon där?"),
        S("Hej, ja! Jag heter {staff}, vad kan jag hjälpa dig med?"),
        C("Undrar bara om {product} finns i fler färger?"),
        S("Just nu finns bara de som syns på produktsidan, men vi får in nya färger i höst!"),
    ]),
    thread(Focus::None, &[
        C("Vad fin sida ni har! Har ni nyhetsbrev?"),
        S("Tack så mycket! Ja, skriv upp dig längst ner på sidan så får du 10 % på första beställningen också."),
    ]),
    thread(Focus::None, &[
        C("Vi var förbi butiken i lördags, så mysigt! Var tvungen att säga det 😊"),
        S("Åh tack! Välkomna tillbaka ☕"),
    ]),
];

const GREETINGS_EN: [&str; 4] = ["Hi!", "Hello 👋", "Hi there", "Hey"];
const GREETINGS_SV: [&str; 4] = ["Hej!", "Hej hej", "Hallå 👋", "Hejsan!"];
const CLOSINGS_EN: [(&str, &str); 3] = [
    (
        "Thanks so much for your help!",
        "You're welcome, have a lovely day! 😊",
    ),
    ("Thank you, have a nice weekend!", "You too! Take care."),
    ("Great, thanks!", "Anytime!"),
];
const CLOSINGS_SV: [(&str, &str); 3] = [
    ("Tack för hjälpen!", "Varsågod, ha en fin dag! 😊"),
    ("Tusen tack, trevlig helg!", "Detsamma! 🌿"),
    ("Toppen, tack!", "Varsågod!"),
];

/// Notes staff keep about customers, unrelated to any one conversation.
const GENERAL_NOTES: [&str; 8] = [
    "Föredrar att bli kontaktad via mejl, inte telefon.",
    "Stamkund sedan starten – bjud gärna på presentinslagning.",
    "Allergic to lavender; suggest unscented products.",
    "Har beställt till företaget två gånger, fråga om faktura nästa gång.",
    "Lives abroad half the year; check the delivery address before shipping.",
    "Returned two sweaters because of the size; recommend one size down.",
    "Vill inte ha nyhetsbrev, avregistrerad på egen begäran.",
    "Stylist who sometimes buys for photo shoots. Very friendly!",
];

// ---- Seeding -----------------------------------------------------------------------------------

/// Fills an empty database with a demo shop. Deterministic for a given seed and `now`.
///
/// Returns the staff with their plain-text demo passwords, to show on start.
pub fn seed(
    tx: &Tx<'_>,
    shop: &Shop,
    classifier: &dyn TopicClassifier,
    opts: &DemoOptions,
) -> Result<Vec<DemoStaff>> {
    let mut rng = StdRng::seed_from_u64(opts.seed);
    let now = opts.now;

    let staff = insert_staff(tx, now)?;
    let products = insert_products(tx, now)?;
    let discounts = insert_discounts(tx, now)?;
    let customers = insert_customers(tx, &mut rng, now, opts.customers)?;
    let orders = insert_orders(tx, &mut rng, now, &customers, &products)?;

    let world = World {
        now,
        staff: &staff,
        products: &products,
        discounts: &discounts,
    };
    let conversations = if customers.is_empty() {
        Vec::new()
    } else {
        plan_conversations(&mut rng, &world, &customers, &orders, opts.conversations)
    };
    let written = write_conversations(tx, shop, classifier, &world, &customers, &conversations)?;
    insert_read_states(tx, &mut rng, &world, &conversations, &written)?;
    insert_carts(tx, &mut rng, &world, &customers, &conversations)?;
    insert_notes(tx, &mut rng, &world, &customers, &conversations)?;
    insert_saved_replies(tx, shop, &world)?;
    Ok(STAFF
        .iter()
        .map(|s| DemoStaff {
            email: s.email.to_owned(),
            password: s.password.to_owned(),
            name: s.name.to_owned(),
            chat_permission: s.chat,
        })
        .collect())
}

/// The fixed parts of the shop every step refers to.
struct World<'a> {
    now: Millis,
    staff: &'a [StaffRow],
    products: &'a [ProductRow],
    discounts: &'a [DiscountRow],
}

struct StaffRow {
    id: i64,
    first_name: &'static str,
    chat: bool,
    share: u32,
}

struct ProductRow {
    id: i64,
    seed: &'static ProductSeed,
    handle: String,
    variants: Vec<VariantRow>,
}

struct VariantRow {
    id: i64,
    price_minor: i64,
    stock: i64,
}

impl ProductRow {
    /// The snapshot a staff member's share would take, as the server makes it.
    fn card(&self) -> ProductCard {
        let price = self
            .variants
            .iter()
            .map(|v| v.price_minor)
            .min()
            .unwrap_or(0);
        ProductCard {
            product_id: self.id,
            title: self.seed.title.to_owned(),
            price: Money {
                minor: price,
                currency: CURRENCY.to_owned(),
            },
            image_url: self
                .seed
                .image
                .map(|file| format!("/assets/products/{file}")),
            url: format!("/store/products/{}", self.handle),
        }
    }

    fn in_stock(&self) -> Vec<usize> {
        (0..self.variants.len())
            .filter(|&i| self.variants[i].stock > 0)
            .collect()
    }
}

struct DiscountRow {
    id: i64,
    seed: &'static DiscountSeed,
    starts_at: Millis,
    ends_at: Option<Millis>,
}

impl DiscountRow {
    fn active_at(&self, at: Millis) -> bool {
        DiscountStatus::at(at, self.starts_at, self.ends_at) == DiscountStatus::Active
    }
}

struct CustomerRow {
    id: i64,
    first_name: String,
    name: String,
    email: String,
    city: &'static str,
    created_at: Millis,
    lang: Lang,
    /// Some customers write far more often than others.
    chattiness: u32,
}

#[derive(Debug, Clone, Copy)]
struct OrderRef {
    number: i64,
    created_at: Millis,
}

fn between(rng: &mut StdRng, lo: Millis, hi: Millis) -> Millis {
    if hi <= lo {
        lo
    } else {
        rng.random_range(lo..hi)
    }
}

fn weighted<T: Copy>(rng: &mut StdRng, items: &[(T, u32)]) -> T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut roll = rng.random_range(0..total.max(1));
    for &(item, weight) in items {
        if roll < weight {
            return item;
        }
        roll -= weight;
    }
    items[items.len() - 1].0
}

/// Lowercase ASCII for URLs and email addresses: "Ullfilt för sittbänk" → "ullfilt-for-sittbank".
fn ascii_fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.to_lowercase().chars() {
        match ch {
            'å' | 'ä' | 'á' | 'à' | 'â' => out.push('a'),
            'ö' | 'ø' | 'ó' | 'ô' => out.push('o'),
            'é' | 'è' | 'ê' | 'ë' => out.push('e'),
            'ü' | 'ú' => out.push('u'),
            'æ' => out.push_str("ae"),
            'ß' => out.push_str("ss"),
            'ı' | 'í' => out.push('i'),
            'ç' | 'č' | 'ć' => out.push('c'),
            'ş' | 'š' => out.push('s'),
            'ž' => out.push('z'),
            'ğ' => out.push('g'),
            'ñ' => out.push('n'),
            '×' => out.push('x'),
            c if c.is_ascii_alphanumeric() => out.push(c),
            _ => out.push(' '),
        }
    }
    out
}

fn handle(title: &str) -> String {
    ascii_fold(title)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join("-")
}

fn insert_staff(tx: &Tx<'_>, now: Millis) -> Result<Vec<StaffRow>> {
    let mut rows = Vec::new();
    for s in &STAFF {
        let id = mutations::add_staff(
            tx,
            &mutations::NewStaff {
                email: s.email,
                name: s.name,
                password_hash: &auth::hash_password(s.password),
                chat_permission: s.chat,
            },
            now - s.joined_days_ago * DAY,
        )?;
        rows.push(StaffRow {
            id,
            first_name: s.name.split(' ').next().unwrap_or(s.name),
            chat: s.chat,
            share: s.share,
        });
    }
    Ok(rows)
}

fn insert_products(tx: &Tx<'_>, now: Millis) -> Result<Vec<ProductRow>> {
    let mut rows = Vec::new();
    for (index, seed) in PRODUCTS.iter().enumerate() {
        let handle = handle(seed.title);
        // The range grew over the shop's first two years.
        let created_at = now - (720 - 15 * index as i64) * DAY;
        let product = mutations::NewProduct {
            title: seed.title,
            handle: &handle,
            description: seed.description,
            image: seed.image,
            online_store: seed.online_store,
            variants: seed
                .variants
                .iter()
                .map(|V(title, options, kronor, stock)| mutations::NewVariant {
                    title,
                    options,
                    price_minor: kronor * 100,
                    stock: *stock,
                })
                .collect(),
        };
        let (id, variant_ids) = mutations::add_product(tx, &product, created_at)?;
        let variants = variant_ids
            .into_iter()
            .zip(&product.variants)
            .map(|(id, v)| VariantRow {
                id,
                price_minor: v.price_minor,
                stock: v.stock,
            })
            .collect();
        rows.push(ProductRow {
            id,
            seed,
            handle,
            variants,
        });
    }
    Ok(rows)
}

fn insert_discounts(tx: &Tx<'_>, now: Millis) -> Result<Vec<DiscountRow>> {
    let mut rows = Vec::new();
    for seed in &DISCOUNTS {
        // Campaigns start and end at midnight UTC, as a person would set them.
        let midnight = |days: i64| (now + days * DAY).div_euclid(DAY) * DAY;
        let starts_at = midnight(seed.starts);
        let ends_at = seed.ends.map(midnight);
        let id =
            mutations::add_discount(tx, seed.code, seed.summary, &seed.rule, starts_at, ends_at)?;
        rows.push(DiscountRow {
            id,
            seed,
            starts_at,
            ends_at,
        });
    }
    Ok(rows)
}

fn phone(rng: &mut StdRng, kind: Phone, city: &str) -> Option<String> {
    Some(match kind {
        // PTS keeps 070-1740605 to 070-1740699 for fiction.
        Phone::Sweden => format!("+46 70 174 06 {:02}", rng.random_range(5..100)),
        // Ofcom's drama range.
        Phone::UnitedKingdom => format!("+44 7700 900{:03}", rng.random_range(0..1000)),
        // 555-0100 to 555-0199 are fictional in every area code.
        Phone::UnitedStates => {
            let area = match city {
                "New York" => 212,
                "Minneapolis" => 612,
                "Chicago" => 312,
                "Portland" => 503,
                _ => 206,
            };
            format!("+1 {area} 555 01{:02}", rng.random_range(0..100))
        }
        // ACMA's fictional mobile range.
        Phone::Australia => format!("+61 491 570 {:03}", rng.random_range(156..160)),
        Phone::None => return None,
    })
}

fn insert_customers(
    tx: &Tx<'_>,
    rng: &mut StdRng,
    now: Millis,
    count: usize,
) -> Result<Vec<CustomerRow>> {
    struct Draft {
        row: CustomerRow,
        phone: Option<String>,
        country: &'static str,
        time_zone: &'static str,
        email_marketing: bool,
        sms_marketing: bool,
    }
    let regions: Vec<(usize, u32)> = REGIONS
        .iter()
        .enumerate()
        .map(|(i, r)| (i, r.share))
        .collect();
    let mut used = BTreeSet::new();
    let mut drafts = Vec::with_capacity(count);
    for _ in 0..count {
        let region = &REGIONS[weighted(rng, &regions)];
        let first_names: Vec<&str> = region.first_names.split(", ").collect();
        let last_names: Vec<&str> = region.last_names.split(", ").collect();
        let first = *first_names.choose(rng).expect("names");
        let last = *last_names.choose(rng).expect("names");
        let place = region.places.choose(rng).expect("places");
        let (f, l) = (
            ascii_fold(first).replace(' ', ""),
            ascii_fold(last).replace(' ', ""),
        );
        let local = match rng.random_range(0..5) {
            0 => format!("{f}.{l}"),
            1 => format!("{f}{l}"),
            2 => format!("{}.{l}", &f[..1]),
            3 => format!("{f}_{l}{}", rng.random_range(60..100)),
            _ => format!("{f}{}", rng.random_range(1..1000)),
        };
        let domain = EMAIL_DOMAINS.choose(rng).expect("domains");
        let mut email = format!("{local}@{domain}");
        let mut n = 2;
        while !used.insert(email.clone()) {
            email = format!("{local}{n}@{domain}");
            n += 1;
        }
        let phone = if rng.random_bool(0.7) {
            phone(rng, region.phone, place.city)
        } else {
            None
        };
        let sms_marketing = phone.is_some() && rng.random_bool(0.2);
        drafts.push(Draft {
            row: CustomerRow {
                id: 0,
                first_name: first.to_owned(),
                name: format!("{first} {last}"),
                email,
                city: place.city,
                created_at: now - between(rng, 2 * HOUR, 730 * DAY),
                lang: if rng.random_bool(region.swedish) {
                    Lang::Sv
                } else {
                    Lang::En
                },
                chattiness: weighted(rng, &[(1, 60), (3, 30), (8, 10)]),
            },
            phone,
            country: place.country,
            time_zone: place.time_zone,
            email_marketing: rng.random_bool(0.45),
            sms_marketing,
        });
    }
    // Ids follow sign-up order, as they would in a real shop.
    drafts.sort_by_key(|d| d.row.created_at);
    let mut rows = Vec::with_capacity(count);
    for mut d in drafts {
        d.row.id = mutations::add_customer(
            tx,
            &mutations::NewCustomer {
                name: &d.row.name,
                email: &d.row.email,
                phone: d.phone.as_deref(),
                city: Some(d.row.city),
                country: Some(d.country),
                time_zone: Some(d.time_zone),
                email_marketing: d.email_marketing,
                sms_marketing: d.sms_marketing,
            },
            d.row.created_at,
        )?;
        rows.push(d.row);
    }
    Ok(rows)
}

/// Orders for most customers, numbered from #1001 in the order they were placed. Returns each
/// customer's orders, oldest first.
fn insert_orders(
    tx: &Tx<'_>,
    rng: &mut StdRng,
    now: Millis,
    customers: &[CustomerRow],
    products: &[ProductRow],
) -> Result<Vec<Vec<OrderRef>>> {
    struct Draft {
        customer: usize,
        created_at: Millis,
        total_minor: i64,
        status: OrderStatus,
    }
    let mut drafts = Vec::new();
    for (index, customer) in customers.iter().enumerate() {
        let count = weighted(
            rng,
            &[(0, 15), (1, 35), (2, 22), (3, 14), (4, 8), (5, 4), (7, 2)],
        );
        for _ in 0..count {
            // Customers who still shop have ordered lately; the rest long ago.
            let since = if rng.random_bool(0.5) {
                now - 200 * DAY
            } else {
                0
            };
            let since = since.max(customer.created_at + HOUR);
            let created_at = between(rng, since, now - 20 * MINUTE);
            let mut subtotal = 0;
            for _ in 0..rng.random_range(1..=4) {
                let product = products.choose(rng).expect("products");
                let variant = product.variants.choose(rng).expect("variants");
                subtotal += variant.price_minor * rng.random_range(1..=2);
            }
            let shipping = if subtotal >= 49_900 { 0 } else { 4_900 };
            let age = now - created_at;
            let status = if age < 2 * DAY {
                weighted(rng, &[(OrderStatus::Open, 30), (OrderStatus::Paid, 70)])
            } else if age < 10 * DAY {
                weighted(
                    rng,
                    &[
                        (OrderStatus::Paid, 40),
                        (OrderStatus::Fulfilled, 55),
                        (OrderStatus::Cancelled, 5),
                    ],
                )
            } else {
                weighted(
                    rng,
                    &[
                        (OrderStatus::Fulfilled, 85),
                        (OrderStatus::Refunded, 8),
                        (OrderStatus::Cancelled, 7),
                    ],
                )
            };
            drafts.push(Draft {
                customer: index,
                created_at,
                total_minor: subtotal + shipping,
                status,
            });
        }
    }
    drafts.sort_by_key(|d| (d.created_at, d.customer));
    let mut by_customer = vec![Vec::new(); customers.len()];
    for (index, d) in drafts.iter().enumerate() {
        let number = 1001 + index as i64;
        mutations::add_order(
            tx,
            customers[d.customer].id,
            number,
            d.total_minor,
            d.status,
            d.created_at,
        )?;
        by_customer[d.customer].push(OrderRef {
            number,
            created_at: d.created_at,
        });
    }
    Ok(by_customer)
}

// ---- Planning conversations ------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Customer,
    Staff,
    Cart,
}

enum What {
    Customer(String),
    Staff {
        staff_id: i64,
        body: MessageBody,
        delivery: Delivery,
    },
    Cart {
        action: CartAction,
        product: usize,
        variant: usize,
        quantity: i64,
    },
}

struct Item {
    at: Millis,
    what: What,
}

struct Plan {
    customer: usize,
    platform: Platform,
    contact_email: String,
    items: Vec<Item>,
    responder: i64,
    assignee: Option<i64>,
    open: bool,
    online: bool,
    closed_at: Option<Millis>,
    /// Internal notes staff left after this conversation: (author, body, written at).
    notes: Vec<(i64, String, Millis)>,
}

impl Plan {
    fn start(&self) -> Millis {
        self.items.first().map_or(0, |i| i.at)
    }

    fn end(&self) -> Millis {
        self.items.last().map_or(0, |i| i.at)
    }
}

fn sample_platform(rng: &mut StdRng) -> Platform {
    weighted(
        rng,
        &[
            (Platform::OnlineStore, 60),
            (Platform::ShopApp, 12),
            (Platform::Messenger, 10),
            (Platform::Instagram, 10),
            (Platform::Email, 8),
        ],
    )
}

/// When a conversation starts: mostly spread over six months, busier in the last two weeks,
/// and in the daytime for anything older than a day.
fn sample_start(rng: &mut StdRng, now: Millis) -> Millis {
    let roll: f64 = rng.random();
    let age = if roll < 0.06 {
        between(rng, 20 * MINUTE, 6 * HOUR)
    } else if roll < 0.22 {
        between(rng, 6 * HOUR, 14 * DAY)
    } else {
        between(rng, 14 * DAY, 182 * DAY)
    };
    let start = now - age;
    if age <= DAY {
        return start;
    }
    let daytime = start.div_euclid(DAY) * DAY + between(rng, 6 * HOUR, 20 * HOUR);
    daytime.min(now - 12 * HOUR)
}

/// Builds one conversation's items in time order.
struct Builder<'a> {
    world: &'a World<'a>,
    customer: &'a CustomerRow,
    platform: Platform,
    live: bool,
    t: Millis,
    last: Option<Who>,
    /// Until when the customer is still on the store after their last message.
    online_until: Millis,
    items: Vec<Item>,
    /// Set once the script runs into "now": the rest has not happened yet.
    stopped: bool,
}

impl Builder<'_> {
    /// Moves the clock to when `who` acts next; false once that would be in the future.
    fn advance(&mut self, rng: &mut StdRng, who: Who) -> bool {
        if self.stopped {
            return false;
        }
        let gap = match (self.last, who) {
            (None, _) => 0,
            (Some(Who::Customer), Who::Customer) => between(rng, 8 * SECOND, 50 * SECOND),
            (Some(Who::Staff), Who::Staff) => between(rng, 5 * SECOND, 40 * SECOND),
            (_, Who::Cart) => between(rng, 20 * SECOND, 3 * MINUTE),
            (Some(_), Who::Staff) if self.live => between(rng, 30 * SECOND, 3 * MINUTE),
            (Some(_), Who::Customer) if self.live => between(rng, 15 * SECOND, 2 * MINUTE),
            (Some(_), Who::Staff) => match rng.random_range(0..100) {
                0..65 => between(rng, MINUTE, 8 * MINUTE),
                65..90 => between(rng, 10 * MINUTE, 90 * MINUTE),
                _ => between(rng, 3 * HOUR, 18 * HOUR),
            },
            (Some(_), Who::Customer) => match rng.random_range(0..100) {
                0..75 => between(rng, 20 * SECOND, 4 * MINUTE),
                _ => between(rng, HOUR, 20 * HOUR),
            },
        };
        let mut at = self.t + gap;
        // Staff answer during the working day (06–20 UTC); a question from the night waits.
        let hour = at.rem_euclid(DAY) / HOUR;
        if who == Who::Staff
            && self.last != Some(Who::Staff)
            && !self.live
            && !(6..20).contains(&hour)
        {
            let day = at.div_euclid(DAY) * DAY + if hour >= 20 { DAY } else { 0 };
            at = day + 6 * HOUR + between(rng, 20 * MINUTE, 3 * HOUR);
        }
        if at > self.world.now - 10 * SECOND {
            self.stopped = true;
            return false;
        }
        self.t = at;
        self.last = Some(who);
        true
    }

    fn customer_says(&mut self, rng: &mut StdRng, text: String) {
        if self.advance(rng, Who::Customer) {
            self.online_until = self.t + between(rng, 2 * MINUTE, 25 * MINUTE);
            self.items.push(Item {
                at: self.t,
                what: What::Customer(text),
            });
        }
    }

    fn staff_says(&mut self, rng: &mut StdRng, staff_id: i64, body: MessageBody) {
        if self.advance(rng, Who::Staff) {
            let online = self.live || self.t <= self.online_until;
            let delivery = if self.platform == Platform::OnlineStore && !online {
                Delivery::Email {
                    address: self.customer.email.clone(),
                }
            } else {
                Delivery::Platform {
                    platform: self.platform,
                }
            };
            self.items.push(Item {
                at: self.t,
                what: What::Staff {
                    staff_id,
                    body,
                    delivery,
                },
            });
        }
    }

    fn cart(&mut self, rng: &mut StdRng, action: CartAction, product: usize, quantity: i64) {
        if !matches!(self.platform, Platform::OnlineStore | Platform::ShopApp) {
            return;
        }
        // Cart events show in a chat only while the customer is on the store.
        if self.platform == Platform::OnlineStore && !self.live && self.t > self.online_until {
            return;
        }
        let in_stock = self.world.products[product].in_stock();
        let Some(&variant) = in_stock.choose(rng) else {
            return;
        };
        let variant = match action {
            CartAction::Added => variant,
            // Only what this conversation put in can come out again.
            CartAction::Removed => match self.items.iter().rev().find_map(|i| match i.what {
                What::Cart {
                    action: CartAction::Added,
                    product: p,
                    variant,
                    ..
                } if p == product => Some(variant),
                _ => None,
            }) {
                Some(v) => v,
                None => return,
            },
        };
        let quantity = quantity.min(self.world.products[product].variants[variant].stock);
        if self.advance(rng, Who::Cart) {
            self.online_until = self
                .online_until
                .max(self.t + between(rng, MINUTE, 10 * MINUTE));
            self.items.push(Item {
                at: self.t,
                what: What::Cart {
                    action,
                    product,
                    variant,
                    quantity,
                },
            });
        }
    }
}

fn focus_candidates(world: &World<'_>, focus: Focus) -> Vec<usize> {
    world
        .products
        .iter()
        .enumerate()
        .filter(|(_, p)| p.seed.online_store)
        .filter(|(_, p)| match focus {
            Focus::None | Focus::Any => true,
            Focus::Of(kinds) => kinds.contains(&p.seed.kind),
            Focus::OneOf(titles) => titles.contains(&p.seed.title),
            Focus::SoldOutSize => {
                p.seed.kind == Kind::Clothing
                    && p.seed.variants.iter().any(|v| v.3 == 0)
                    && p.seed
                        .variants
                        .iter()
                        .any(|v| v.1.iter().any(|o| o.starts_with("Size:")))
            }
        })
        .map(|(i, _)| i)
        .collect()
}

fn product_by_title(world: &World<'_>, title: &str) -> Option<usize> {
    world
        .products
        .iter()
        .position(|p| p.seed.title == title && p.seed.online_store)
}

fn mentions_order(thread: &Thread) -> bool {
    thread.lines.iter().any(|line| match line {
        C(text) | S(text) | P(text, _) | Share(text, _) => text.contains("{order}"),
        _ => false,
    })
}

struct Fill<'a> {
    first: &'a str,
    product: &'a str,
    order: String,
    city: &'a str,
    email: &'a str,
    tracking: String,
}

impl Fill<'_> {
    fn apply(&self, template: &str, staff: &str) -> String {
        template
            .replace("{first}", self.first)
            .replace("{staff}", staff)
            .replace("{product}", self.product)
            .replace("{order}", &self.order)
            .replace("{city}", self.city)
            .replace("{email}", self.email)
            .replace("{tracking}", &self.tracking)
    }
}

fn plan_conversations(
    rng: &mut StdRng,
    world: &World<'_>,
    customers: &[CustomerRow],
    orders: &[Vec<OrderRef>],
    count: usize,
) -> Vec<Plan> {
    let now = world.now;
    let weights: Vec<(usize, u32)> = customers
        .iter()
        .enumerate()
        .map(|(i, c)| (i, c.chattiness))
        .collect();
    // Busy periods per (customer, platform): a new chat there starts only after the last ended.
    let mut busy: BTreeMap<(usize, &'static str), Vec<(Millis, Millis)>> = BTreeMap::new();
    let mut plans = Vec::with_capacity(count);
    for index in 0..count {
        let live = index < LIVE_CONVERSATIONS;
        let mut attempt = 0;
        let plan = loop {
            attempt += 1;
            let customer = weighted(rng, &weights);
            let platform = if live {
                Platform::OnlineStore
            } else {
                sample_platform(rng)
            };
            let c = &customers[customer];
            let earliest = c.created_at + 10 * MINUTE;
            let mut start = if live {
                now - between(rng, 2 * MINUTE, 40 * MINUTE)
            } else {
                sample_start(rng, now)
            };
            if start < earliest {
                start = between(rng, earliest, now - 5 * MINUTE);
            }
            if start >= now - MINUTE {
                continue;
            }
            let plan = build_conversation(
                rng,
                world,
                c,
                customer,
                &orders[customer],
                platform,
                start,
                live,
            );
            let span = (plan.start(), plan.end() + 3 * HOUR);
            let key = (customer, platform.key());
            let free = busy
                .get(&key)
                .is_none_or(|spans| spans.iter().all(|&(a, b)| span.1 < a || b < span.0));
            if free || attempt >= 30 {
                busy.entry(key).or_default().push(span);
                break plan;
            }
        };
        plans.push(plan);
    }

    // The server reuses a customer's open conversation on a platform, so only the newest one
    // there may be open; older ones were closed before the next began.
    plans.sort_by_key(|p| p.start());
    let mut seen = BTreeSet::new();
    for plan in plans.iter_mut().rev() {
        let first_seen = seen.insert((plan.customer, plan.platform.key()));
        if plan.open && !first_seen {
            plan.open = false;
            plan.online = false;
            plan.closed_at = Some((plan.end() + 30 * MINUTE).min(now - SECOND));
        }
    }
    plans
}

#[allow(clippy::too_many_arguments)]
fn build_conversation(
    rng: &mut StdRng,
    world: &World<'_>,
    customer: &CustomerRow,
    customer_index: usize,
    orders: &[OrderRef],
    platform: Platform,
    start: Millis,
    live: bool,
) -> Plan {
    let now = world.now;
    let chat_staff: Vec<(i64, u32)> = world
        .staff
        .iter()
        .filter(|s| s.chat)
        .map(|s| (s.id, s.share))
        .collect();
    let responder = weighted(rng, &chat_staff);
    let first_name = |id: i64| {
        world
            .staff
            .iter()
            .find(|s| s.id == id)
            .map_or("", |s| s.first_name)
    };
    let threads = match customer.lang {
        Lang::En => EN_THREADS,
        Lang::Sv => SV_THREADS,
    };
    let mut b = Builder {
        world,
        customer,
        platform,
        live,
        t: start,
        last: None,
        online_until: 0,
        items: Vec::new(),
        stopped: false,
    };
    let mut notes = Vec::new();
    let topics = if !live && rng.random_bool(0.12) { 2 } else { 1 };
    for round in 0..topics {
        if round > 0 {
            // The customer comes back later the same week with something else.
            b.last = None;
            let later = b.t + between(rng, 2 * HOUR, 30 * HOUR);
            if later >= now - MINUTE {
                break;
            }
            b.t = later;
        }
        // A recent order the customer could be asking about.
        let order = orders
            .iter()
            .rev()
            .find(|o| o.created_at < b.t - HOUR && o.created_at > b.t - 45 * DAY)
            .copied();
        let (thread, candidates) = loop {
            let thread = threads.choose(rng).expect("threads");
            if mentions_order(thread) && order.is_none() {
                continue;
            }
            let candidates = focus_candidates(world, thread.focus);
            if !candidates.is_empty() {
                break (thread, candidates);
            }
        };
        let focus = match thread.focus {
            Focus::None => None,
            _ => candidates.choose(rng).copied(),
        };
        let fill = Fill {
            first: &customer.first_name,
            product: focus.map_or("", |p| world.products[p].seed.title),
            order: order.map(|o| format!("#{}", o.number)).unwrap_or_default(),
            city: customer.city,
            email: &customer.email,
            tracking: format!("00370723{:012}", rng.random_range(0..1_000_000_000_000_i64)),
        };
        let greet = platform != Platform::Email && matches!(thread.lines[0], C(_));
        if greet && rng.random_bool(0.25) {
            let greetings = if customer.lang == Lang::Sv {
                GREETINGS_SV
            } else {
                GREETINGS_EN
            };
            let greeting = greetings.choose(rng).expect("greetings");
            b.customer_says(rng, (*greeting).to_owned());
        }
        let mut first_customer_line = true;
        for line in thread.lines {
            let author = if rng.random_bool(0.08) {
                weighted(rng, &chat_staff)
            } else {
                responder
            };
            match *line {
                C(text) => {
                    let mut text = fill.apply(text, "");
                    if platform == Platform::Email && first_customer_line {
                        text = match customer.lang {
                            Lang::En => {
                                format!("Hi,\n\n{text}\n\nBest regards,\n{}", customer.name)
                            }
                            Lang::Sv => format!("Hej!\n\n{text}\n\nMvh\n{}", customer.name),
                        };
                    }
                    first_customer_line = false;
                    b.customer_says(rng, text);
                }
                S(text) => {
                    let text = fill.apply(text, first_name(author));
                    b.staff_says(rng, author, MessageBody::Text { text });
                }
                P(text, n) => {
                    let focus = focus.unwrap_or_else(|| *candidates.choose(rng).expect("products"));
                    let kind = world.products[focus].seed.kind;
                    let mut similar: Vec<usize> = focus_candidates(world, Focus::Any)
                        .into_iter()
                        .filter(|&p| p != focus && world.products[p].seed.kind == kind)
                        .collect();
                    similar.shuffle(rng);
                    let mut shared = vec![focus];
                    shared.extend(similar.into_iter().take(n.saturating_sub(1)));
                    share(
                        rng,
                        &mut b,
                        author,
                        fill.apply(text, first_name(author)),
                        &shared,
                    );
                }
                Share(text, titles) => {
                    let shared: Vec<usize> = titles
                        .iter()
                        .filter_map(|t| product_by_title(world, t))
                        .collect();
                    share(
                        rng,
                        &mut b,
                        author,
                        fill.apply(text, first_name(author)),
                        &shared,
                    );
                }
                D => {
                    let at = b.t;
                    let active: Vec<&DiscountRow> = world
                        .discounts
                        .iter()
                        .filter(|d| d.active_at(at + 10 * MINUTE))
                        .collect();
                    // Staff prefer a running campaign over the evergreen welcome code.
                    let pick = active
                        .iter()
                        .filter(|d| d.ends_at.is_some())
                        .copied()
                        .collect::<Vec<_>>()
                        .choose(rng)
                        .copied()
                        .or_else(|| active.first().copied());
                    if let Some(d) = pick {
                        let card = DiscountCard {
                            discount_id: d.id,
                            code: d.seed.code.to_owned(),
                            summary: d.seed.summary.to_owned(),
                        };
                        b.staff_says(rng, author, MessageBody::Discount { discount: card });
                    }
                }
                Add(quantity) => {
                    if let Some(p) = focus {
                        b.cart(rng, CartAction::Added, p, quantity);
                        if rng.random_bool(0.15) {
                            b.cart(rng, CartAction::Removed, p, quantity);
                        }
                    }
                }
                Remove(quantity) => {
                    if let Some(p) = focus {
                        b.cart(rng, CartAction::Removed, p, quantity);
                    }
                }
            }
        }
        if matches!(b.last, Some(Who::Staff)) && rng.random_bool(0.35) {
            let closings = if customer.lang == Lang::Sv {
                CLOSINGS_SV
            } else {
                CLOSINGS_EN
            };
            let (thanks, reply) = closings.choose(rng).expect("closings");
            b.customer_says(rng, (*thanks).to_owned());
            b.staff_says(
                rng,
                responder,
                MessageBody::Text {
                    text: (*reply).to_owned(),
                },
            );
        }
        if let Some(note) = thread.note
            && !b.stopped
            && rng.random_bool(0.1)
        {
            let at = (b.t + between(rng, 2 * MINUTE, 40 * MINUTE)).min(now - MINUTE);
            notes.push((responder, fill.apply(note, ""), at));
        }
    }

    let mut items = b.items;
    let age = now - items.last().map_or(start, |i| i.at);
    let open = live
        || rng.random_bool(if age < DAY {
            0.85
        } else if age < 7 * DAY {
            0.45
        } else if age < 30 * DAY {
            0.12
        } else {
            0.03
        });
    // Some open conversations are still waiting for an answer.
    if open && rng.random_bool(if live { 0.5 } else { 0.35 }) {
        let asks: Vec<usize> = items
            .iter()
            .enumerate()
            .filter(|(_, i)| matches!(i.what, What::Customer(_)))
            .map(|(n, _)| n)
            .collect();
        // A live customer has just written; older ones stopped somewhere along the way.
        let cut = if live { asks.last() } else { asks.choose(rng) };
        if let Some(&last_ask) = cut {
            items.truncate(last_ask + 1);
        }
    }
    let end = items.last().map_or(start, |i| i.at);
    let closed_at = (!open).then(|| (end + between(rng, MINUTE, 3 * HOUR)).min(now - SECOND));
    let assignee = rng.random_bool(if live {
        0.4
    } else if open {
        0.55
    } else {
        0.8
    });
    let notes = notes.into_iter().filter(|&(_, _, at)| at > start).collect();
    Plan {
        customer: customer_index,
        platform,
        contact_email: customer.email.clone(),
        items,
        responder,
        assignee: assignee.then_some(responder),
        open,
        online: live,
        closed_at,
        notes,
    }
}

fn share(rng: &mut StdRng, b: &mut Builder<'_>, author: i64, text: String, products: &[usize]) {
    if products.is_empty() {
        return;
    }
    let cards = products
        .iter()
        .take(3)
        .map(|&p| b.world.products[p].card())
        .collect();
    let text = (!text.trim().is_empty()).then_some(text);
    b.staff_says(
        rng,
        author,
        MessageBody::Products {
            text,
            products: cards,
        },
    );
    // Now and then the customer puts a shared product straight into their cart.
    if rng.random_bool(0.3) {
        let product = *products.choose(rng).expect("products");
        b.cart(rng, CartAction::Added, product, 1);
    }
}

// ---- Writing conversations ---------------------------------------------------------------------

/// A conversation as written: its id and its messages' ids by item index.
struct Written {
    conversation_id: i64,
    message_ids: BTreeMap<usize, i64>,
}

/// Writes the planned conversations through the server's own mutations, every step at its
/// time and all of them in time order across the shop: a conversation opens with its
/// customer's first message, staff are assigned as they first answer, replies go by email
/// while the customer is away from the store (already sent: this is history), cart changes
/// show in the thread, and closed conversations close.
fn write_conversations(
    tx: &Tx<'_>,
    shop: &Shop,
    classifier: &dyn TopicClassifier,
    world: &World<'_>,
    customers: &[CustomerRow],
    plans: &[Plan],
) -> Result<Vec<Written>> {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
    enum Step {
        Open,
        Assign,
        Item(usize),
        Close,
    }
    let mut steps: Vec<(Millis, usize, Step)> = Vec::new();
    for (c, plan) in plans.iter().enumerate() {
        if plan.items.is_empty() {
            continue;
        }
        steps.push((plan.start(), c, Step::Open));
        if let Some(_staff) = plan.assignee {
            let first_answer = plan
                .items
                .iter()
                .find(|i| matches!(i.what, What::Staff { .. }))
                .map_or(plan.start(), |i| i.at);
            steps.push((first_answer, c, Step::Assign));
        }
        for (i, item) in plan.items.iter().enumerate() {
            steps.push((item.at, c, Step::Item(i)));
        }
        if let Some(closed_at) = plan.closed_at.filter(|_| !plan.open) {
            steps.push((closed_at, c, Step::Close));
        }
    }
    steps.sort_unstable();

    let mut ids = vec![0; plans.len()];
    let mut message_ids = vec![BTreeMap::new(); plans.len()];
    // What each customer's cart holds as the history goes, so every change is one the
    // storefront would have accepted: (customer, variant) → quantity.
    let mut in_cart: BTreeMap<(usize, usize, usize), i64> = BTreeMap::new();
    for (at, c, step) in steps {
        let plan = &plans[c];
        let customer_id = customers[plan.customer].id;
        match step {
            Step::Open => {
                ids[c] = mutations::open_conversation(
                    tx,
                    customer_id,
                    plan.platform,
                    &plan.contact_email,
                    at,
                )?;
            }
            Step::Assign => {
                mutations::set_assignee(tx, ids[c], plan.assignee, at)?;
            }
            Step::Close => {
                mutations::set_status(tx, ids[c], ConversationStatus::Closed, at)?;
            }
            Step::Item(i) => match &plan.items[i].what {
                What::Customer(text) => {
                    let message = mutations::customer_message(tx, classifier, ids[c], text, at)?;
                    message_ids[c].insert(i, message.id);
                }
                What::Staff {
                    staff_id,
                    body,
                    delivery,
                } => {
                    let emailed = matches!(delivery, Delivery::Email { .. });
                    if plan.platform == Platform::OnlineStore {
                        // On the store while the reply comes, or gone and emailed.
                        mutations::set_online(tx, ids[c], !emailed)?;
                    }
                    let message =
                        mutations::staff_message(tx, shop, *staff_id, ids[c], send_of(body), at)?;
                    if emailed {
                        mutations::mark_reply_emailed(tx, message.id, at)?;
                    }
                    message_ids[c].insert(i, message.id);
                }
                What::Cart {
                    action,
                    product,
                    variant,
                    quantity,
                } => {
                    let row = &world.products[*product];
                    let key = (plan.customer, *product, *variant);
                    let held = in_cart.get(&key).copied().unwrap_or(0);
                    let moved = match action {
                        CartAction::Added if row.seed.online_store => {
                            (*quantity).min(row.variants[*variant].stock - held)
                        }
                        CartAction::Added => 0,
                        CartAction::Removed => (*quantity).min(held),
                    };
                    if moved <= 0 {
                        continue;
                    }
                    mutations::change_cart(
                        tx,
                        customer_id,
                        ids[c],
                        &CartChange {
                            variant_id: row.variants[*variant].id,
                            action: *action,
                            quantity: Some(moved),
                        },
                        at,
                    )?;
                    let held = match action {
                        CartAction::Added => held + moved,
                        CartAction::Removed => held - moved,
                    };
                    in_cart.insert(key, held);
                }
            },
        }
    }
    // Who is on the store now.
    for (c, plan) in plans.iter().enumerate() {
        if plan.platform == Platform::OnlineStore && !plan.items.is_empty() {
            mutations::set_online(tx, ids[c], plan.online && plan.open)?;
        }
    }
    Ok(ids
        .into_iter()
        .zip(message_ids)
        .map(|(conversation_id, message_ids)| Written {
            conversation_id,
            message_ids,
        })
        .collect())
}

/// What a staff member sent to make a planned message.
fn send_of(body: &MessageBody) -> SendMessage {
    match body {
        MessageBody::Text { text } => SendMessage::Text { text: text.clone() },
        MessageBody::Products { text, products } => SendMessage::Products {
            text: text.clone(),
            product_ids: products.iter().map(|p| p.product_id).collect(),
        },
        MessageBody::Discount { discount } => SendMessage::Discount {
            discount_id: discount.discount_id,
        },
        MessageBody::Attachment { text, attachment } => SendMessage::Attachment {
            upload_id: attachment.upload_id.clone(),
            text: text.clone(),
        },
    }
}

/// Staff have read what they answered; whoever closed a conversation read all of it; others
/// glanced at some; a few open ones are marked unread again.
fn insert_read_states(
    tx: &Tx<'_>,
    rng: &mut StdRng,
    world: &World<'_>,
    plans: &[Plan],
    written: &[Written],
) -> Result<()> {
    let now = world.now;
    let chat_staff: Vec<i64> = world
        .staff
        .iter()
        .filter(|s| s.chat)
        .map(|s| s.id)
        .collect();
    for (plan, written) in plans.iter().zip(written) {
        let ids = &written.message_ids;
        let Some((&last_index, &last_id)) = ids.last_key_value() else {
            continue;
        };
        // staff id → (last read message id, marked unread, updated at)
        let mut states: BTreeMap<i64, (i64, bool, Millis)> = BTreeMap::new();
        for (&index, &id) in ids {
            if let What::Staff { staff_id, .. } = plan.items[index].what {
                states.insert(staff_id, (id, false, plan.items[index].at));
            }
        }
        if let Some(closed_at) = plan.closed_at {
            let closer = plan.assignee.unwrap_or(plan.responder);
            states.insert(closer, (last_id, false, closed_at));
        }
        for &staff_id in &chat_staff {
            if !states.contains_key(&staff_id) && rng.random_bool(0.2) {
                let (&index, &id) = ids.iter().nth(rng.random_range(0..ids.len())).expect("ids");
                let at = (plan.items[index].at + between(rng, MINUTE, 30 * MINUTE)).min(now);
                states.insert(staff_id, (id, false, at));
            }
        }
        if plan.open && rng.random_bool(0.06) {
            let staff_id = plan.assignee.unwrap_or(plan.responder);
            let read_to = states.get(&staff_id).map_or(last_id, |s| s.0);
            let at = (plan.items[last_index].at + between(rng, MINUTE, HOUR)).min(now);
            states.insert(staff_id, (read_to, true, at));
        }
        for (staff_id, (id, unread, at)) in states {
            mutations::set_read_state(
                tx,
                staff_id,
                written.conversation_id,
                SetReadState {
                    unread,
                    last_read_message_id: Some(id),
                },
                at,
            )?;
        }
    }
    Ok(())
}

/// Carts: what customers put in during recent chats, plus carts left on the storefront, and a
/// discount code on a few that clicked one in a chat.
fn insert_carts(
    tx: &Tx<'_>,
    rng: &mut StdRng,
    world: &World<'_>,
    customers: &[CustomerRow],
    plans: &[Plan],
) -> Result<()> {
    let now = world.now;
    struct Cart {
        /// (product, variant) → (quantity, added at)
        lines: BTreeMap<(usize, usize), (i64, Millis)>,
        updated_at: Millis,
        discount: Option<&'static str>,
    }
    let mut carts: BTreeMap<usize, Cart> = BTreeMap::new();
    for plan in plans.iter().filter(|p| p.start() > now - 14 * DAY) {
        for item in &plan.items {
            let cart = carts.entry(plan.customer).or_insert_with(|| Cart {
                lines: BTreeMap::new(),
                updated_at: item.at,
                discount: None,
            });
            match &item.what {
                What::Cart {
                    action,
                    product,
                    variant,
                    quantity,
                } => {
                    let stock = world.products[*product].variants[*variant].stock;
                    let line = cart
                        .lines
                        .entry((*product, *variant))
                        .or_insert((0, item.at));
                    line.0 = match action {
                        CartAction::Added => (line.0 + quantity).min(stock),
                        CartAction::Removed => line.0 - quantity,
                    };
                    if line.0 <= 0 {
                        cart.lines.remove(&(*product, *variant));
                    }
                    cart.updated_at = cart.updated_at.max(item.at);
                }
                What::Staff {
                    body: MessageBody::Discount { discount },
                    ..
                } => {
                    let code = world
                        .discounts
                        .iter()
                        .find(|d| d.id == discount.discount_id);
                    if let Some(code) = code.filter(|d| d.active_at(now))
                        && rng.random_bool(0.6)
                    {
                        cart.discount = Some(code.seed.code);
                        cart.updated_at = cart.updated_at.max(item.at + MINUTE).min(now);
                    }
                }
                _ => {}
            }
        }
    }
    carts.retain(|_, cart| !cart.lines.is_empty() || cart.discount.is_some());

    // Carts filled on the storefront without a chat, some of them long.
    let for_sale: Vec<usize> = focus_candidates(world, Focus::Any);
    for (index, customer) in customers.iter().enumerate() {
        if carts.contains_key(&index) || !rng.random_bool(0.22) {
            continue;
        }
        let lines = weighted(rng, &[(1, 30), (2, 25), (3, 20), (4, 12), (5, 8), (6, 5)]);
        let mut cart = Cart {
            lines: BTreeMap::new(),
            updated_at: 0,
            discount: None,
        };
        let since = customer.created_at.max(now - 20 * DAY);
        for _ in 0..lines {
            let product = *for_sale.choose(rng).expect("products");
            let Some(&variant) = world.products[product].in_stock().choose(rng) else {
                continue;
            };
            let stock = world.products[product].variants[variant].stock;
            let at = between(rng, since, now - MINUTE);
            cart.lines
                .insert((product, variant), (rng.random_range(1..=2).min(stock), at));
            cart.updated_at = cart.updated_at.max(at);
        }
        if cart.lines.is_empty() {
            continue;
        }
        if rng.random_bool(0.08) {
            cart.discount = world
                .discounts
                .iter()
                .find(|d| d.active_at(now))
                .map(|d| d.seed.code);
        }
        carts.insert(index, cart);
    }

    // The history's cart changes left lines in older carts too; those customers checked out
    // or gave up long ago, so their carts are empty now.
    let mut touched: BTreeMap<usize, Millis> = BTreeMap::new();
    for plan in plans {
        for item in &plan.items {
            if matches!(item.what, What::Cart { .. }) {
                let last = touched.entry(plan.customer).or_insert(item.at);
                *last = (*last).max(item.at);
            }
        }
    }
    for (&index, &last) in &touched {
        if !carts.contains_key(&index) {
            let emptied = (last + DAY).min(now - MINUTE);
            mutations::set_cart(tx, customers[index].id, &[], None, emptied)?;
        }
    }
    for (index, cart) in &carts {
        let lines: Vec<mutations::CartLineState> = cart
            .lines
            .iter()
            .map(|(&(product, variant), &(quantity, added_at))| {
                (
                    world.products[product].variants[variant].id,
                    quantity,
                    added_at,
                )
            })
            .collect();
        mutations::set_cart(
            tx,
            customers[*index].id,
            &lines,
            cart.discount,
            cart.updated_at,
        )?;
    }
    Ok(())
}

/// Notes left after conversations, and a few general ones by any staff member (the staff
/// member without chat access keeps customer records too).
fn insert_notes(
    tx: &Tx<'_>,
    rng: &mut StdRng,
    world: &World<'_>,
    customers: &[CustomerRow],
    plans: &[Plan],
) -> Result<()> {
    let now = world.now;
    let mut notes: Vec<(Millis, i64, i64, String)> = Vec::new();
    for plan in plans {
        for (author, body, at) in &plan.notes {
            notes.push((*at, customers[plan.customer].id, *author, body.clone()));
        }
    }
    let mut chatted: Vec<usize> = plans.iter().map(|p| p.customer).collect();
    chatted.sort_unstable();
    chatted.dedup();
    for body in GENERAL_NOTES {
        let Some(&customer) = chatted.choose(rng) else {
            break;
        };
        let author = world.staff.choose(rng).expect("staff").id;
        let at = between(rng, customers[customer].created_at + HOUR, now - HOUR);
        notes.push((at, customers[customer].id, author, body.to_owned()));
    }
    notes.sort();
    for (at, customer_id, author, body) in notes {
        // Some notes were touched up later.
        let updated_at = if rng.random_bool(0.2) {
            between(rng, at, now)
        } else {
            at
        };
        let note = mutations::add_note(tx, author, customer_id, &body, at)?;
        if updated_at != at {
            mutations::edit_note(tx, customer_id, note.id, &body, updated_at)?;
        }
    }
    Ok(())
}

/// A saved reply of the demo shop: its products by title, its discount by code, and its image
/// by the name of an embedded image ([`crate::assets`]).
struct SavedReplySeed {
    title: &'static str,
    body: &'static str,
    products: &'static [&'static str],
    discount: Option<&'static str>,
    image: Option<&'static str>,
}

const fn saved(title: &'static str, body: &'static str) -> SavedReplySeed {
    SavedReplySeed {
        title,
        body,
        products: &[],
        discount: None,
        image: None,
    }
}

/// A dozen saved replies, in English and Swedish as the shop's customers write. One still
/// carries last summer's code, long expired: inserting it is refused as sharing that code by
/// hand is, until someone updates the reply. One in each language carries an image.
const SAVED_REPLIES: [SavedReplySeed; 12] = [
    saved(
        "Greeting",
        "Hi {customer.first_name}, thanks for writing to {shop.name}! How can I help?",
    ),
    saved(
        "Hälsning",
        "Hej {customer.first_name}! Tack för att du hör av dig till {shop.name}. Vad kan jag hjälpa till med?",
    ),
    saved(
        "Delivery times",
        "Hi {customer.first_name}, orders leave our studio within 1–2 working days and usually \
         arrive 2–4 days later within Sweden. You'll get a tracking link by email as soon as it ships.",
    ),
    saved(
        "Leveranstider",
        "Hej {customer.first_name}! Vi skickar inom 1–2 arbetsdagar och paketet brukar komma fram \
         2–4 dagar senare inom Sverige. Du får en spårningslänk via mejl så fort det har skickats.",
    ),
    saved(
        "Returns",
        "Hi {customer.first_name}, you can return anything unused within 30 days. Reply here with \
         your order number and I'll send you a return label. /{staff.first_name}",
    ),
    saved(
        "Returer",
        "Hej {customer.first_name}! Du kan returnera oanvända varor inom 30 dagar. Svara här med \
         ditt ordernummer så skickar jag en returetikett. /{staff.first_name}",
    ),
    SavedReplySeed {
        title: "Wool care",
        body: "Hi {customer.first_name}, wool mostly needs airing rather than washing. When it does \
               need a wash, use the wool programme at 30° and lay it flat to dry. These help:",
        products: &["Birch Tar Soap", "Wool Hiking Socks, 2-pack"],
        discount: None,
        image: Some("sweater.png"),
    },
    SavedReplySeed {
        title: "Presenttips",
        body: "Hej {customer.first_name}! Här är tre av våra mest omtyckta presenter just nu:",
        products: &[
            "Doftljus Skogsglänta",
            "Stoneware Mug",
            "Handkräm Havtorn & Kamomill, 75 ml",
        ],
        discount: None,
        image: None,
    },
    SavedReplySeed {
        title: "First order discount",
        body: "Hi {customer.first_name}, welcome to {shop.name}! Here's a code for 10% off your \
               first order.",
        products: &[],
        discount: Some("WELCOME10"),
        image: None,
    },
    SavedReplySeed {
        title: "Fikarabatt",
        body: "Hej {customer.first_name}! Handlar du för minst 300 kr får du 15 % rabatt med den här koden:",
        products: &[],
        discount: Some("FIKA15"),
        image: Some("mug.png"),
    },
    SavedReplySeed {
        title: "Sommarrea",
        body: "Hej {customer.first_name}! Sommarkollektionen är på rea, 20 % på allt med koden nedan.",
        products: &["Linneskjorta Ängsmark"],
        discount: Some("SOMMAR20"),
        image: None,
    },
    saved(
        "Thanks and goodbye",
        "Thanks {customer.first_name}, have a lovely day! /{staff.first_name} at {shop.name}",
    ),
];

/// The upload id of a demo saved reply's image: fixed, so a demo shop seeded again names it
/// the same.
fn demo_upload_id(file: &str) -> String {
    format!("up_demo_{}", file.trim_end_matches(".png"))
}

/// Uploads an embedded image as the author would have (the upload's row; its file is written
/// by [`store_media`] when the shop starts, since seeding only has the database).
fn insert_demo_upload(tx: &Tx<'_>, file: &str, uploader_id: i64, at: Millis) -> Result<String> {
    let (bytes, mime) = crate::assets::product_image(file)
        .ok_or_else(|| Error::Other(format!("{file} is not an embedded image")))?;
    let checked = crate::media::check(mime, bytes)?;
    let id = demo_upload_id(file);
    mutations::add_upload(
        tx,
        &mutations::NewUpload {
            id: &id,
            kind: checked.kind,
            mime: &checked.mime,
            size: bytes.len() as u64,
            width: checked.width,
            height: checked.height,
            sha256: &auth::sha256_hex(bytes),
            uploader_id,
        },
        at,
    )?;
    Ok(id)
}

/// Writes the files of the demo saved replies' images into the shop's media folder (once: they
/// are stored under their hash), so the shop serves them as any upload.
pub fn store_media(media_dir: &std::path::Path) -> Result<()> {
    for file in SAVED_REPLIES.iter().filter_map(|seed| seed.image) {
        let (bytes, _) = crate::assets::product_image(file)
            .ok_or_else(|| Error::Other(format!("{file} is not an embedded image")))?;
        crate::media::store(media_dir, bytes)?;
    }
    Ok(())
}

/// The shop's saved replies, written a month ago by the first staff member who can chat.
fn insert_saved_replies(tx: &Tx<'_>, shop: &Shop, world: &World<'_>) -> Result<()> {
    let Some(author) = world.staff.iter().find(|s| s.chat) else {
        return Ok(());
    };
    let at = world.now - 30 * DAY;
    for (i, seed) in SAVED_REPLIES.iter().enumerate() {
        let image_upload_id = match seed.image {
            Some(file) => Some(insert_demo_upload(tx, file, author.id, at)?),
            None => None,
        };
        let product_ids = seed
            .products
            .iter()
            .filter_map(|title| world.products.iter().find(|p| p.seed.title == *title))
            .map(|p| p.id)
            .collect();
        let discount_id = seed.discount.and_then(|code| {
            world
                .discounts
                .iter()
                .find(|d| d.seed.code == code)
                .map(|d| d.id)
        });
        let body = SavedReplyBody {
            title: seed.title.to_owned(),
            body: seed.body.to_owned(),
            product_ids,
            discount_id,
            image_upload_id,
        };
        mutations::add_saved_reply(tx, shop, author.id, &body, at + i as i64 * MINUTE)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::Db;
    use crate::storage::entities::{self as store, enum_key};

    const FALLBACK_SHOP_NAME: &str = "Nordlys Studio";
    use crate::topics::{self, KeywordClassifier};
    use inbox_protocol::CART_EVENT_NAME_LIMIT;
    use rusqlite::Connection;

    /// A fixed "now" (2026-11-19 12:00 UTC) so failures reproduce.
    const NOW: Millis = 1_795_089_600_000;

    fn options() -> DemoOptions {
        DemoOptions {
            now: NOW,
            ..DemoOptions::default()
        }
    }

    fn seeded(opts: &DemoOptions) -> (tempfile::TempDir, Db, Vec<DemoStaff>) {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("shop.db")).unwrap();
        let opts = opts.clone();
        let staff = db
            .write_blocking(|tx| {
                let shop = Shop::load_or_init(tx, FALLBACK_SHOP_NAME, CURRENCY, TIME_ZONE)?;
                seed(tx, &shop, &KeywordClassifier, &opts)
            })
            .unwrap();
        (dir, db, staff)
    }

    fn open(db: &Db) -> Connection {
        Connection::open(db.sqlite_path().unwrap()).unwrap()
    }

    fn count(conn: &Connection, sql: &str) -> i64 {
        conn.query_row(sql, [], |r| r.get(0)).unwrap()
    }

    #[test]
    fn seeds_a_complete_shop() {
        let (_dir, db, staff) = seeded(&options());
        let conn = open(&db);

        // Staff: three who chat and one who doesn't, each able to sign in.
        assert_eq!(staff.len(), 4);
        assert_eq!(staff.iter().filter(|s| s.chat_permission).count(), 3);
        for s in &staff {
            let (hash, chat): (String, bool) = conn
                .query_row(
                    "SELECT password_hash, chat_permission FROM staff WHERE email = ?1",
                    [&s.email],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .unwrap();
            assert!(auth::verify_password(&s.password, &hash), "{}", s.email);
            assert_eq!(chat, s.chat_permission);
        }
        let no_chat: i64 = count(&conn, "SELECT id FROM staff WHERE chat_permission = 0");

        // Products.
        assert_eq!(count(&conn, "SELECT count(*) FROM products"), 30);
        assert!(
            count(
                &conn,
                "SELECT count(*) FROM products WHERE online_store = 0"
            ) >= 2
        );
        let titles: Vec<String> = conn
            .prepare("SELECT title FROM products")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let lengths: Vec<usize> = titles.iter().map(|t| t.chars().count()).collect();
        assert!(
            lengths.contains(&40) && lengths.contains(&41),
            "{lengths:?}"
        );
        assert!(lengths.iter().any(|&n| n < CART_EVENT_NAME_LIMIT - 1));
        assert!(lengths.iter().any(|&n| n > CART_EVENT_NAME_LIMIT));
        assert!(titles.iter().any(|t| t.contains(['å', 'ä', 'ö'])));
        assert_eq!(
            count(
                &conn,
                "SELECT count(*) FROM products p WHERE NOT EXISTS
                   (SELECT 1 FROM variants v WHERE v.product_id = p.id)"
            ),
            0
        );
        assert_eq!(
            count(
                &conn,
                "SELECT count(*) FROM products p
                  WHERE (SELECT count(*) FROM variants v WHERE v.product_id = p.id) > 4"
            ),
            0
        );
        assert!(count(&conn, "SELECT count(*) FROM variants WHERE stock = 0") > 0);
        let images: Vec<String> = conn
            .prepare("SELECT DISTINCT image FROM products WHERE image IS NOT NULL")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        for image in &images {
            assert!(
                crate::assets::product_image(image).is_some(),
                "{image} is not embedded"
            );
        }

        // Discount codes: at least two of each status now.
        let mut statuses = BTreeMap::new();
        let mut stmt = conn
            .prepare("SELECT starts_at, ends_at FROM discount_codes")
            .unwrap();
        let codes = stmt
            .query_map([], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, Option<i64>>(1)?))
            })
            .unwrap();
        for code in codes {
            let (starts, ends) = code.unwrap();
            *statuses
                .entry(enum_key(&DiscountStatus::at(NOW, starts, ends)))
                .or_insert(0) += 1;
        }
        for status in ["ACTIVE", "EXPIRED", "SCHEDULED"] {
            assert!(
                statuses.get(status).copied().unwrap_or(0) >= 2,
                "{statuses:?}"
            );
        }
        assert_eq!(
            count(
                &conn,
                &format!(
                    "SELECT count(*) FROM discount_codes WHERE ends_at IS NULL AND starts_at <= {NOW}"
                )
            ),
            1
        );

        // Customers and their orders.
        assert_eq!(count(&conn, "SELECT count(*) FROM customers"), 200);
        let window = NOW - 60 * DAY;
        let recent = count(
            &conn,
            &format!("SELECT count(DISTINCT customer_id) FROM orders WHERE created_at >= {window}"),
        );
        let only_older = count(
            &conn,
            &format!(
                "SELECT count(*) FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id)
                   AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id AND o.created_at >= {window})"
            ),
        );
        let none = count(
            &conn,
            "SELECT count(*) FROM customers c WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id)",
        );
        assert!(
            recent >= 5 && only_older >= 5 && none >= 5,
            "{recent} {only_older} {none}"
        );
        assert!(none < 100, "most customers have ordered");
        assert_eq!(
            count(
                &conn,
                "SELECT count(*) FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.created_at < c.created_at"
            ),
            0
        );

        // Carts.
        assert!(
            count(
                &conn,
                "SELECT count(*) FROM carts WHERE discount_code IS NOT NULL"
            ) >= 1
        );
        assert!(
            count(
                &conn,
                "SELECT count(*) FROM (SELECT customer_id FROM cart_lines GROUP BY customer_id HAVING count(*) > 3)"
            ) >= 1
        );

        // Conversations.
        assert_eq!(count(&conn, "SELECT count(*) FROM conversations"), 1_000);
        assert!(
            count(
                &conn,
                "SELECT count(*) FROM conversations WHERE status = 'open'"
            ) > 20
        );
        assert!(
            count(
                &conn,
                "SELECT count(*) FROM conversations WHERE status = 'closed'"
            ) > 500
        );
        assert_eq!(
            count(
                &conn,
                &format!("SELECT count(*) FROM conversations WHERE assignee_id = {no_chat}")
            ),
            0
        );
        assert!(
            count(
                &conn,
                "SELECT count(*) FROM conversations WHERE assignee_id IS NULL"
            ) > 0
        );
        for platform in Platform::ALL {
            let n = count(
                &conn,
                &format!(
                    "SELECT count(*) FROM conversations WHERE platform = '{}'",
                    platform.key()
                ),
            );
            assert!(n > 0, "no conversations on {platform:?}");
        }
        let online = count(
            &conn,
            "SELECT count(*) FROM conversations WHERE customer_online = 1",
        );
        assert!((1..=10).contains(&online), "{online} customers online");
        assert_eq!(
            count(
                &conn,
                "SELECT count(*) FROM conversations WHERE customer_online = 1 AND (status != 'open' OR platform != 'online_store')"
            ),
            0
        );
        // Only the newest conversation per customer and platform can be open.
        assert_eq!(
            count(
                &conn,
                "SELECT count(*) FROM (SELECT 1 FROM conversations WHERE status = 'open' GROUP BY customer_id, platform HAVING count(*) > 1)"
            ),
            0
        );
        let oldest = count(&conn, "SELECT min(created_at) FROM conversations");
        assert!(oldest > NOW - 190 * DAY && oldest < NOW - 150 * DAY);
        assert_eq!(
            count(
                &conn,
                &format!("SELECT count(*) FROM messages WHERE created_at > {NOW}")
            ),
            0
        );
        // Times agree with the messages.
        assert_eq!(
            count(
                &conn,
                "SELECT count(*) FROM conversations c WHERE
                   c.created_at != (SELECT min(created_at) FROM messages m WHERE m.conversation_id = c.id)
                   OR c.last_message_at != (SELECT max(created_at) FROM messages m WHERE m.conversation_id = c.id)
                   OR c.updated_at < c.last_message_at"
            ),
            0
        );
        // Nobody writes before they became a customer.
        assert_eq!(
            count(
                &conn,
                "SELECT count(*) FROM conversations c JOIN customers u ON u.id = c.customer_id
                  WHERE c.created_at < u.created_at"
            ),
            0
        );
        // Every conversation starts with the customer, and ids follow time.
        assert_eq!(
            count(
                &conn,
                "SELECT count(*) FROM conversations c WHERE (SELECT author_staff_id FROM messages m
                   WHERE m.conversation_id = c.id ORDER BY id LIMIT 1) IS NOT NULL"
            ),
            0
        );
        assert_eq!(
            count(
                &conn,
                "SELECT count(*) FROM messages a JOIN messages b ON b.id = a.id + 1 WHERE b.created_at < a.created_at"
            ),
            0
        );
    }

    #[test]
    fn messages_read_back_as_the_api_shows_them() {
        let (_dir, db, _) = seeded(&options());
        let conn = open(&db);
        let no_chat = count(&conn, "SELECT id FROM staff WHERE chat_permission = 0");
        let shop = store::Shop {
            name: FALLBACK_SHOP_NAME.into(),
            currency: CURRENCY.into(),
            time_zone: TIME_ZONE.into(),
            history_id: "demo".into(),
        };
        let (mut products, mut discounts, mut emails, mut swedish) = (0, 0, 0, 0);
        let ids: Vec<i64> = conn
            .prepare("SELECT id FROM conversations ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        for id in ids {
            let conversation = store::conversation(&conn, id).unwrap().unwrap();
            let messages = store::messages_of(&conn, id).unwrap();
            assert!(!messages.is_empty());
            for m in &messages {
                // store::message_row parsed body and delivery; check what they say.
                match (&m.author, &m.delivery) {
                    (inbox_protocol::Author::Customer { customer_id }, None) => {
                        assert_eq!(*customer_id, conversation.customer_id);
                        let text = m.body.text().unwrap();
                        if text.contains(['å', 'ä', 'ö']) {
                            swedish += 1;
                        }
                    }
                    (inbox_protocol::Author::Staff { .. }, Some(delivery)) => match delivery {
                        Delivery::Email { address } => {
                            assert_eq!(conversation.platform, Platform::OnlineStore);
                            assert_eq!(address, &conversation.contact_email);
                            let outbox: i64 = conn
                                .query_row(
                                    "SELECT count(*) FROM email_outbox WHERE message_id = ?1 AND to_address = ?2",
                                    rusqlite::params![m.id, address],
                                    |r| r.get(0),
                                )
                                .unwrap();
                            assert_eq!(outbox, 1);
                            emails += 1;
                        }
                        Delivery::Platform { platform } => {
                            assert_eq!(*platform, conversation.platform)
                        }
                    },
                    other => panic!("message {} has author and delivery {other:?}", m.id),
                }
                match &m.body {
                    MessageBody::Products {
                        products: cards, ..
                    } => {
                        assert!((1..=3).contains(&cards.len()));
                        for card in cards {
                            // The snapshot matches the product as the store shows it now.
                            let product = store::product(&conn, &shop, card.product_id)
                                .unwrap()
                                .unwrap();
                            assert!(product.online_store, "{} is not on the store", card.title);
                            let cheapest = product.variants.iter().map(|v| &v.price);
                            assert_eq!(Some(&card.price), cheapest.min_by_key(|p| p.minor));
                            assert_eq!(
                                (&card.title, &card.url, &card.image_url),
                                (&product.title, &product.url, &product.image_url)
                            );
                            let image = card.image_url.as_deref().unwrap_or_default();
                            if let Some(file) = image.strip_prefix("/assets/products/") {
                                assert!(crate::assets::product_image(file).is_some());
                            }
                        }
                        products += 1;
                    }
                    MessageBody::Discount { discount } => {
                        let (starts, ends): (i64, Option<i64>) = conn
                            .query_row(
                                "SELECT starts_at, ends_at FROM discount_codes WHERE id = ?1",
                                [discount.discount_id],
                                |r| Ok((r.get(0)?, r.get(1)?)),
                            )
                            .unwrap();
                        assert_eq!(
                            DiscountStatus::at(m.created_at, starts, ends),
                            DiscountStatus::Active,
                            "{} was shared while inactive",
                            discount.code
                        );
                        discounts += 1;
                    }
                    _ => {}
                }
            }
            // Topic labels are the classifier's verdict on one of this conversation's customer
            // messages, one per topic.
            for label in &conversation.topics {
                let m = messages.iter().find(|m| m.id == label.message_id).unwrap();
                let guess = topics::label(&KeywordClassifier, m.body.text().unwrap()).unwrap();
                assert_eq!(guess.topic, label.topic);
                assert!(
                    messages.iter().filter(|n| n.id > m.id).all(|n| !matches!(
                        n.author,
                        inbox_protocol::Author::Customer { .. }
                    ) || topics::label(
                        &KeywordClassifier,
                        n.body.text().unwrap()
                    )
                    .map(|g| g.topic)
                        != Some(label.topic)),
                    "a newer message with the same topic should have won"
                );
            }
            if conversation.status == ConversationStatus::Open {
                assert!(conversation.assignee_id.is_none_or(|a| a != no_chat));
            }
        }
        assert!(
            products >= 20 && discounts >= 10 && emails >= 50 && swedish >= 100,
            "{products} product shares, {discounts} discounts, {emails} emails, {swedish} Swedish"
        );
        assert_eq!(count(&conn, "SELECT count(*) FROM email_outbox"), emails);
        assert!(
            count(
                &conn,
                "SELECT count(DISTINCT topic) FROM conversation_topics"
            ) >= 8
        );
        assert!(
            count(
                &conn,
                "SELECT count(*) FROM (SELECT 1 FROM conversation_topics GROUP BY conversation_id HAVING count(*) >= 2)"
            ) > 0
        );

        // Cart events carry full titles, long ones included, and show names under 41 only.
        assert!(count(&conn, "SELECT count(*) FROM cart_events") >= 20);
        assert!(
            count(
                &conn,
                "SELECT count(*) FROM cart_events WHERE action = 'removed'"
            ) >= 1
        );
        assert_eq!(
            count(
                &conn,
                "SELECT count(*) FROM cart_events e JOIN products p ON p.id = e.product_id WHERE p.title != e.product_title OR p.online_store = 0"
            ),
            0
        );
        assert_eq!(
            count(
                &conn,
                "SELECT count(*) FROM cart_events e JOIN conversations c ON c.id = e.conversation_id WHERE c.platform NOT IN ('online_store', 'shop_app') OR e.created_at < c.created_at OR e.created_at > c.updated_at"
            ),
            0
        );

        // Read states: only staff who chat, some marked unread, some behind the newest message.
        assert!(count(&conn, "SELECT count(*) FROM read_states") > 500);
        assert_eq!(
            count(
                &conn,
                "SELECT count(*) FROM read_states r JOIN staff s ON s.id = r.staff_id WHERE s.chat_permission = 0"
            ),
            0
        );
        assert!(
            count(
                &conn,
                "SELECT count(*) FROM read_states WHERE marked_unread = 1"
            ) >= 1
        );
        assert!(
            count(
                &conn,
                "SELECT count(*) FROM read_states r WHERE last_read_message_id < (SELECT max(id) FROM messages m WHERE m.conversation_id = r.conversation_id)"
            ) >= 1
        );
        assert_eq!(
            count(
                &conn,
                "SELECT count(*) FROM read_states r JOIN messages m ON m.id = r.last_read_message_id WHERE m.conversation_id != r.conversation_id"
            ),
            0
        );

        // Notes.
        let notes = count(&conn, "SELECT count(*) FROM customer_notes");
        assert!((5..=60).contains(&notes), "{notes} notes");
    }

    #[test]
    fn the_change_log_holds_every_entity_once() {
        let (_dir, db, _) = seeded(&options());
        let conn = open(&db);
        for (kind, table) in [
            ("staff", "staff"),
            ("customer", "customers"),
            ("order", "orders"),
            ("cart", "carts"),
            ("note", "customer_notes"),
            ("conversation", "conversations"),
            ("message", "messages"),
            ("cart_event", "cart_events"),
            ("read_state", "read_states"),
        ] {
            let logged = count(
                &conn,
                &format!("SELECT count(*) FROM changes WHERE kind = '{kind}'"),
            );
            let rows = count(&conn, &format!("SELECT count(*) FROM {table}"));
            assert!(rows > 0, "no {table}");
            assert_eq!(logged, rows, "{kind}");
        }
        // The handle woke its live streams with the newest change.
        assert_eq!(
            db.latest_seq(),
            count(&conn, "SELECT max(seq) FROM changes")
        );
        // The history was written in time order, so the log lists messages in time order.
        assert_eq!(
            count(
                &conn,
                "SELECT count(*) FROM changes a JOIN messages ma ON ma.id = a.entity_id,
                        changes b JOIN messages mb ON mb.id = b.entity_id
                  WHERE a.kind = 'message' AND b.kind = 'message'
                    AND a.seq < b.seq AND ma.created_at > mb.created_at"
            ),
            0
        );
    }

    fn dump(conn: &Connection) -> Vec<String> {
        let tables = [
            "staff",
            "customers",
            "customer_notes",
            "products",
            "variants",
            "discount_codes",
            "carts",
            "cart_lines",
            "orders",
            "conversations",
            "conversation_topics",
            "messages",
            "cart_events",
            "read_states",
            "email_outbox",
            "changes",
        ];
        let mut out = Vec::new();
        for table in tables {
            let mut stmt = conn
                .prepare(&format!("SELECT * FROM {table} ORDER BY rowid"))
                .unwrap();
            let names: Vec<String> = stmt.column_names().map(str::to_owned).collect();
            let mut rows = stmt.query([]).unwrap();
            while let Some(row) = rows.next().unwrap() {
                let mut line = format!("{table}:");
                for (i, name) in names.iter().enumerate() {
                    // Salts are random, so hashes differ; everything else must not.
                    if name == "password_hash" {
                        continue;
                    }
                    let value: rusqlite::types::Value = row.get(i).unwrap();
                    line.push_str(&format!(" {name}={value:?}"));
                }
                out.push(line);
            }
        }
        out
    }

    #[test]
    fn the_same_seed_and_now_give_the_same_shop() {
        let (_a, first, _) = seeded(&options());
        let (_b, second, _) = seeded(&options());
        let (one, two) = (dump(&open(&first)), dump(&open(&second)));
        assert!(one.len() > 10_000);
        assert!(one == two, "two seedings differ");
        let (_c, other, _) = seeded(&DemoOptions {
            seed: 7,
            ..options()
        });
        assert!(
            dump(&open(&other)) != one,
            "another seed gives another shop"
        );
    }

    #[test]
    fn small_shops_seed_too() {
        for (customers, conversations) in [(0, 0), (1, 3), (5, 0), (3, 40)] {
            let opts = DemoOptions {
                customers,
                conversations,
                ..options()
            };
            let (_dir, db, _) = seeded(&opts);
            let conn = open(&db);
            let expected = if customers == 0 {
                0
            } else {
                conversations as i64
            };
            assert_eq!(count(&conn, "SELECT count(*) FROM conversations"), expected);
        }
    }
}
