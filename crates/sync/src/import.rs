//! Importer of the public "Hotel booking demand" dataset (Antonio, de Almeida &
//! Nunes, Data in Brief 2019, CC BY 4.0; see `data/README.md`) into
//! reservations of one demo business.
//!
//! It lives in the sync crate, next to the `reservas` CLI, because it is a
//! client of the public REST API like any other: the server stays free of
//! demo code, and whatever the importer writes goes through the same
//! validation, event log and stream as a real front desk's writes.
//!
//! # Input
//! The CSV of the dataset (the trimmed copy shipped in `data/` is compiled in
//! as [`DEMO_CSV`]; the whole 119,390-row file works too). The file has no
//! quoted fields (no `"` anywhere), so a line is split on commas; columns are
//! found by header name. A row with a wrong number of fields or a value that
//! does not parse is skipped and counted ([`Parsed::skipped`]), never a panic.
//!
//! # Mapping, field by field ([`Booking::to_new_reservation`])
//! | reservation | from the booking |
//! | --- | --- |
//! | `date` | arrival date (`arrival_date_year/month/day_of_month`) + a whole-day shift, so that the replayed dataset day D lands on a chosen day (usually today): `shift = target − D` |
//! | `partySize` | `adults + children + babies`. The 4 `NA` values of `children` are read as 0 (missing, and all 4 rows have adults). Bookings with 0 guests (180 in the dataset, 7 in the demo file) are **skipped**: a reservation needs `partySize ≥ 1`, and inventing a guest would make the expected-guest figures differ from the data |
//! | `table` | `reserved_room_type` (`A`…`P`): the room type plays the role of the table |
//! | `notes` | `repeat guest` when `is_repeated_guest = 1`, `N special request(s)` when `total_of_special_requests > 0`, joined by `; `; absent when neither |
//! | `status` | the status as of a moment ([`Booking::status_at`]), or the final one ([`Booking::final_status`]): `Check-Out` → `completed`, `Canceled` → `cancelled`, `No-Show` → `no_show` |
//! | `customerName` | derived: a given name and surname plausible for `country` (ISO 3166 alpha-3; lists for PRT, ESP, GBR, IRL, USA, FRA, BEL, CHE, DEU, AUT, ITA, BRA, NLD, CN/CHN, POL, SWE, a generic list otherwise, e.g. `NULL`). Invented names, never the real guests |
//! | `time` | derived: the guest's arrival at the front desk, 14:00–22:30 in 15-minute steps, weighted toward the late afternoon like hotel check-ins |
//! | `customerEmail` | derived: `given.surname.NNNN@example.com` (RFC 2606 domain, never deliverable) |
//! | `customerPhone` | absent: the reserved fictional ranges differ per country and a phone adds nothing to the demo |
//!
//! "Derived" means a pure function of the row: a 64-bit FNV-1a hash of the
//! row's exact text and of how many identical rows came before it (the data
//! holds many identical rows, e.g. group bookings, which are still distinct
//! bookings). The trimmed file keeps either all or none of a set of identical
//! rows and the original order, so a booking gets the same name and time from
//! the demo file and from the whole dataset, on every run and platform
//! (std's `DefaultHasher` is not stable across releases, hence our own hash).
//!
//! # Dates of a booking's life
//! booked on `arrival − lead_time`; cancelled or marked no-show on
//! `reservation_status_date` (no-shows are taken as happening on the arrival
//! day; their status date is the arrival date in all but one row); arrived on
//! the arrival date when the final status is `Check-Out`.

use anyhow::{Context, bail};
use jiff::civil::{Date, Time};
use reservas_core::{NewReservation, Status};
use std::collections::HashMap;

/// The trimmed dataset shipped in `data/` (see its README), compiled in so the
/// binary and the tests need nothing outside the repository.
pub const DEMO_CSV: &str = include_str!("../../../data/hotel_bookings_demo.csv");

/// First and last dataset day that [`DEMO_CSV`] holds everything a replay
/// needs for (`data/trim.py` uses the same bounds).
pub const DEMO_FIRST_DAY: Date = jiff::civil::date(2016, 8, 12);
pub const DEMO_LAST_DAY: Date = jiff::civil::date(2016, 8, 18);

/// Which of the two hotels of the dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Hotel {
    /// H2, Lisbon (`City Hotel`).
    City,
    /// H1, Algarve (`Resort Hotel`).
    Resort,
}

impl Hotel {
    /// The value of the dataset's `hotel` column.
    pub fn label(self) -> &'static str {
        match self {
            Hotel::City => "City Hotel",
            Hotel::Resort => "Resort Hotel",
        }
    }
}

