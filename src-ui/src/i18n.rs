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
