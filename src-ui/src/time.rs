//! Dates and ages in the browser's clock (js Date): the day navigation,
//! "offline since hh:mm" and "data from 3 min ago".

/// Milliseconds since the epoch of an RFC 3339 time. The engine writes
/// nanoseconds, which not every JS engine parses, so the fraction is cut.
pub fn parse_ms(rfc3339: &str) -> Option<f64> {
    let cut = match (rfc3339.find('.'), rfc3339.rfind(['Z', '+'])) {
        (Some(dot), Some(tz)) if dot < tz => format!("{}{}", &rfc3339[..dot], &rfc3339[tz..]),
        _ => rfc3339.to_string(),
    };
    let ms = js_sys::Date::parse(&cut);
    (!ms.is_nan()).then_some(ms)
}

/// `hh:mm` of a moment, local time.
pub fn hhmm(ms: f64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
    format!("{:02}:{:02}", d.get_hours(), d.get_minutes())
}

/// "42 s", "3 min", "2 h 5 min", "3 d".
pub fn age(ms_ago: f64) -> String {
    let s = (ms_ago / 1000.0).max(0.0) as u64;
    match s {
        s if s < 60 => format!("{s} s"),
        s if s < 3600 => format!("{} min", s / 60),
        s if s < 86_400 => format!("{} h {} min", s / 3600, (s % 3600) / 60),
        s => format!("{} d", s / 86_400),
    }
}

/// The day before/after `YYYY-MM-DD` (UTC arithmetic: no DST surprises).
pub fn shift_day(date: &str, days: i32) -> String {
    let ms = js_sys::Date::parse(&format!("{date}T12:00:00Z"));
    if ms.is_nan() {
        return date.to_string();
    }
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(
        ms + f64::from(days) * 86_400_000.0,
    ));
    format!(
        "{:04}-{:02}-{:02}",
        d.get_utc_full_year(),
        d.get_utc_month() + 1,
        d.get_utc_date()
    )
}

/// A long, readable form of a date for the header ("jueves, 3 de diciembre").
pub fn long_date(date: &str, lang: crate::i18n::Lang) -> String {
    let ms = js_sys::Date::parse(&format!("{date}T12:00:00Z"));
    if ms.is_nan() {
        return date.to_string();
    }
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
    let (days, months): (&[&str], &[&str]) = match lang {
        crate::i18n::Lang::Es => (
            &[
                "domingo",
                "lunes",
                "martes",
                "miércoles",
                "jueves",
                "viernes",
                "sábado",
            ],
            &[
                "enero",
                "febrero",
                "marzo",
                "abril",
                "mayo",
                "junio",
                "julio",
                "agosto",
                "septiembre",
                "octubre",
                "noviembre",
                "diciembre",
            ],
        ),
        crate::i18n::Lang::En => (
            &[
                "Sunday",
                "Monday",
                "Tuesday",
                "Wednesday",
                "Thursday",
                "Friday",
                "Saturday",
            ],
            &[
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
            ],
        ),
    };
    let wd = days.get(d.get_utc_day() as usize).copied().unwrap_or("");
    let m = months
        .get(d.get_utc_month() as usize)
        .copied()
        .unwrap_or("");
    // Sentence case: the weekday starts the line.
    let mut wd = wd.to_string();
    if let Some(first) = wd.chars().next() {
        wd = first.to_uppercase().collect::<String>() + &wd[first.len_utf8()..];
    }
    match lang {
        crate::i18n::Lang::Es => format!(
            "{wd}, {} de {m} de {}",
            d.get_utc_date(),
            d.get_utc_full_year()
        ),
        crate::i18n::Lang::En => {
            format!("{wd}, {m} {}, {}", d.get_utc_date(), d.get_utc_full_year())
        }
    }
}