/// `reservation_status`: where the booking ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FinalStatus {
    /// The guest came and left (`Check-Out`).
    CheckOut,
    /// `Canceled`, on `reservation_status_date`.
    Canceled,
    /// `No-Show`.
    NoShow,
}

/// One row of the dataset, the columns the importer uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booking {
    /// 1-based line number in the file it came from (header = line 1); for
    /// messages only, never for derived values (it differs between files).
    pub line: usize,
    pub hotel: Hotel,
    pub lead_time: u32,
    pub arrival: Date,
    pub adults: u32,
    pub children: u32,
    pub babies: u32,
    /// ISO 3166-1 alpha-3 (a few rows use `CN`), `NULL` when unknown.
    pub country: String,
    pub repeated_guest: bool,
    pub reserved_room_type: String,
    pub special_requests: u32,
    pub status: FinalStatus,
    pub status_date: Date,
    /// Stable identity of the booking for derived values (module doc).
    pub key: u64,
}

/// Result of [`parse`]: the bookings, and the rows skipped with the reason.
#[derive(Debug, Default)]
pub struct Parsed {
    pub bookings: Vec<Booking>,
    /// (line number, reason)
    pub skipped: Vec<(usize, String)>,
}

/// Columns looked up by name, so that a file with the columns in another
/// order (or extra ones) still imports.
const COLUMNS: [&str; 15] = [
    "hotel",
    "lead_time",
    "arrival_date_year",
    "arrival_date_month",
    "arrival_date_day_of_month",
    "adults",
    "children",
    "babies",
    "country",
    "is_repeated_guest",
    "reserved_room_type",
    "total_of_special_requests",
    "reservation_status",
    "reservation_status_date",
    "is_canceled",
];

/// Parses the whole CSV. Fails only when the header lacks a needed column;
/// bad rows are skipped and reported in [`Parsed::skipped`].
pub fn parse(csv: &str) -> anyhow::Result<Parsed> {
    let mut lines = csv.lines();
    let header = lines.next().context("empty CSV: no header line")?;
    let names: Vec<&str> = header.trim_end_matches('\r').split(',').collect();
    let mut idx = [0usize; COLUMNS.len()];
    for (slot, col) in idx.iter_mut().zip(COLUMNS) {
        *slot = match names.iter().position(|n| *n == col) {
            Some(i) => i,
            None => bail!("CSV header has no column {col:?}: not the hotel-bookings dataset?"),
        };
    }
    let mut out = Parsed::default();
    // Occurrences of each exact row text so far: part of the booking's key.
    let mut seen: HashMap<&str, u32> = HashMap::new();
    for (n, raw) in lines.enumerate() {
        let line_no = n + 2;
        let text = raw.trim_end_matches('\r');
        if text.is_empty() {
            continue;
        }
        let occurrence = seen.entry(text).or_insert(0);
        let key = row_key(text, *occurrence);
        *occurrence += 1;
        match parse_row(text, &idx, names.len(), line_no, key) {
            Ok(b) => out.bookings.push(b),
            Err(reason) => {
                tracing::debug!(line = line_no, %reason, "skipping CSV row");
                out.skipped.push((line_no, reason));
            }
        }
    }
    Ok(out)
}

fn parse_row(
    text: &str,
    idx: &[usize; COLUMNS.len()],
    width: usize,
    line: usize,
    key: u64,
) -> Result<Booking, String> {
    let fields: Vec<&str> = text.split(',').collect();
    if fields.len() != width {
        return Err(format!("{} fields, expected {width}", fields.len()));
    }
    let get = |i: usize| fields[idx[i]];
    let num = |i: usize| -> Result<u32, String> {
        get(i)
            .parse::<u32>()
            .map_err(|_| format!("{}: not a count: {:?}", COLUMNS[i], get(i)))
    };
    let hotel = match get(0) {
        "City Hotel" => Hotel::City,
        "Resort Hotel" => Hotel::Resort,
        other => return Err(format!("unknown hotel {other:?}")),
    };
    let month = month_number(get(3)).ok_or_else(|| format!("bad month {:?}", get(3)))?;
    let year: i16 = get(2)
        .parse()
        .map_err(|_| format!("bad year {:?}", get(2)))?;
    let day: i8 = get(4)
        .parse()
        .map_err(|_| format!("bad day {:?}", get(4)))?;
    let arrival = Date::new(year, month, day).map_err(|e| format!("bad arrival date: {e}"))?;
    // "NA" marks the 4 missing values of `children` in the source.
    let children = if get(6) == "NA" { 0 } else { num(6)? };
    let status = match get(12) {
        "Check-Out" => FinalStatus::CheckOut,
        "Canceled" => FinalStatus::Canceled,
        "No-Show" => FinalStatus::NoShow,
        other => return Err(format!("unknown reservation_status {other:?}")),
    };
    let status_date: Date = get(13)
        .parse()
        .map_err(|e| format!("bad reservation_status_date {:?}: {e}", get(13)))?;
    let repeated_guest = match get(9) {
        "0" => false,
        "1" => true,
        other => return Err(format!("bad is_repeated_guest {other:?}")),
    };
    let b = Booking {
        line,
        hotel,
        lead_time: num(1)?,
        arrival,
        adults: num(5)?,
        children,
        babies: num(7)?,
        country: get(8).to_string(),
        repeated_guest,
        reserved_room_type: get(10).to_string(),
        special_requests: num(11)?,
        status,
        status_date,
        key,
    };
    // The booking date must be a real date too (lead times reach 737 days).
    b.booked_on()
        .ok_or_else(|| format!("lead_time {} out of range", b.lead_time))?;
    Ok(b)
}

