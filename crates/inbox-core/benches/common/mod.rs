//! What the client engine's benchmarks share: the shape of a big shop (customers,
//! conversations, messages in time order) and the text of its chats, in English and Swedish,
//! generated from word lists with a seeded RNG so every run sees the same shop. Plus the small
//! helpers for their figures. Nothing here touches the network or a database.

#![allow(dead_code)]

use anyhow::{Context, Result, ensure};
use rand::distr::Distribution;
use rand::distr::weighted::WeightedIndex;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

/// Messages per conversation on average, and conversations per customer: a million messages
/// make 100,000 conversations of about 10,000 customers.
pub const MESSAGES_PER_CONVERSATION: usize = 10;
pub const CONVERSATIONS_PER_CUSTOMER: usize = 10;
/// The shop's history spans about two years before "now".
pub const HISTORY_MS: i64 = 2 * 365 * 86_400_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Sv,
}

#[derive(Debug, Clone)]
pub struct CustomerPlan {
    /// 1-based, as stored.
    pub id: i64,
    pub name: String,
    pub email: String,
    pub city: &'static str,
    pub country: &'static str,
    pub lang: Lang,
    pub since: i64,
}

#[derive(Debug, Clone)]
pub struct ConversationPlan {
    pub id: i64,
    pub customer: usize,
    pub platform: usize,
    pub created_at: i64,
    pub last_message_at: i64,
    pub messages: usize,
    pub open: bool,
    pub assigned: bool,
}

#[derive(Debug, Clone)]
pub struct MessagePlan {
    /// 1-based, in time order.
    pub id: i64,
    /// Index into `Shop::conversations`.
    pub conversation: usize,
    pub from_customer: bool,
    pub created_at: i64,
    pub text: String,
}

#[derive(Debug)]
pub struct ShopPlan {
    pub customers: Vec<CustomerPlan>,
    pub conversations: Vec<ConversationPlan>,
    pub messages: Vec<MessagePlan>,
}

pub const PLATFORMS: &[&str] = &[
    "online_store",
    "online_store",
    "online_store",
    "shop_app",
    "messenger",
    "instagram",
    "email",
];

const FIRST_NAMES: &[&str] = &[
    "Astrid",
    "Erik",
    "Maja",
    "Lars",
    "Ingrid",
    "Oskar",
    "Elsa",
    "Nils",
    "Freja",
    "Johan",
    "Sofia",
    "Anders",
    "Liv",
    "Karin",
    "Emil",
    "Hanna",
    "Mats",
    "Sara",
    "Olof",
    "Ebba",
    "Björn",
    "Åsa",
    "Linnéa",
    "Göran",
    "Märta",
    "Sören",
    "Emma",
    "Oliver",
    "Charlotte",
    "James",
    "Amelia",
    "Noah",
    "Grace",
    "Thomas",
    "Chloe",
    "Daniel",
];
const LAST_NAMES: &[&str] = &[
    "Lindqvist",
    "Berg",
    "Holm",
    "Nyström",
    "Sandberg",
    "Ek",
    "Lund",
    "Dahl",
    "Strand",
    "Falk",
    "Sjöberg",
    "Åkesson",
    "Wikström",
    "Forsberg",
    "Hedlund",
    "Öberg",
    "Bäckström",
    "Smith",
    "Taylor",
    "Brown",
    "Wilson",
    "Clarke",
    "Evans",
    "Hughes",
];
const EMAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "hotmail.se",
    "outlook.com",
    "telia.com",
    "icloud.com",
    "example.se",
    "bredband.net",
];
const CITIES: &[(&str, &str, Lang)] = &[
    ("Stockholm", "SE", Lang::Sv),
    ("Göteborg", "SE", Lang::Sv),
    ("Malmö", "SE", Lang::Sv),
    ("Uppsala", "SE", Lang::Sv),
    ("Västerås", "SE", Lang::Sv),
    ("Örebro", "SE", Lang::Sv),
    ("Umeå", "SE", Lang::Sv),
    ("Oslo", "NO", Lang::En),
    ("Bergen", "NO", Lang::En),
    ("København", "DK", Lang::En),
    ("Helsinki", "FI", Lang::En),
    ("London", "GB", Lang::En),
    ("Manchester", "GB", Lang::En),
    ("Berlin", "DE", Lang::En),
];

