//! Spanish (default) and English. Each text is written at its call site in
//! both languages, `lang.t("Llegados", "Arrived")`, so a reader sees both
//! and nothing can go missing from a table.

use reservas_core::Status;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Es,
    En,
}

impl Lang {
    pub fn from_code(code: &str) -> Lang {
        if code == "en" { Lang::En } else { Lang::Es }
    }

    pub fn t(self, es: &'static str, en: &'static str) -> &'static str {
        match self {
            Lang::Es => es,
            Lang::En => en,
        }
    }

    pub fn status(self, s: Status) -> &'static str {
        match s {
            Status::Pending => self.t("Pendiente", "Pending"),
            Status::Confirmed => self.t("Confirmada", "Confirmed"),
            Status::Seated => self.t("Sentados", "Seated"),
            Status::Completed => self.t("Completada", "Completed"),
            Status::Cancelled => self.t("Cancelada", "Cancelled"),
            Status::NoShow => self.t("No vino", "No-show"),
        }
    }

    /// The verb on a button that moves a row to `s`.
    pub fn to_status(self, s: Status) -> &'static str {
        match s {
            Status::Pending => self.t("Pendiente", "Pending"),
            Status::Confirmed => self.t("Confirmar", "Confirm"),
            Status::Seated => self.t("Sentar", "Seat"),
            Status::Completed => self.t("Terminar", "Complete"),
            Status::Cancelled => self.t("Cancelar", "Cancel"),
            Status::NoShow => self.t("No vino", "No-show"),
        }
    }

    /// A server rule error (422 `error` code) in words; the server's own
    /// message (English) when the code is not one of the known ones.
    pub fn rule(self, code: Option<&str>, message: &str) -> String {
        use reservas_core::validate::{MAX_PARTY, MIN_PARTY};
        let text = match code {
            Some("required") => self.t("Obligatorio", "Required"),
            Some("too_long") => self.t("Demasiado largo", "Too long"),
            Some("invalid_date") => {
                self.t("Fecha no válida (AAAA-MM-DD)", "Invalid date (YYYY-MM-DD)")
            }
            Some("invalid_time") => self.t("Hora no válida (HH:MM)", "Invalid time (HH:MM)"),
            Some("invalid_email") => self.t("Correo no válido", "Invalid email"),
            Some("out_of_range") => {
                return format!(
                    "{} {MIN_PARTY} {} {MAX_PARTY}",
                    self.t("Entre", "Between"),
                    self.t("y", "and")
                );
            }
            Some("not_a_number") => self.t("Escriba un número", "Enter a number"),
            _ => return message.to_string(),
        };
        text.to_string()
    }

    /// The label of a form field named as the server names it in a 422.
    pub fn field(self, field: &str) -> &'static str {
        match field {
            "customerName" => self.t("Nombre", "Name"),
            "customerPhone" => self.t("Teléfono", "Phone"),
            "customerEmail" => self.t("Correo", "Email"),
            "date" => self.t("Fecha", "Date"),
            "time" => self.t("Hora", "Time"),
            "partySize" => self.t("Personas", "Party"),
            "table" => self.t("Mesa", "Table"),
            "notes" => self.t("Notas", "Notes"),
            _ => self.t("Campo", "Field"),
        }
    }
}
