//! Write commands: create, update, status, delete, check-in. They go to the
//! server through REST only; the cache changes when the server's event
//! comes back to a running engine, never here.

use super::GlobalArgs;
use super::output::{emit, table};
use reservas_core::{NewReservation, Reservation, ReservationPatch, Status};

#[derive(Debug, Clone, clap::Args)]
pub struct CreateArgs {
    /// Customer name
    #[arg(long)]
    pub name: String,
    /// Day (YYYY-MM-DD)
    #[arg(long)]
    pub date: String,
    /// Time (HH:MM, 24 h)
    #[arg(long)]
    pub time: String,
    /// Party size (1-500)
    #[arg(long, allow_negative_numbers = true)]
    pub party: i64,
    #[arg(long)]
    pub phone: Option<String>,
    #[arg(long)]
    pub email: Option<String>,
    #[arg(long)]
    pub table: Option<String>,
    /// pending | confirmed | seated | completed | cancelled | no_show
    #[arg(long)]
    pub status: Option<Status>,
    #[arg(long)]
    pub notes: Option<String>,
    /// Print the server's answer as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct UpdateArgs {
    pub id: String,
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long)]
    pub date: Option<String>,
    #[arg(long)]
    pub time: Option<String>,
    #[arg(long, allow_negative_numbers = true)]
    pub party: Option<i64>,
    /// Phone ("" clears it)
    #[arg(long)]
    pub phone: Option<String>,
    /// E-mail ("" clears it)
    #[arg(long)]
    pub email: Option<String>,
    /// Table ("" clears it)
    #[arg(long)]
    pub table: Option<String>,
    #[arg(long)]
    pub status: Option<Status>,
    /// Notes ("" clears them)
    #[arg(long)]
    pub notes: Option<String>,
    /// Only if the row is still at this version (else HTTP 412)
    #[arg(long)]
    pub if_match: Option<u64>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct StatusArgs {
    pub id: String,
    /// pending | confirmed | seated | completed | cancelled | no_show
    pub status: Status,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct DeleteArgs {
    pub id: String,
}

#[derive(Debug, Clone, clap::Args)]
pub struct CheckinArgs {
    /// The check-in token read from the guest's QR code
    #[arg(required_unless_present = "id")]
    pub qr_token: Option<String>,
    /// Check in by reservation id instead of QR token
    #[arg(long, conflicts_with = "qr_token")]
    pub id: Option<String>,
    #[arg(long)]
    pub json: bool,
}

fn show(r: &Reservation, json: bool) -> anyhow::Result<()> {
    if json {
        emit(&format!("{}\n", serde_json::to_string(r)?))?;
    } else {
        emit(&table(std::slice::from_ref(r)))?;
    }
    Ok(())
}

/// `""` on the command line clears an optional field (JSON null).
fn clearable(v: Option<String>) -> Option<Option<String>> {
    v.map(|s| if s.is_empty() { None } else { Some(s) })
}

impl CreateArgs {
    pub async fn run(self, g: &GlobalArgs) -> anyhow::Result<()> {
        let new = NewReservation {
            business_id: None,
            customer_name: self.name,
            customer_phone: self.phone,
            customer_email: self.email,
            date: self.date,
            time: self.time,
            party_size: self.party,
            table: self.table,
            status: self.status,
            notes: self.notes,
        };
        let r = g.client()?.create(&new).await?;
        show(&r, self.json)
    }
}

impl UpdateArgs {
    pub async fn run(self, g: &GlobalArgs) -> anyhow::Result<()> {
        let patch = ReservationPatch {
            business_id: None,
            customer_name: self.name,
            customer_phone: clearable(self.phone),
            customer_email: clearable(self.email),
            date: self.date,
            time: self.time,
            party_size: self.party,
            table: clearable(self.table),
            status: self.status,
            notes: clearable(self.notes),
        };
        if patch == ReservationPatch::default() {
            anyhow::bail!(
                "nothing to change: pass at least one of --name, --date, --time, --party, --phone, --email, --table, --status, --notes"
            );
        }
        let r = g.client()?.patch(&self.id, &patch, self.if_match).await?;
        show(&r, self.json)
    }
}

impl StatusArgs {
    pub async fn run(self, g: &GlobalArgs) -> anyhow::Result<()> {
        let r = g.client()?.set_status(&self.id, self.status).await?;
        show(&r, self.json)
    }
}

impl DeleteArgs {
    pub async fn run(self, g: &GlobalArgs) -> anyhow::Result<()> {
        g.client()?.delete(&self.id).await?;
        eprintln!("deleted {}", self.id);
        Ok(())
    }
}

impl CheckinArgs {
    pub async fn run(self, g: &GlobalArgs) -> anyhow::Result<()> {
        let client = g.client()?;
        let res = match (&self.id, &self.qr_token) {
            (Some(id), _) => client.checkin_by_id(id).await?,
            (None, Some(t)) => client.checkin_by_token(t).await?,
            (None, None) => anyhow::bail!("pass QR_TOKEN or --id ID"),
        };
        if self.json {
            emit(&format!("{}\n", serde_json::to_string(&res)?))?;
        } else {
            emit(&format!(
                "checked in: {} ({}/{} arrived) {}\n",
                res.cliente_nombre, res.asistencia_actual, res.party_size, res.reserva_id
            ))?;
        }
        Ok(())
    }
}