/// Products, most popular first: picked with a Zipf-like weight, so the tail is rare.
const PRODUCTS_EN: &[&str] = &[
    "wool blanket",
    "linen throw",
    "stoneware mug",
    "oak serving board",
    "ceramic vase",
    "sheepskin rug",
    "glass carafe",
    "birch candle holder",
    "linen napkins",
    "cotton towel",
    "knitted cushion",
    "copper kettle",
    "walnut tray",
    "wool scarf",
    "leather bag",
    "rattan basket",
    "enamel pot",
    "cast iron pan",
    "pine stool",
    "table lamp",
    "cotton apron",
    "marble coaster",
    "bamboo bowl",
    "porcelain teapot",
    "down duvet",
    "flannel sheets",
    "clay planter",
    "wall clock",
    "reading chair",
    "brass chandelier",
];
const PRODUCTS_SV: &[&str] = &[
    "ullfilt",
    "linnepläd",
    "stengodsmugg",
    "skärbräda i ek",
    "keramikvas",
    "fårskinnsfäll",
    "glaskaraff",
    "ljusstake i björk",
    "linneservetter",
    "badlakan",
    "stickad kudde",
    "kopparkanna",
    "bricka i valnöt",
    "ullhalsduk",
    "läderväska",
    "rottingkorg",
    "emaljgryta",
    "gjutjärnspanna",
    "pallen i furu",
    "bordslampa",
    "förkläde",
    "underlägg i marmor",
    "bambuskål",
    "tekanna i porslin",
    "duntäcke",
    "flanellakan",
    "lerkruka",
    "väggklocka",
    "läsfåtölj",
    "ljuskrona i mässing",
];
const COLORS_EN: &[&str] = &[
    "grey", "blue", "green", "white", "black", "beige", "rust", "ochre", "navy", "sage",
];
const COLORS_SV: &[&str] = &[
    "grå",
    "blå",
    "grön",
    "vit",
    "svart",
    "beige",
    "rostbrun",
    "ockra",
    "marinblå",
    "salvia",
];
const SIZES: &[&str] = &["XS", "S", "M", "L", "XL", "140x200", "150x200", "50x50"];
const DAYS_EN: &[&str] = &[
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
const DAYS_SV: &[&str] = &["måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag"];
const COUNTRIES_EN: &[&str] = &[
    "Norway", "Denmark", "Finland", "Germany", "the UK", "Iceland",
];
const COUNTRIES_SV: &[&str] = &["Norge", "Danmark", "Finland", "Tyskland", "Storbritannien"];

/// Message templates, most common first. `{p}` product, `{c}` colour, `{s}` size, `{o}` order
/// number, `{d}` weekday, `{t}` city, `{l}` country, `{n}` the customer's first name.
const CUSTOMER_EN: &[&str] = &[
    "Hi! Where is my order #{o}? It was supposed to arrive on {d}.",
    "Hello, is the {c} {p} back in stock anytime soon?",
    "Thanks, that worked!",
    "Can I still change the delivery address on order #{o}? I just moved to {t}.",
    "The {p} arrived damaged, the box was completely crushed. What should I do?",
    "Do you ship to {l}? I would love the {c} {p}.",
    "Is the {p} machine washable?",
    "I never got a confirmation email for order #{o}.",
    "What's your return policy? The {p} is a bit too small for me.",
    "Perfect, thank you so much!",
    "Which one is best for a small apartment, the {p} or the {p}?",
    "Do you have a discount code for returning customers?",
    "Could you hold the {c} {p} for me until {d}?",
    "I ordered size {s} but got the wrong size, can I exchange it?",
    "How long does delivery to {t} usually take?",
    "My payment was declined but the money left my account. Order #{o}.",
    "Is the {p} made from recycled materials?",
    "Can I pick up order #{o} in the shop instead?",
    "The tracking link for #{o} says nothing has happened since {d}.",
    "Do you offer gift wrapping? It's a birthday present.",
    "I'd like to cancel order #{o}, I ordered the {p} twice by mistake.",
    "Will the {c} {p} ever come back? It sold out so fast.",
    "Hi, the zipper on my {p} broke after a week.",
    "Is there a warranty on the {p}?",
    "Lovely service, I'll definitely shop again.",
    "The parcel was left outside in the rain, everything is soaked.",
    "Do you sell replacement parts for the {p}?",
    "Can I order the {p} by phone? The checkout keeps timing out.",
    "My neighbour received my parcel, order #{o}. Is that allowed?",
    "Could you write a handwritten card with the gift? It says happy anniversary.",
];
const STAFF_EN: &[&str] = &[
    "Hi {n}! Order #{o} left our warehouse yesterday, you should have it by {d}.",
    "Thanks for reaching out! The {c} {p} is back in stock next week.",
    "Happy to help! Anything else?",
    "I've updated the delivery address on #{o} for you.",
    "So sorry about that! I'll send a new {p} today, no need to return the damaged one.",
    "Yes, we ship to {l}, usually within 3 to 5 working days.",
    "It is, 40 degrees on a gentle cycle works best.",
    "I've resent the confirmation for #{o}, please check your spam folder too.",
    "You can return the {p} within 30 days, free of charge.",
    "You're welcome, have a lovely day!",
    "Most customers with a small apartment pick the {p}.",
    "You can use WELCOMEBACK for 10% off your next order.",
    "I've put one {c} {p} aside for you until {d}.",
    "Of course! I've started an exchange to size {s}, the label is in your inbox.",
    "Delivery to {t} usually takes two days.",
    "The payment was only reserved and is released automatically within a few days.",
    "Yes, the {p} is made from recycled wool and organic cotton.",
    "Sure, order #{o} will be ready for pickup in the shop from {d}.",
    "I've asked the carrier to look into #{o} and will get back to you.",
    "We do! Gift wrapping is free, just add a note at checkout.",
    "Done, order #{o} is cancelled and refunded.",
    "We expect a new batch of the {p} in the spring.",
    "That shouldn't happen. Please send a photo and we'll replace the {p}.",
    "All our products have a two year warranty.",
    "Thank you, that makes our day!",
    "I'm sorry to hear that. We'll send replacements right away, no questions asked.",
    "Spare parts for the {p} are available on request, I'll email you a list.",
    "I'm sorry about the checkout, I've created the order for you by hand.",
    "Hmm, the carrier marked #{o} as delivered to a neighbour. I'll open a claim.",
    "Absolutely, a handwritten card is on its way with the parcel.",
];
const CUSTOMER_SV: &[&str] = &[
    "Hej! Var är min beställning #{o}? Den skulle komma på {d}.",
    "Hej, finns {p} i {c} i lager igen snart?",
    "Tack, det fungerade!",
    "Kan jag ändra leveransadressen på order #{o}? Jag har precis flyttat till {t}.",
    "Min {p} kom trasig, kartongen var helt mosad. Vad ska jag göra?",
    "Skickar ni till {l}? Jag vill gärna ha {p} i {c}.",
    "Går det att tvätta {p} i maskin?",
    "Jag har inte fått någon orderbekräftelse för beställning #{o}.",
    "Hur fungerar returer? {p} är lite för liten för mig.",
    "Perfekt, tack så mycket!",
    "Vilken är bäst för en liten lägenhet, {p} eller {p}?",
    "Har ni någon rabattkod för stamkunder?",
    "Kan ni hålla en {p} i {c} åt mig till {d}?",
    "Jag beställde storlek {s} men fick fel storlek, kan jag byta?",
    "Hur lång är leveranstiden till {t}?",
    "Betalningen nekades men pengarna har dragits från mitt konto. Order #{o}.",
    "Är {p} gjord av återvunnet material?",
    "Kan jag hämta beställning #{o} i butiken i stället?",
    "Spårningslänken för #{o} har inte ändrats sedan i {d}s.",
    "Slår ni in presenter? Det är en födelsedagspresent.",
    "Jag vill avbeställa order #{o}, jag råkade beställa {p} två gånger.",
    "Kommer {p} i {c} tillbaka? Den tog slut så fort.",
    "Hej, dragkedjan på min {p} gick sönder efter en vecka.",
    "Finns det garanti på {p}?",
    "Underbar service, jag handlar gärna igen.",
    "Paketet lämnades ute i regnet, allt är genomblött.",
    "Säljer ni reservdelar till {p}?",
    "Kan jag beställa {p} per telefon? Kassan hänger sig hela tiden.",
    "Min granne fick mitt paket, order #{o}. Är det tillåtet?",
    "Kan ni skriva ett handskrivet kort till presenten? Grattis på bröllopsdagen.",
];
const STAFF_SV: &[&str] = &[
    "Hej {n}! Beställning #{o} lämnade vårt lager i går, du bör ha den senast på {d}.",
    "Tack för att du hör av dig! {p} i {c} är i lager igen nästa vecka.",
    "Vad roligt att jag kunde hjälpa till! Något mer?",
    "Jag har ändrat leveransadressen på #{o} åt dig.",
    "Förlåt! Jag skickar en ny {p} i dag, du behöver inte returnera den trasiga.",
    "Ja, vi skickar till {l}, oftast inom 3 till 5 arbetsdagar.",
    "Det går bra, 40 grader på skonsamt program fungerar bäst.",
    "Jag har skickat orderbekräftelsen för #{o} igen, kolla gärna skräpposten också.",
    "Du kan returnera {p} inom 30 dagar utan kostnad.",
    "Varsågod, ha en fin dag!",
    "De flesta med en liten lägenhet väljer {p}.",
    "Du kan använda VÄLKOMMENTILLBAKA för 10 % rabatt på nästa beställning.",
    "Jag har lagt undan en {p} i {c} åt dig till {d}.",
    "Självklart! Jag har startat ett byte till storlek {s}, fraktsedeln finns i din mejl.",
    "Leveranstiden till {t} är oftast två dagar.",
    "Beloppet är bara reserverat och släpps automatiskt inom några dagar.",
    "Ja, {p} är gjord av återvunnen ull och ekologisk bomull.",
    "Visst, beställning #{o} kan hämtas i butiken från {d}.",
    "Jag har bett transportören att undersöka #{o} och återkommer till dig.",
    "Det gör vi! Presentinslagning är gratis, skriv bara en kommentar i kassan.",
    "Klart, order #{o} är avbeställd och återbetald.",
    "Vi väntar en ny leverans av {p} i vår.",
    "Så ska det inte bli. Skicka gärna en bild så ersätter vi {p}.",
    "Alla våra produkter har två års garanti.",
    "Tack, vad glad jag blir!",
    "Vad tråkigt att höra. Vi skickar ersättning direkt, inga frågor.",
    "Reservdelar till {p} finns på beställning, jag mejlar dig en lista.",
    "Förlåt för krånglet i kassan, jag har lagt beställningen åt dig manuellt.",
    "Hmm, transportören har registrerat #{o} som levererat till en granne. Jag öppnar ett ärende.",
    "Absolut, ett handskrivet kort följer med paketet.",
];
/// Extra sentences a message sometimes carries, most common first; the tail is rare.
const EXTRA_EN: &[&str] = &[
    "Thanks in advance!",
    "Best regards",
    "Kind regards",
    "Have a nice weekend.",
    "I'm in no hurry.",
    "It's for my mother's birthday.",
    "Sorry for all the questions.",
    "My daughter recommended your shop.",
    "I saw it on Instagram.",
    "We're hosting a dinner party on Saturday.",
    "The colour looked different on my screen.",
    "Our cat loves the blanket, by the way.",
    "I'm travelling to Lisbon next week.",
    "The courier was very friendly.",
    "We are renovating the summer house in Dalarna.",
    "My grandmother had one exactly like it in the seventies.",
    "It matches our new sofa perfectly.",
    "The smell of the beeswax candles is wonderful.",
    "Our dog chewed the corner of the old one.",
    "It looks like a zeppelin in the photo, haha.",
];
const EXTRA_SV: &[&str] = &[
    "Tack på förhand!",
    "Med vänliga hälsningar",
    "Mvh",
    "Trevlig helg.",
    "Det är ingen brådska.",
    "Det är till min mammas födelsedag.",
    "Förlåt för alla frågor.",
    "Min dotter tipsade om er butik.",
    "Jag såg den på Instagram.",
    "Vi ska ha middagsbjudning på lördag.",
    "Färgen såg annorlunda ut på min skärm.",
    "Vår katt älskar filten förresten.",
    "Jag reser till Lissabon nästa vecka.",
    "Budet var jättetrevligt.",
    "Vi renoverar sommarstugan i Dalarna.",
    "Min mormor hade en likadan på sjuttiotalet.",
    "Den passar perfekt till vår nya soffa.",
    "Doften av bivaxljusen är underbar.",
    "Vår hund tuggade sönder hörnet på den gamla.",
    "Den ser ut som en zeppelinare på bilden, haha.",
];

fn zipf(n: usize, s: f64) -> WeightedIndex<f64> {
    WeightedIndex::new((0..n).map(|k| 1.0 / ((k + 1) as f64).powf(s))).expect("weights")
}

/// Writes chat text for a shop in one language.
struct Voice {
    customer: WeightedIndex<f64>,
    staff: WeightedIndex<f64>,
    product: WeightedIndex<f64>,
    extra: WeightedIndex<f64>,
}

impl Voice {
    fn new() -> Voice {
        Voice {
            customer: zipf(CUSTOMER_EN.len(), 0.8),
            staff: zipf(STAFF_EN.len(), 0.8),
            product: zipf(PRODUCTS_EN.len(), 1.1),
            extra: zipf(EXTRA_EN.len(), 1.2),
        }
    }

    fn line(
        &self,
        rng: &mut StdRng,
        lang: Lang,
        from_customer: bool,
        first_name: &str,
        order: i64,
    ) -> String {
        let (templates, products, colors, days, countries, extras) = match lang {
            Lang::En => (
                if from_customer { CUSTOMER_EN } else { STAFF_EN },
                PRODUCTS_EN,
                COLORS_EN,
                DAYS_EN,
                COUNTRIES_EN,
                EXTRA_EN,
            ),
            Lang::Sv => (
                if from_customer { CUSTOMER_SV } else { STAFF_SV },
                PRODUCTS_SV,
                COLORS_SV,
                DAYS_SV,
                COUNTRIES_SV,
                EXTRA_SV,
            ),
        };
        let which = if from_customer {
            &self.customer
        } else {
            &self.staff
        };
        let template = templates[which.sample(rng)];
        let mut out = String::with_capacity(template.len() + 40);
        let mut chars = template.chars();
        while let Some(ch) = chars.next() {
            if ch != '{' {
                out.push(ch);
                continue;
            }
            let slot = chars.next().expect("a slot letter");
            let _close = chars.next();
            match slot {
                'p' => out.push_str(products[self.product.sample(rng)]),
                'c' => out.push_str(colors.choose(rng).expect("colors")),
                's' => out.push_str(SIZES.choose(rng).expect("sizes")),
                'o' => out.push_str(&order.to_string()),
                'd' => out.push_str(days.choose(rng).expect("days")),
                't' => out.push_str(CITIES.choose(rng).expect("cities").0),
                'l' => out.push_str(countries.choose(rng).expect("countries")),
                'n' => out.push_str(first_name),
                other => panic!("unknown slot {other}"),
            }
        }
        if rng.random_bool(0.3) {
            out.push(' ');
            out.push_str(extras[self.extra.sample(rng)]);
        }
        out
    }
}

/// Plans a shop with `messages` messages; the same `messages` always gives the same shop.
pub fn plan(messages: usize, now: i64) -> ShopPlan {
    let mut rng = StdRng::seed_from_u64(0x1b0c5);
    let conversation_count = messages.div_ceil(MESSAGES_PER_CONVERSATION).max(1);
    let customer_count = conversation_count
        .div_ceil(CONVERSATIONS_PER_CUSTOMER)
        .max(1);
    let start = now - HISTORY_MS;

    let customers: Vec<CustomerPlan> = (0..customer_count)
        .map(|i| {
            let first = *FIRST_NAMES.choose(&mut rng).expect("names");
            let last = *LAST_NAMES.choose(&mut rng).expect("names");
            let (city, country, lang) = *CITIES.choose(&mut rng).expect("cities");
            let domain = EMAIL_DOMAINS.choose(&mut rng).expect("domains");
            let id = i as i64 + 1;
            CustomerPlan {
                id,
                name: format!("{first} {last}"),
                email: format!("{}.{}{id}@{domain}", ascii(first), ascii(last)),
                city,
                country,
                lang,
                since: start - rng.random_range(0..365) * 86_400_000,
            }
        })
        .collect();

    // Between 1 and 19 messages a conversation, 10 on average, adjusted to the exact total.
    let mut counts: Vec<usize> = (0..conversation_count)
        .map(|_| rng.random_range(1..=2 * MESSAGES_PER_CONVERSATION - 1))
        .collect();
    let mut total: usize = counts.iter().sum();
    while total != messages {
        let c = rng.random_range(0..conversation_count);
        if total > messages && counts[c] > 1 {
            counts[c] -= 1;
            total -= 1;
        } else if total < messages {
            counts[c] += 1;
            total += 1;
        }
    }

    // Conversations start evenly over the history; messages follow every few minutes.
    let step = HISTORY_MS / conversation_count as i64;
    let mut conversations = Vec::with_capacity(conversation_count);
    let mut timeline: Vec<(i64, usize, usize)> = Vec::with_capacity(messages);
    for (c, &count) in counts.iter().enumerate() {
        let created = start + c as i64 * step + rng.random_range(0..step.max(1));
        let mut at = created;
        for k in 0..count {
            timeline.push((at, c, k));
            at += rng.random_range(30_000..3_600_000);
        }
        conversations.push(ConversationPlan {
            id: c as i64 + 1,
            customer: rng.random_range(0..customer_count),
            platform: rng.random_range(0..PLATFORMS.len()),
            created_at: created,
            last_message_at: at,
            messages: count,
            open: conversation_count - c <= 200 || rng.random_bool(0.02),
            assigned: rng.random_bool(0.7),
        });
    }
    timeline.sort_unstable();
    for c in &mut conversations {
        c.last_message_at = c.created_at;
    }

    let voice = Voice::new();
    let messages = timeline
        .into_iter()
        .enumerate()
        .map(|(i, (at, c, k))| {
            let conversation = &mut conversations[c];
            conversation.last_message_at = at;
            let customer = &customers[conversation.customer];
            let from_customer = k % 2 == 0;
            let first = customer.name.split(' ').next().unwrap_or_default();
            let order = 10_000 + (c as i64 * 7919) % 90_000;
            MessagePlan {
                id: i as i64 + 1,
                conversation: c,
                from_customer,
                created_at: at,
                text: voice.line(&mut rng, customer.lang, from_customer, first, order),
            }
        })
        .collect();
    ShopPlan {
        customers,
        conversations,
        messages,
    }
}

/// New customer messages for a shop planned by [`plan`]: `(conversation index, text)`, spread
/// at random over as many of the most recent conversations as there are messages (so about
/// two thirds of those conversations get one or more).
pub fn new_customer_messages(shop: &ShopPlan, count: usize) -> Vec<(usize, String)> {
    let mut rng = StdRng::seed_from_u64(0xca7c5);
    let voice = Voice::new();
    let recent = shop.conversations.len().min(count);
    let first = shop.conversations.len() - recent;
    (0..count)
        .map(|_| {
            let c = first + rng.random_range(0..recent);
            let customer = &shop.customers[shop.conversations[c].customer];
            let order = 10_000 + (c as i64 * 7919) % 90_000;
            (c, voice.line(&mut rng, customer.lang, true, "", order))
        })
        .collect()
}

/// The part of a name that goes into an email address: `Åsa` becomes `asa`.
fn ascii(name: &str) -> String {
    name.to_lowercase()
        .chars()
        .map(|c| match c {
            'å' | 'ä' => 'a',
            'ö' => 'o',
            'é' => 'e',
            c => c,
        })
        .collect()
}

/// The profile the benchmark was built with; debug figures are not comparable to release ones.
pub fn profile() -> &'static str {
    if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    }
}

/// The value below which `q` (0..=1) of the sorted `values` lie (nearest rank).
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Rounds for the JSON line: more digits than the machine's noise would mislead.
pub fn round(value: f64, digits: i32) -> f64 {
    let scale = 10f64.powi(digits);
    (value * scale).round() / scale
}

/// An environment variable parsed as a count, or the default.
pub fn env_count(name: &str, default: usize) -> Result<usize> {
    match std::env::var(name) {
        Ok(value) => {
            let value = value.replace('_', "");
            let count: usize = value
                .parse()
                .with_context(|| format!("{name} must be a whole number, got {value:?}"))?;
            ensure!(count > 0, "{name} must be at least 1");
            Ok(count)
        }
        Err(_) => Ok(default),
    }
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}