fn month_number(name: &str) -> Option<i8> {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    MONTHS
        .iter()
        .position(|m| *m == name)
        .and_then(|i| i8::try_from(i + 1).ok())
}

/// 64-bit FNV-1a of the row text and its occurrence number: stable across
/// runs, platforms and Rust releases.
fn row_key(text: &str, occurrence: u32) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes().chain(occurrence.to_le_bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// A well-mixed value for one purpose (`salt`) from a booking's key
/// (splitmix64 finaliser), so that e.g. the name and the time are independent.
pub fn derive(key: u64, salt: u64) -> u64 {
    let mut z = key ^ salt.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Salts of the derived values (any distinct constants; changing one changes
/// every demo name or time, so they are fixed).
pub mod salt {
    pub const GIVEN: u64 = 1;
    pub const SURNAME: u64 = 2;
    pub const TIME: u64 = 3;
    pub const EMAIL: u64 = 4;
    pub const BOOKED_AT: u64 = 5;
    pub const CANCELLED_AT: u64 = 6;
    pub const CHECKIN_AT: u64 = 7;
    pub const NO_SHOW_AT: u64 = 8;
}

/// Index into a list of `len` from a derived value (`len` > 0).
pub fn pick(v: u64, len: usize) -> usize {
    // The modulo bias over 2^64 is far below anything visible in a demo.
    (v % len.max(1) as u64) as usize
}

impl Booking {
    /// `adults + children + babies`.
    pub fn guests(&self) -> u32 {
        self.adults
            .saturating_add(self.children)
            .saturating_add(self.babies)
    }

    /// The day the booking was made: arrival − lead_time.
    pub fn booked_on(&self) -> Option<Date> {
        self.arrival
            .checked_add(jiff::Span::new().days(-i64::from(self.lead_time)))
            .ok()
    }

    /// Cancelled (not no-show) on `day`.
    pub fn cancelled_on(&self, day: Date) -> bool {
        self.status == FinalStatus::Canceled && self.status_date == day
    }

    /// Where the booking ended, as a reservation status.
    pub fn final_status(&self) -> Status {
        match self.status {
            FinalStatus::CheckOut => Status::Completed,
            FinalStatus::Canceled => Status::Cancelled,
            FinalStatus::NoShow => Status::NoShow,
        }
    }

    /// Status on the morning of `day`, before any of that day's events;
    /// `None` when the booking is not made yet (booked on `day` or later).
    /// A stay whose arrival is before `day` counts as `completed` (the
    /// reservation was honoured), a no-show before `day` as `no_show`, a
    /// cancellation before `day` as `cancelled`; anything else is `confirmed`.
    pub fn status_at(&self, day: Date) -> Option<Status> {
        if self.booked_on()? >= day {
            return None;
        }
        Some(match self.status {
            FinalStatus::Canceled if self.status_date < day => Status::Cancelled,
            FinalStatus::NoShow if self.arrival < day => Status::NoShow,
            FinalStatus::CheckOut if self.arrival < day => Status::Completed,
            _ => Status::Confirmed,
        })
    }

    /// `(given name, surname)` for the guest's country (module doc).
    pub fn guest_name(&self) -> (&'static str, &'static str) {
        let (given, surnames) = names_for(&self.country);
        (
            given[pick(derive(self.key, salt::GIVEN), given.len())],
            surnames[pick(derive(self.key, salt::SURNAME), surnames.len())],
        )
    }

    /// `customerName`: "Given Surname".
    pub fn customer_name(&self) -> String {
        let (g, s) = self.guest_name();
        format!("{g} {s}")
    }

    /// `customerEmail` under example.com, ASCII only.
    pub fn customer_email(&self) -> String {
        let (g, s) = self.guest_name();
        let n = derive(self.key, salt::EMAIL) % 10_000;
        format!("{}.{}.{n:04}@example.com", ascii_fold(g), ascii_fold(s))
    }

    /// Time of arrival at the front desk (module doc).
    pub fn arrival_time(&self) -> Time {
        front_desk_time(derive(self.key, salt::TIME))
    }

    /// `notes`: repeat guest and special requests, or `None`.
    pub fn notes(&self) -> Option<String> {
        let mut parts = Vec::new();
        if self.repeated_guest {
            parts.push("repeat guest".to_string());
        }
        match self.special_requests {
            0 => {}
            1 => parts.push("1 special request".to_string()),
            n => parts.push(format!("{n} special requests")),
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }

    /// The reservation for this booking, its date shifted by `shift_days`,
    /// with `status`. `None` for a booking the importer skips (0 guests) or a
    /// shift that leaves the calendar.
    pub fn to_new_reservation(&self, shift_days: i64, status: Status) -> Option<NewReservation> {
        let party = self.guests();
        if party == 0 {
            return None;
        }
        let date = shift(self.arrival, shift_days)?;
        Some(NewReservation {
            business_id: None,
            customer_name: self.customer_name(),
            customer_phone: None,
            customer_email: Some(self.customer_email()),
            date: date.to_string(),
            time: hhmm(self.arrival_time()),
            party_size: i64::from(party),
            table: Some(self.reserved_room_type.clone()),
            status: Some(status),
            notes: self.notes(),
        })
    }
}

/// What [`import_arrivals`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub created: usize,
    /// Bookings with 0 guests, not imported (module doc).
    pub zero_guests: usize,
    /// Failed requests (logged).
    pub errors: usize,
}

/// Imports every booking of `hotel` arriving from `from` to `to` (dataset
/// days, inclusive) with its final status, dates shifted by `shift_days`:
/// the whole history of those days at once, cancellations and no-shows
/// included. (`reservas replay` instead seeds the books as of one morning
/// and plays the day.)
pub async fn import_arrivals(
    client: &crate::client::ApiClient,
    bookings: &[Booking],
    hotel: Hotel,
    (from, to): (Date, Date),
    shift_days: i64,
) -> ImportReport {
    let mut report = ImportReport::default();
    for b in bookings
        .iter()
        .filter(|b| b.hotel == hotel && (from..=to).contains(&b.arrival))
    {
        if b.guests() == 0 {
            report.zero_guests += 1;
            continue;
        }
        let Some(new) = b.to_new_reservation(shift_days, b.final_status()) else {
            report.errors += 1;
            tracing::warn!(line = b.line, "shifted date out of range");
            continue;
        };
        match client.create(&new).await {
            Ok(_) => report.created += 1,
            Err(e) => {
                report.errors += 1;
                tracing::warn!(line = b.line, error = %e, "importing a booking failed");
            }
        }
    }
    report
}

/// `date + days`, `None` outside the calendar.
pub fn shift(date: Date, days: i64) -> Option<Date> {
    date.checked_add(jiff::Span::new().try_days(days).ok()?)
        .ok()
}

/// Days from `from` to `to` (negative when `to` is earlier).
pub fn days_between(from: Date, to: Date) -> i64 {
    i64::from((to - from).get_days())
}

/// `HH:MM` as the wire wants it.
pub fn hhmm(t: Time) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

/// Relative weight of each front-desk slot by hour, 14:00 … 22:00: most hotel
/// guests arrive between 15:00 and 19:00, few late in the evening.
const HOUR_WEIGHTS: [(i8, u64); 9] = [
    (14, 4),
    (15, 7),
    (16, 8),
    (17, 8),
    (18, 7),
    (19, 5),
    (20, 4),
    (21, 2),
    (22, 1),
];

/// A time 14:00–22:30 in 15-minute steps, weighted by [`HOUR_WEIGHTS`].
fn front_desk_time(v: u64) -> Time {
    // Slots: each hour's four quarters with the hour's weight, but 22:xx
    // stops at 22:30 (three slots).
    let slots = HOUR_WEIGHTS.iter().flat_map(|&(h, w)| {
        let quarters: &[i8] = if h == 22 {
            &[0, 15, 30]
        } else {
            &[0, 15, 30, 45]
        };
        quarters.iter().map(move |&m| (h, m, w))
    });
    let total: u64 = slots.clone().map(|(_, _, w)| w).sum();
    let mut x = v % total;
    for (h, m, w) in slots {
        if x < w {
            return Time::constant(h, m, 0, 0);
        }
        x -= w;
    }
    Time::constant(18, 0, 0, 0)
}

/// Lowercase ASCII for an e-mail local part: common Latin accents folded,
/// anything else dropped.
fn ascii_fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let base = match c {
            'á' | 'à' | 'â' | 'ã' | 'ä' | 'å' | 'Á' | 'À' | 'Â' | 'Ã' | 'Ä' | 'Å' => {
                'a'
            }
            'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' | 'Í' | 'Î' => 'i',
            'ó' | 'ò' | 'ô' | 'õ' | 'ö' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'ø' => 'o',
            'ú' | 'ù' | 'û' | 'ü' | 'Ú' | 'Ü' => 'u',
            'ç' | 'Ç' | 'ć' => 'c',
            'ñ' | 'Ñ' | 'ń' => 'n',
            'ł' | 'Ł' => 'l',
            'ś' | 'Ś' => 's',
            'ż' | 'ź' | 'Ż' => 'z',
            'ß' => 's',
            c if c.is_ascii_alphanumeric() => c.to_ascii_lowercase(),
            _ => continue,
        };
        out.push(base);
    }
    out
}

type NameLists = (&'static [&'static str], &'static [&'static str]);

