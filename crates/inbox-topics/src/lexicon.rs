//! Hand-made groups of words that mean the same thing to a shop, in English and Swedish, so
//! that what the model learns from "refund" also speaks for "återbetalning", and a phrasing the
//! training data never used still lights up the right group.
//!
//! Stems are written in the folded form of [`crate::features::normalise`] (no diacritics,
//! lowercase, no apostrophes). A stem ending in `=` matches a whole word only; a stem of five
//! or more characters matches anywhere inside a word (Swedish compounds: `studentrabatt`,
//! `returfrakten`); a shorter stem matches the start of a word. A stem with a space matches two
//! neighbouring words. A group is only a feature: the model still learns how much each one
//! counts for each topic. This module holds data only, and must not depend on the order in which
//! groups are listed.

pub(crate) const GROUPS: &[(&str, &[&str])] = &[
    (
        "pay",
        &[
            "pay=", "pays=", "paid=", "paying=", "payment", "betal", "charge", "debit", "dragen=",
            "drogs=", "dras=", "transaction", "transaktion", "bankid", "financ", "finansier",
            "installment", "instalment", "avbetal", "delbetal", "deposit", "handpenning",
        ],
    ),
    (
        "pay_method",
        &[
            "klarna", "swish", "paypal", "card=", "cards=", "kort=", "kortet=", "kortuppgift",
            "kortnummer", "kortavgift", "visa=", "mastercard", "amex=", "maestro", "invoice",
            "faktura", "trustly", "bitcoin", "crypto", "krypto", "apple pay", "google pay",
            "shop pay", "vipps", "mobilepay", "bank transfer", "bankoverforing", "bankgiro",
            "plusgiro", "cash=", "kontant", "gift card", "presentkort", "cheque", "checks=",
            "afterpay", "autogiro", "direct debit",
        ],
    ),
    (
        "checkout",
        &[
            "checkout", "check out", "kassa", "kassan", "cart=", "basket", "varukorg", "buy=",
            "buying=", "purchase", "kop=", "kopa=", "kopet=", "kopte=", "handla", "place an",
            "lagga en", "lagger en", "lagg en",
        ],
    ),
    (
        "failure",
        &[
            "declin", "nekad", "nekas", "neka=", "nekar=", "reject", "avslog", "avslag", "fail",
            "misslyck", "error", "felmeddelande", "went wrong", "gick fel", "stuck", "fastnar",
            "fastnat", "crash", "krasch", "spins=", "snurrar", "doesnt work", "funkar inte",
            "fungerar inte", "not working", "wont=", "invalid", "ogiltig", "greyed", "loading",
            "laddar", "cant=", "kan inte",
        ],
    ),
    ("order", &["order", "bestall"]),
    (
        "cancel",
        &[
            "cancel", "avbry", "annuller", "annul=", "avbestall", "avboka", "makuler", "stoppa",
            "stop=", "withdraw", "aterkall", "undo=", "angra", "hold=", "pausa", "pause",
        ],
    ),
    (
        "change",
        &[
            "change", "andra=", "andring", "andrat=", "andras=", "byt", "swap", "switch",
            "modif", "edit=", "editable", "redigera", "amend", "updat", "uppdater", "correct",
            "ratta=", "fix=", "add=", "adding=", "lagg till", "lagga till", "lagger till",
            "remove", "ta bort", "stryk", "minska", "reduce", "upgrade", "uppgrader", "instead",
            "istallet", "wrong size", "fel storlek", "merge", "combine", "sla ihop", "samla",
        ],
    ),
    (
        "address",
        &[
            "address", "adress", "postcode", "postnummer", "zip=", "house number", "husnummer",
            "lagenhet", "apartment", "flat number", "recipient", "mottagare", "moving", "flyttar",
        ],
    ),
    (
        "tracking",
        &[
            "track", "sparning", "sparnings", "status", "dispatch", "skickats=", "skickad",
            "skickat=", "shipped=", "sent yet", "its way", "pa vag", "in transit",
            "under transport", "delivered=", "levererad", "levererat", "notification",
            "avisering", "confirmation", "bekraft", "late=", "delay", "forsen", "waiting",
            "vantar", "still=", "fortfarande", "lost=", "kommit bort", "forsvunnit", "arrive",
            "kom aldrig", "kommit fram", "never got", "not received", "havent received",
            "havent got", "inte fatt", "eta=", "estimated", "update", "uppdatering", "news=",
            "nytt om", "lamnat", "left your", "courier says", "budet", "where is", "wheres=",
            "var ar",
        ],
    ),
    (
        "damage",
        &[
            "broke", "break", "damag", "skad", "trasig", "sonder", "crack", "spruck", "shatter",
            "kross", "scratch", "repa=", "repor=", "dent=", "leak", "lacker", "lackte", "defect",
            "defekt", "faulty", "hole=", "hal=", "stain", "flack", "torn=", "tear=", "ripped",
            "melted", "smalt=", "spoil", "expired", "utgang", "rotten", "dead=", "doda=",
            "pieces", "bitar=", "missing", "saknas", "fattas", "wrong item", "fel vara",
            "stopped working", "slutade", "peeling", "flagnar", "shrank", "krympte", "used before",
            "anvants", "as described", "stammer inte",
        ],
    ),
    (
        "return",
        &[
            "return", "retur", "refund", "aterbetal", "money back", "pengarna tillbaka",
            "pengar tillbaka", "send back", "sent back", "it back", "skicka tillbaka",
            "skickade tillbaka", "lamna tillbaka", "exchange", "reklamer", "reklamat",
            "complain", "warranty", "garanti", "angerratt", "replacement", "ersattning",
            "store credit", "tillgodo", "dont like", "gillar inte",
        ],
    ),
    (
        "received",
        &[
            "received", "receive=", "got my", "got the", "got a", "i got", "arrived", "came=",
            "came with", "fick=", "fatt=", "kom=", "kom med", "kommit=", "levererades",
            "unpacked", "packade upp", "opened the", "i kartongen", "i paketet",
            "my package",
        ],
    ),
    (
        "discount",
        &[
            "discount", "rabatt", "promo", "coupon", "kupong", "voucher", "vardecheck", "code=",
            "codes=", "kod=", "koden=", "koder=", "kampanj", "sale=", "sales=", "rea=", "rean=",
            "reapris", "reavar", "reas=", "mellandagsrea", "julrea", "sommarrea", "black friday",
            "cyber monday", "offer", "erbjud", "deals=", "student", "member", "medlem",
            "loyalty", "bonus", "points=", "poang", "referral", "varvning", "giveaway",
            "welcome", "valkomst", "outlet", "cheaper", "billigare",
        ],
    ),
    (
        "price",
        &[
            "price", "pris=", "priset", "priser", "cost=", "costs=", "kostar", "kosta=", "cheap",
            "billig", "expensive", "dyr=", "dyrt=", "dyra=", "how much", "hur mycket", "vat=",
            "moms", "tax=", "negotia", "forhandl", "match=", "prismatch", "prisgaranti",
            "ordinarie", "full price", "fullpris",
        ],
    ),
    (
        "shipping",
        &[
            "shipping", "ship=", "ships=", "frakt", "deliver", "leverans", "levererar",
            "postage", "porto", "courier", "postnord", "dhl=", "ups=", "budbee", "instabox",
            "early bird", "schenker", "express", "next day", "same day", "samma dag",
            "parcel locker", "paketskap", "ombud", "pickup point", "service point",
            "utlamningsstalle", "carbon", "klimatkompens", "post=", "posten", "sent to",
        ],
    ),
    (
        "pickup",
        &[
            "pick up", "pickup", "it up", "hamta", "hamtar", "hamtning", "upphamt",
            "collect", "och hamta", "come get", "come pick",
        ],
    ),
    (
        "abroad",
        &[
            "international", "internation", "utomlands", "abroad", "countries", "lander=",
            "country", "norway", "norge", "finland", "denmark", "danmark", "germany", "tyskland",
            "usa=", "us=", "uk=", "canada", "kanada", "australi", "iceland", "island=", "spain",
            "spanien", "europe", "europa", "outside the", "utanfor", "eu=", "customs", "tull",
            "import", "brexit", "switzerland", "schweiz", "aland", "faroe", "faroarna",
            "ireland", "irland", "scotland",
        ],
    ),
    (
        "store",
        &[
            "open=", "opening", "oppet", "oppettid", "oppnar", "hours=", "close=", "closing",
            "stanger", "stangd", "located", "location", "ligger=", "ligger ni", "find you",
            "hitta er", "phone=", "phone number", "telefon", "call=", "ringa=", "ring mig",
            "email", "mejl", "mail=", "contact", "kontakt", "visit", "besok", "showroom",
            "physical", "fysisk", "policy", "villkor", "terms", "instagram", "tiktok",
            "facebook", "newsletter", "nyhetsbrev", "collab", "samarbet", "influencer", "sponsor",
            "annons", "advertis", "marketing", "marknadsfor", "seo=", "press=", "journalist",
            "interview", "intervju", "hiring", "job=", "jobs=", "jobb", "praktik", "intern=",
            "unsubscribe", "avregistrer", "sms=", "parking", "parker", "holiday", "helgdag",
            "roda dagar", "midsommar", "christmas", "jul=", "owner", "agare", "registration",
            "organisationsnummer", "customer service", "kundtjanst", "you based",
            "finns ni",
        ],
    ),
    (
        "wholesale",
        &[
            "wholesale", "grossist", "bulk", "resell", "aterforsalj", "salja vidare",
            "sell on", "retailer", "stockist", "distribut", "trade=", "trade account",
            "moq", "minimum order", "minsta order", "units", "enheter", "pcs=", "st=", "pallet",
            "pall=", "pallar", "offert", "quote=", "quotation", "business", "my shop",
            "my store", "min butik", "boutique", "salon", "salong", "restaurant", "restaurang",
            "hotel", "hotell", "cafe=", "kafe", "dropship", "private label", "white label",
            "faire=", "ankorstore", "volume", "volym", "storpack", "storsack", "partier",
            "foretag", "company", "corporate", "employees", "anstallda", "chain", "kedja",
            "konsignation", "consignment", "kommission", "inkopare", "buyer",
        ],
    ),
    (
        "attribute",
        &[
            "size=", "sizes", "storlek", "colour", "color", "farg", "material", "fabric", "tyg",
            "measure", "matt=", "mattet", "dimension", "width", "wide=", "bredd", "bred=",
            "tall=", "height", "hog=", "hojd", "weigh", "vikt", "vager", "ml=", "liter",
            "litre", "gram", "kg=", "cm=", "mm=", "inch", "tum=", "stock=", "in stock",
            "lager=", "lagret", "i lager", "restock", "back in", "sold out", "slutsal",
            "available", "tillganglig", "photo", "bild", "picture", "pic=", "pics=", "video",
            "ingredient", "ingrediens", "contain", "innehall", "vegan", "gluten", "laktos",
            "lactose", "nut=", "nuts=", "notter", "waterproof", "vattentat", "compatible",
            "passar till", "fit=", "fits=", "custom", "personali", "personlig", "engrav", "grav",
            "wash", "tvatt", "shade", "nyans", "xs=", "xl=", "xxl=", "small=", "medium",
            "large=", "lined=", "fodrad", "cotton", "bomull", "wool", "ull=", "leather", "lader",
            "assembl", "monter", "battery", "batteri", "bluetooth", "finns den", "det i",
            "in blue", "in black", "in white", "i svart", "i vitt", "i blatt", "how many",
            "hur manga",
        ],
    ),
    (
        "interest",
        &[
            "recommend", "rekommend", "suggest", "foresla", "tips=", "tipsa", "sell=", "sells=",
            "selling", "salj", "interested", "intresserad", "intresse", "looking for", "letar",
            "leta=", "after a", "gift=", "gifts=", "present=", "presenter", "julklapp",
            "collection", "kollektion", "new=", "nyhet", "nya=", "bestseller", "bastsalj",
            "popular", "popularast", "catalogue", "catalog", "katalog", "difference", "skillnad",
            "worth", "for sale", "till salu", "you sell", "you have", "har ni",
            "anything for", "nagot for", "me choose", "mig valja", "love this",
            "alskar",
        ],
    ),
    (
        "greeting",
        &[
            "hi=", "hello", "hey=", "heyy", "hej=", "hejsan", "halla", "tjena", "tja=",
            "morning", "morgon", "evening", "kvall", "hiya", "howdy",
        ],
    ),
    ("thanks", &["thank", "thx=", "tack", "cheers", "appreciat", "uppskatt"]),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::normalise;

    #[test]
    fn stems_are_written_folded_and_groups_are_unique() {
        let mut names: Vec<&str> = GROUPS.iter().map(|(n, _)| *n).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), GROUPS.len());
        for (name, stems) in GROUPS {
            for stem in *stems {
                let bare = stem.trim_end_matches('=');
                assert_eq!(normalise(bare), bare, "{name}: {stem:?} is not in folded form");
                assert!(bare.split(' ').count() <= 2, "{name}: {stem:?} has more than two words");
            }
        }
    }
}
