//! What holds for every list: a query parameter it cannot use (an unknown filter value,
//! a page size out of range, a cursor it never issued, a parameter it does not know) is a
//! 422 naming that parameter, never an empty or unfiltered page. The event feed and
//! search, which also check what they accept, have tests of their own in `routes/`.

use crate::helpers::{assert_queries_refused, spawn_app};

/// Each list, and the queries it must refuse with the parameter each names.
const REFUSED: &[(&str, &[(&str, &str)])] = &[
    (
        "/api/v1/organisations",
        &[
            ("limit=0", "limit"),
            ("limit=101", "limit"),
            ("limit=-1", "limit"),
            ("limit=ten", "limit"),
            ("kind=constabulary", "kind"),
            ("cursor=bm90LWEtY3Vyc29y", "cursor"),
            ("cursor=%27%20OR%201%3D1%20--", "cursor"),
            ("colour=blue", "colour"),
        ],
    ),
    (
        "/api/v1/reports",
        &[
            ("kind=hmic", "kind"),
            ("published_from=yesterday", "published_from"),
            ("published_to=20222-01-01", "published_to"),
            ("publisher_organisation_id=7", "publisher_organisation_id"),
            ("colour=blue", "colour"),
            ("limit=0", "limit"),
            ("cursor=bm9wZQ", "cursor"),
        ],
    ),
    (
        "/api/v1/meetings",
        &[
            ("kind=council_meeting", "kind"),
            ("held_from=16-06-2022", "held_from"),
            ("is_public=maybe", "is_public"),
            ("cursor=djE6MDE5MzdiNGUtNGY0YS03Y2M0LWEwYjUtNmMxZDJmM2U0YTVi", "cursor"),
        ],
    ),
    (
        "/api/v1/questions",
        &[
            ("status=pending", "status"),
            ("topic=Child%20Protection", "topic"),
            ("asker_kind=councillor", "asker_kind"),
            ("q=a%00b", "q"),
            ("asked_from=yesterday", "asked_from"),
            ("colour=blue", "colour"),
        ],
    ),
    (
        "/api/v1/actions",
        &[
            ("status=done", "status"),
            ("due_before=soon", "due_before"),
            ("due_after=99999-01-01", "due_after"),
            ("owner_organisation_id=police", "owner_organisation_id"),
            ("owner=x", "owner"),
            ("programme_id=CPIP-1", "programme_id"),
            ("programme_id=", "programme_id"),
            ("programme=Child%20Protection", "programme"),
        ],
    ),
    (
        "/api/v1/recommendations",
        &[
            ("status=done", "status"),
            ("kind=advice", "kind"),
            ("report_id=R1", "report_id"),
        ],
    ),
];

#[actix_web::test]
async fn every_list_answers_a_query_parameter_it_cannot_use_with_a_422_naming_it() {
    let app = spawn_app().await;
    for (list, queries) in REFUSED {
        assert_queries_refused(&app.anonymous(), list, queries).await;
    }
}