/// Given names and surnames common in each country (short lists of very
/// frequent names, written for this demo).
fn names_for(country: &str) -> NameLists {
    match country {
        "PRT" => (
            &[
                "Maria",
                "Ana",
                "Joana",
                "Inês",
                "Beatriz",
                "Mariana",
                "João",
                "José",
                "António",
                "Francisco",
                "Pedro",
                "Tiago",
                "Rui",
                "Catarina",
            ],
            &[
                "Silva",
                "Santos",
                "Ferreira",
                "Pereira",
                "Oliveira",
                "Costa",
                "Rodrigues",
                "Martins",
                "Sousa",
                "Fernandes",
                "Gonçalves",
                "Gomes",
                "Lopes",
                "Marques",
            ],
        ),
        "BRA" => (
            &[
                "Ana", "Juliana", "Fernanda", "Camila", "Larissa", "Gabriela", "Lucas", "Gabriel",
                "Rafael", "Mateus", "Bruno", "Felipe",
            ],
            &[
                "Silva", "Santos", "Oliveira", "Souza", "Lima", "Pereira", "Carvalho", "Almeida",
                "Ribeiro", "Rocha", "Barbosa", "Araújo",
            ],
        ),
        "ESP" => (
            &[
                "María", "Carmen", "Lucía", "Laura", "Marta", "Elena", "Antonio", "Manuel",
                "Javier", "David", "Carlos", "Pablo", "Sergio",
            ],
            &[
                "García",
                "Fernández",
                "González",
                "Rodríguez",
                "López",
                "Martínez",
                "Sánchez",
                "Pérez",
                "Gómez",
                "Martín",
                "Jiménez",
                "Ruiz",
            ],
        ),
        "GBR" => (
            &[
                "Oliver",
                "Harry",
                "George",
                "James",
                "Thomas",
                "William",
                "Olivia",
                "Emily",
                "Sophie",
                "Charlotte",
                "Amelia",
                "Jessica",
                "Lucy",
            ],
            &[
                "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies",
                "Evans", "Thomas", "Roberts", "Walker", "Wright",
            ],
        ),
        "IRL" => (
            &[
                "Jack", "Seán", "Conor", "Cian", "Darragh", "Niamh", "Aoife", "Ciara", "Siobhán",
                "Róisín", "Emma", "Patrick",
            ],
            &[
                "Murphy",
                "Kelly",
                "O'Sullivan",
                "Walsh",
                "Byrne",
                "Ryan",
                "O'Brien",
                "Doyle",
                "McCarthy",
                "O'Connor",
                "Gallagher",
                "Kennedy",
            ],
        ),
        "USA" => (
            &[
                "Michael", "David", "John", "Robert", "Chris", "Daniel", "Jennifer", "Jessica",
                "Ashley", "Sarah", "Emily", "Megan",
            ],
            &[
                "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Garcia",
                "Wilson", "Anderson", "Moore", "Clark",
            ],
        ),
        "FRA" | "BEL" | "CHE" | "LUX" => (
            &[
                "Camille", "Léa", "Manon", "Chloé", "Julie", "Claire", "Nicolas", "Julien",
                "Thomas", "Pierre", "Antoine", "Mathieu", "Louis",
            ],
            &[
                "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
                "Leroy", "Moreau", "Simon", "Laurent", "Lefèvre",
            ],
        ),
        "DEU" | "AUT" => (
            &[
                "Anna",
                "Laura",
                "Julia",
                "Lena",
                "Katharina",
                "Sabine",
                "Lukas",
                "Jonas",
                "Maximilian",
                "Felix",
                "Stefan",
                "Thomas",
                "Michael",
            ],
            &[
                "Müller",
                "Schmidt",
                "Schneider",
                "Fischer",
                "Weber",
                "Meyer",
                "Wagner",
                "Becker",
                "Schulz",
                "Hoffmann",
                "Koch",
                "Bauer",
            ],
        ),
        "ITA" => (
            &[
                "Giulia",
                "Francesca",
                "Chiara",
                "Sara",
                "Martina",
                "Alessandro",
                "Marco",
                "Luca",
                "Matteo",
                "Andrea",
                "Giuseppe",
                "Lorenzo",
            ],
            &[
                "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci",
                "Marino", "Greco", "Bruno", "Gallo",
            ],
        ),
        "NLD" => (
            &[
                "Daan", "Sem", "Lucas", "Bram", "Thijs", "Emma", "Sophie", "Julia", "Anouk",
                "Fleur", "Sanne", "Lotte",
            ],
            &[
                "de Jong",
                "Jansen",
                "de Vries",
                "van den Berg",
                "van Dijk",
                "Bakker",
                "Visser",
                "Smit",
                "Meijer",
                "de Boer",
                "Mulder",
                "Bos",
            ],
        ),
        "CN" | "CHN" => (
            &[
                "Wei", "Fang", "Min", "Jing", "Li", "Lei", "Yan", "Jun", "Tao", "Xiu",
            ],
            &[
                "Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou",
            ],
        ),
        "POL" => (
            &[
                "Anna",
                "Katarzyna",
                "Magdalena",
                "Agnieszka",
                "Piotr",
                "Krzysztof",
                "Tomasz",
                "Paweł",
                "Michał",
                "Marcin",
            ],
            &[
                "Nowak",
                "Kowalski",
                "Wiśniewski",
                "Wójcik",
                "Kowalczyk",
                "Kamiński",
                "Lewandowski",
                "Zieliński",
                "Szymański",
                "Woźniak",
            ],
        ),
        "SWE" | "NOR" | "DNK" | "FIN" => (
            &[
                "Erik", "Lars", "Anders", "Johan", "Karl", "Nils", "Anna", "Maria", "Karin",
                "Emma", "Ingrid", "Sara",
            ],
            &[
                "Andersson",
                "Johansson",
                "Karlsson",
                "Nilsson",
                "Eriksson",
                "Larsen",
                "Hansen",
                "Olsen",
                "Jensen",
                "Nielsen",
                "Lindqvist",
                "Berg",
            ],
        ),
        // Unknown country (`NULL`) and every other: international names.
        _ => (
            &[
                "Alex", "Sam", "Daniel", "Maria", "Anna", "David", "Laura", "Adam", "Sofia", "Leo",
                "Nina", "Max",
            ],
            &[
                "Novak", "Levi", "Cohen", "Ivanova", "Popescu", "Horvat", "Kaya", "Nagy", "Haddad",
                "Morales", "Costa", "Petrov",
            ],
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    const HEADER: &str = "hotel,is_canceled,lead_time,arrival_date_year,arrival_date_month,arrival_date_week_number,arrival_date_day_of_month,stays_in_weekend_nights,stays_in_week_nights,adults,children,babies,meal,country,market_segment,distribution_channel,is_repeated_guest,previous_cancellations,previous_bookings_not_canceled,reserved_room_type,assigned_room_type,booking_changes,deposit_type,agent,company,days_in_waiting_list,customer_type,adr,required_car_parking_spaces,total_of_special_requests,reservation_status,reservation_status_date";

    /// Real rows of the City Hotel, copied from `data/hotel_bookings_demo.csv`
    /// (lines 1948, 1385, 1442 = 1446, 1890).
    const STAYED: &str = "City Hotel,0,168,2016,August,33,13,0,1,3,0,0,BB,BRA,Online TA,TA/TO,0,0,0,A,D,0,No Deposit,9,NULL,0,Transient,146.7,0,1,Check-Out,2016-08-14";
    const CANCELLED: &str = "City Hotel,1,155,2016,August,34,18,0,1,2,0,0,BB,NOR,Online TA,TA/TO,0,0,0,D,D,0,No Deposit,9,NULL,0,Transient,118.8,0,1,Canceled,2016-08-18";
    const NO_SHOW: &str = "City Hotel,1,192,2016,August,34,18,2,5,2,0,0,BB,FRA,Online TA,TA/TO,0,0,0,A,A,0,No Deposit,9,NULL,0,Transient-Party,99.45,0,1,No-Show,2016-08-18";
    const REPEAT: &str = "City Hotel,0,12,2016,August,34,17,0,1,1,0,0,BB,PRT,Complementary,Corporate,1,0,8,A,A,0,No Deposit,NULL,45,0,Transient,0,0,2,Check-Out,2016-08-18";

    fn one(row: &str) -> Booking {
        let p = parse(&format!("{HEADER}\n{row}\n")).expect("parse");
        assert!(p.skipped.is_empty(), "{:?}", p.skipped);
        assert_eq!(p.bookings.len(), 1);
        p.bookings.into_iter().next().expect("one booking")
    }

    #[test]
    fn sample_rows_are_in_the_shipped_file() {
        for row in [STAYED, CANCELLED, NO_SHOW, REPEAT] {
            assert!(DEMO_CSV.lines().any(|l| l == row), "not in data/: {row}");
        }
    }

    #[test]
    fn maps_a_stayed_booking_field_by_field() {
        let b = one(STAYED);
        assert_eq!(b.hotel, Hotel::City);
        assert_eq!(b.arrival, date(2016, 8, 13));
        assert_eq!(b.booked_on(), Some(date(2016, 2, 27)), "168 days before");
        assert_eq!(b.guests(), 3);
        assert_eq!(b.status_at(date(2016, 8, 13)), Some(Status::Confirmed));
        assert_eq!(b.status_at(date(2016, 8, 14)), Some(Status::Completed));
        // D = 2016-08-13 shown as 2026-01-20.
        let shift = days_between(date(2016, 8, 13), date(2026, 1, 20));
        assert_eq!(shift, 3447);
        let r = b
            .to_new_reservation(shift, b.final_status())
            .expect("mapped");
        assert_eq!(r.date, "2026-01-20");
        assert_eq!(r.party_size, 3);
        assert_eq!(r.table.as_deref(), Some("A"), "reserved, not assigned (D)");
        assert_eq!(r.notes.as_deref(), Some("1 special request"));
        assert_eq!(r.status, Some(Status::Completed));
        assert_eq!(r.customer_phone, None);
        assert_eq!(r.business_id, None);
        // Derived values: a Brazilian name, an afternoon/evening quarter hour.
        let (given, surname) = b.guest_name();
        let (gs, ss) = names_for("BRA");
        assert!(gs.contains(&given) && ss.contains(&surname));
        assert_eq!(r.customer_name, format!("{given} {surname}"));
        let email = r.customer_email.clone().expect("email");
        assert!(
            email.ends_with("@example.com") && email.is_ascii(),
            "{email}"
        );
        assert!(("14:00"..="22:30").contains(&r.time.as_str()), "{}", r.time);
        assert_eq!(r.time[3..].parse::<u32>().map(|m| m % 15), Ok(0));
        // The core's validation accepts it as it is.
        assert!(reservas_core::validate::new_reservation(&r).is_ok());
        // Shifting moves only the date.
        let back = b.to_new_reservation(0, Status::Confirmed).expect("mapped");
        assert_eq!(back.date, "2016-08-13");
        assert_eq!((back.customer_name, back.time), (r.customer_name, r.time));
    }

    #[test]
    fn maps_cancelled_no_show_and_repeat_bookings() {
        let c = one(CANCELLED);
        assert_eq!(c.guests(), 2);
        assert_eq!(c.final_status(), Status::Cancelled);
        assert!(c.cancelled_on(date(2016, 8, 18)));
        assert_eq!(c.status_at(date(2016, 3, 16)), None, "booked on 03-16");
        assert_eq!(c.status_at(date(2016, 3, 17)), Some(Status::Confirmed));
        assert_eq!(c.status_at(date(2016, 8, 18)), Some(Status::Confirmed));
        assert_eq!(c.status_at(date(2016, 8, 19)), Some(Status::Cancelled));
        let r = c.to_new_reservation(0, Status::Confirmed).expect("mapped");
        assert_eq!(r.date, "2016-08-18");
        assert_eq!(r.table.as_deref(), Some("D"));
        assert_eq!(r.notes.as_deref(), Some("1 special request"));
        assert_eq!(r.status, Some(Status::Confirmed));
        let (gs, ss) = names_for("NOR");
        let (g, s) = c.guest_name();
        assert!(gs.contains(&g) && ss.contains(&s));

        let n = one(NO_SHOW);
        assert_eq!(n.final_status(), Status::NoShow);
        assert_eq!(n.status_at(date(2016, 8, 18)), Some(Status::Confirmed));
        assert_eq!(n.status_at(date(2016, 8, 19)), Some(Status::NoShow));
        let r = n.to_new_reservation(-1, Status::NoShow).expect("mapped");
        assert_eq!(r.date, "2016-08-17");
        assert_eq!(r.party_size, 2);
        assert_eq!(r.status, Some(Status::NoShow));
        assert!(names_for("FRA").0.contains(&n.guest_name().0));

        let p = one(REPEAT);
        assert!(p.repeated_guest);
        let r = p.to_new_reservation(0, p.final_status()).expect("mapped");
        assert_eq!(r.notes.as_deref(), Some("repeat guest; 2 special requests"));
        assert_eq!(r.party_size, 1);
        assert_eq!(r.date, "2016-08-17");
        assert!(names_for("PRT").1.contains(&p.guest_name().1));
    }

    #[test]
    fn derived_values_are_stable() {
        let b = one(STAYED);
        assert_eq!(b.key, row_key(STAYED, 0));
        // Pinned: a change of hash, salt or name list changes every demo
        // name, which must be a decision, not an accident.
        let got = format!(
            "{} | {} | {}",
            b.customer_name(),
            hhmm(b.arrival_time()),
            b.customer_email()
        );
        assert_eq!(got, PINNED_STAYED, "derived values of a real row changed");
        // The same booking read from the shipped file (at another line, with
        // other rows around it) derives the same values.
        let demo = parse(DEMO_CSV).expect("parse");
        let same = demo
            .bookings
            .iter()
            .find(|d| d.line == 1948)
            .expect("line 1948");
        assert_eq!(same.key, b.key);
        assert_eq!(same.customer_name(), b.customer_name());
        assert_eq!(same.arrival_time(), b.arrival_time());
    }

    const PINNED_STAYED: &str = "Mateus Souza | 16:00 | mateus.souza.2109@example.com";

    #[test]
    fn identical_rows_are_distinct_bookings_with_stable_keys() {
        let p = parse(&format!("{HEADER}\n{STAYED}\n{STAYED}\n")).expect("parse");
        assert_eq!(p.bookings.len(), 2);
        assert_ne!(p.bookings[0].key, p.bookings[1].key);
        // The same pair in a bigger file (other rows before) keeps its keys.
        let p2 = parse(&format!(
            "{HEADER}\n{NO_SHOW}\n{STAYED}\n{CANCELLED}\n{STAYED}\n"
        ))
        .expect("parse");
        assert_eq!(p2.bookings[1].key, p.bookings[0].key);
        assert_eq!(p2.bookings[3].key, p.bookings[1].key);
    }

    #[test]
    fn bad_rows_are_skipped_and_counted() {
        let zero = STAYED.replace(",0,1,3,0,0,BB,", ",0,1,0,0,0,BB,");
        let na = STAYED.replace(",3,0,0,BB,", ",3,NA,0,BB,");
        let bad_month = STAYED.replace("August", "Augst");
        let short = "City Hotel,0,10";
        let text = format!("{HEADER}\n{zero}\n{na}\n{bad_month}\n{short}\n\n{STAYED}\r\n");
        let p = parse(&text).expect("parse");
        assert_eq!(
            p.bookings.len(),
            3,
            "zero-guest row parses, mapping skips it"
        );
        assert_eq!(p.skipped.len(), 2);
        assert_eq!(p.skipped[0].0, 4);
        assert_eq!(p.bookings[0].guests(), 0);
        assert!(
            p.bookings[0]
                .to_new_reservation(0, Status::Confirmed)
                .is_none()
        );
        assert_eq!(p.bookings[1].children, 0);
        assert!(parse("hotel,lead_time\nCity Hotel,1\n").is_err());
    }

    #[test]
    fn whole_demo_file_parses() {
        let p = parse(DEMO_CSV).expect("parse");
        assert_eq!(p.bookings.len() + p.skipped.len(), 3439);
        assert!(
            p.skipped.is_empty(),
            "{:?}",
            &p.skipped[..p.skipped.len().min(5)]
        );
        assert_eq!(
            p.bookings.iter().filter(|b| b.hotel == Hotel::City).count(),
            2290
        );
        assert_eq!(p.bookings.iter().filter(|b| b.guests() == 0).count(), 7);
    }

    #[test]
    fn front_desk_times_look_like_a_front_desk() {
        let p = parse(DEMO_CSV).expect("parse");
        let mut by_hour = [0u32; 24];
        for b in &p.bookings {
            let t = b.arrival_time();
            assert!(t >= Time::constant(14, 0, 0, 0) && t <= Time::constant(22, 30, 0, 0));
            assert_eq!(t.minute() % 15, 0);
            by_hour[t.hour() as usize] += 1;
        }
        // Busiest in the late afternoon, quiet late at night, none at noon.
        assert!(by_hour[16] > by_hour[21] * 2, "{by_hour:?}");
        assert!(by_hour[22] > 0 && by_hour[13] == 0);
    }

    #[test]
    fn emails_fold_accents() {
        assert_eq!(ascii_fold("Gonçalves"), "goncalves");
        assert_eq!(ascii_fold("O'Brien"), "obrien");
        assert_eq!(ascii_fold("van den Berg"), "vandenberg");
    }
}
