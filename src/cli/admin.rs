//! `edgebss admin ...`: managing admin UI users from the command line (for the first admin on a
//! headless box, or when every admin has forgotten their password).

use std::process::ExitCode;

use anyhow::Context;

use super::AdminCommand;
use crate::config::Settings;
use crate::domain::origin::Origin;
use crate::domain::user::Role;
use crate::service::users as service;

pub fn run(settings: &Settings, cmd: AdminCommand) -> anyhow::Result<ExitCode> {
    let db = crate::startup::open_db(settings)?;
    let clock = settings.clock()?;
    let result = actix_web::rt::System::new().block_on(async {
        match cmd {
            AdminCommand::CreateUser { username, role } => {
                let role = Role::parse("role", &role)?;
                let created = service::create(&db, &clock, &Origin::cli(), &username, role)
                    .await
                    .with_context(|| format!("cannot create user `{username}`"))?;
                println!(
                    "created {} user `{}`\npassword (shown once; to be changed at first sign-in): {}",
                    created.user.role, created.user.username, created.password
                );
                Ok(())
            }
            AdminCommand::ResetPassword { username } => {
                let user = service::find(&db, &username)
                    .await
                    .with_context(|| format!("cannot reset the password of `{username}`"))?;
                let reset = service::reset_password(&db, &clock, &Origin::cli(), user.id).await?;
                println!(
                    "new password for `{}` (shown once; to be changed at next sign-in): {}",
                    reset.user.username, reset.password
                );
                Ok::<_, anyhow::Error>(())
            }
        }
    });
    db.close();
    result.map(|()| ExitCode::SUCCESS)
}
