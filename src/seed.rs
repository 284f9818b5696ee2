//! The demo story: the organisations behind the 2022 public question on child
//! protection (`shared/fixtures/public-question-2022-05-31.txt`), so that a newcomer
//! exploring Swagger UI sees real, linked data.

use crate::db::DbConn;
use crate::domain::organisation::{NewOrganisation, OrganisationKind};
use crate::domain::text::Name;
use crate::repo::{self, audit::Actor};

/// Loads the story into an empty database; returns false (and changes nothing) when
/// the database already holds data.
pub async fn demo(conn: &mut DbConn) -> anyhow::Result<bool> {
    if repo::organisations::count(conn).await? > 0 {
        return Ok(false);
    }
    let actor = Actor::system("seed-demo");
    for (name, kind) in [
        ("Staffordshire Police, Fire & Crime Panel", OrganisationKind::Panel),
        ("Staffordshire Commissioner's Office", OrganisationKind::Commissioner),
        ("Staffordshire Police", OrganisationKind::Force),
        ("Staffordshire Fire and Rescue Service", OrganisationKind::FireService),
        (
            "HM Inspectorate of Constabulary and Fire & Rescue Services",
            OrganisationKind::Inspectorate,
        ),
        ("Stoke-on-Trent City Council", OrganisationKind::Council),
    ] {
        let new = NewOrganisation {
            name: Name::parse("name", name).map_err(|e| anyhow::anyhow!(e.message))?,
            kind,
        };
        repo::organisations::insert(conn, &actor, &new).await?;
    }
    Ok(true)
}
