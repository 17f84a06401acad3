//! `relais-server staff add|list|disable|enable|password|enrol`: the town's staff accounts from
//! the server's command line, so that a town works before its back office is opened.
//!
//! Passwords are read from standard input (one line), never from the command line, and stored
//! as argon2id hashes. `enrol` prints a one-time code for the member's device (7 days).

use std::io::{BufRead, Write};

use anyhow::{Context, bail};
use relais_protocol::StaffRole;
use relais_server_database::{Database, NewEnrolment, NewStaff, StaffChange};
use uuid::Uuid;

use crate::clock::now_ms;
use crate::enrolment::{self, EnrolmentCode};
use crate::settings::Settings;
use crate::staff::accounts;

#[derive(Debug, Clone, clap::Args)]
pub struct Staff {
    #[command(subcommand)]
    pub command: StaffCommand,
}

/// Which accounts: a town's, or the server's operators.
#[derive(Debug, Clone, clap::Args)]
pub struct Whose {
    /// The town (tenant) of the account.
    #[arg(long, value_name = "TENANT", required_unless_present = "operator")]
    pub tenant: Option<String>,
    /// An operator of the server (no town).
    #[arg(long, conflicts_with = "tenant")]
    pub operator: bool,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum StaffCommand {
    /// Create an account.
    Add {
        #[command(flatten)]
        whose: Whose,
        /// The member's e-mail address (their login).
        #[arg(long)]
        email: String,
        /// The name colleagues see.
        #[arg(long)]
        name: String,
        /// `agent`, `supervisor` or `admin` (an operator with --operator).
        #[arg(long, value_parser = parse_role, default_value = "agent")]
        role: StaffRole,
        /// A service the member works for (an agent: exactly one; a supervisor: one or more).
        #[arg(long = "service", value_name = "CODE")]
        services: Vec<String>,
        /// A zone an agent is limited to (none: every zone).
        #[arg(long = "zone", value_name = "CODE")]
        zones: Vec<String>,
        /// Read a password for the back office from standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List the accounts.
    List {
        #[command(flatten)]
        whose: Whose,
    },
    /// Disable an account: its devices and sessions stop working at once.
    Disable {
        #[command(flatten)]
        whose: Whose,
        /// The member's e-mail address (their login).
        #[arg(long)]
        email: String,
    },
    /// Enable a disabled account again.
    Enable {
        #[command(flatten)]
        whose: Whose,
        /// The member's e-mail address (their login).
        #[arg(long)]
        email: String,
    },
    /// Set an account's password, read from standard input.
    Password {
        #[command(flatten)]
        whose: Whose,
        /// The member's e-mail address (their login).
        #[arg(long)]
        email: String,
    },
    /// Print a one-time code to enrol the member's device (7 days, single use).
    Enrol {
        #[arg(long, value_name = "TENANT")]
        tenant: String,
        /// The member's e-mail address (their login).
        #[arg(long)]
        email: String,
    },
}

fn parse_role(text: &str) -> Result<StaffRole, String> {
    text.parse()
        .map_err(|_| format!("{text:?} is not agent, supervisor, admin or operator"))
}

impl Staff {
    pub async fn run(&self, settings: &Settings) -> anyhow::Result<()> {
        with_database!(settings, |db| self.run_on(db))
    }

    async fn run_on(&self, db: &impl Database) -> anyhow::Result<()> {
        match &self.command {
            StaffCommand::Add {
                whose,
                email,
                name,
                role,
                services,
                zones,
                password_stdin,
            } => {
                let email = accounts::normalize_email(email)?;
                let role = if whose.operator {
                    StaffRole::Operator
                } else {
                    *role
                };
                accounts::check_role(role, whose.tenant.is_some(), services, zones)?;
                if name.trim().is_empty() {
                    bail!(accounts::AccountProblem::Name);
                }
                let password_hash = if *password_stdin {
                    Some(accounts::hash_password(&read_password()?)?)
                } else {
                    None
                };
                let change = db
                    .add_staff(NewStaff {
                        id: Uuid::now_v7(),
                        tenant: whose.tenant.clone(),
                        email: email.clone(),
                        name: name.trim().to_owned(),
                        role,
                        services: services.clone(),
                        zones: zones.clone(),
                        password_hash,
                        created_at_ms: now_ms(),
                    })
                    .await?;
                done(change, &email)?;
                audit(db, whose, "staff.add", &email).await?;
                out!("{email}: {} created", role.as_str())?;
            }
            StaffCommand::List { whose } => {
                for account in db.staff_accounts(whose.tenant.clone()).await? {
                    let p = &account.member.profile;
                    let state = if account.disabled_at_ms.is_some() {
                        "disabled"
                    } else {
                        "active"
                    };
                    out!(
                        "{}\t{}\t{}\tservices={}\tzones={}\t{state}",
                        p.email,
                        p.name,
                        p.role.as_str(),
                        p.services.join(","),
                        p.zones.join(","),
                    )?;
                }
            }
            StaffCommand::Disable { whose, email } | StaffCommand::Enable { whose, email } => {
                let disable = matches!(self.command, StaffCommand::Disable { .. });
                let email = accounts::normalize_email(email)?;
                let at = disable.then(now_ms);
                done(
                    db.set_staff_disabled(whose.tenant.clone(), email.clone(), at)
                        .await?,
                    &email,
                )?;
                let action = if disable {
                    "staff.disable"
                } else {
                    "staff.enable"
                };
                audit(db, whose, action, &email).await?;
                out!("{email}: {}", if disable { "disabled" } else { "enabled" })?;
            }
            StaffCommand::Password { whose, email } => {
                let email = accounts::normalize_email(email)?;
                let hash = accounts::hash_password(&read_password()?)?;
                done(
                    db.set_staff_password(whose.tenant.clone(), email.clone(), hash)
                        .await?,
                    &email,
                )?;
                audit(db, whose, "staff.password", &email).await?;
                out!("{email}: password set")?;
            }
            StaffCommand::Enrol { tenant, email } => {
                let email = accounts::normalize_email(email)?;
                let code = enrol(db, tenant, &email).await?;
                let mut stdout = std::io::stdout().lock();
                writeln!(stdout, "{}", code.as_str())?;
                stdout.flush()?;
                eprintln!(
                    "One-time code for a device of {email} ({tenant}), valid {} days.",
                    enrolment::VALIDITY_MS / 86_400_000
                );
            }
        }
        Ok(())
    }
}

/// Creates a one-time enrolment code for the device of `email`, a staff member of `tenant`.
pub async fn enrol(db: &impl Database, tenant: &str, email: &str) -> anyhow::Result<EnrolmentCode> {
    let member = db
        .staff_accounts(Some(tenant.to_owned()))
        .await?
        .into_iter()
        .find(|a| a.member.profile.email == email && a.disabled_at_ms.is_none())
        .with_context(|| format!("no active staff account {email} in {tenant}"))?
        .member;
    let code = EnrolmentCode::generate();
    let created_at_ms = now_ms();
    let change = db
        .create_enrolment(NewEnrolment {
            code: code.hash(),
            tenant: tenant.to_owned(),
            staff: member.id,
            created_at_ms,
            expires_at_ms: created_at_ms + enrolment::VALIDITY_MS,
        })
        .await
        .context("could not store the enrolment code")?;
    done(change, email)?;
    db.audit(
        Some(tenant.to_owned()),
        None,
        "enrolment.create".into(),
        serde_json::json!({ "email": email }),
        created_at_ms,
    )
    .await?;
    Ok(code)
}

/// Turns a storage answer into an error a person understands.
pub fn done(change: StaffChange, email: &str) -> anyhow::Result<()> {
    match change {
        StaffChange::Done => Ok(()),
        StaffChange::UnknownTenant => bail!("no such town on this server"),
        StaffChange::UnknownService => bail!("the town has no such service (or category)"),
        StaffChange::UnknownZone => bail!("the town has no such zone"),
        StaffChange::EmailTaken => bail!("{email} already has an account here"),
        StaffChange::UnknownStaff => bail!("no staff account {email} here"),
    }
}

async fn audit(db: &impl Database, whose: &Whose, action: &str, email: &str) -> anyhow::Result<()> {
    db.audit(
        whose.tenant.clone(),
        None,
        action.into(),
        serde_json::json!({ "email": email }),
        now_ms(),
    )
    .await?;
    Ok(())
}

fn read_password() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}
