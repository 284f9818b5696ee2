use crate::helpers::TestDb;

#[actix_web::test]
async fn migrations_revert_and_reapply_cleanly() {
    let db = TestDb::new().await;
    let reverted = scrutiny::db::revert_all(&db.url).await.unwrap();
    assert!(reverted >= 2, "every migration has a working down.sql");
    assert_eq!(
        db.count("SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'").await,
        0,
        "down migrations leave no tables behind"
    );
    let applied = scrutiny::db::migrate(&db.url).await.unwrap();
    assert_eq!(applied, reverted);
    assert_eq!(
        scrutiny::db::migrate(&db.url).await.unwrap(),
        0,
        "a second run applies nothing"
    );
}

#[actix_web::test]
async fn instances_starting_at_once_migrate_exactly_once() {
    let db = TestDb::new().await;
    scrutiny::db::revert_all(&db.url).await.unwrap();
    let (a, b, c) = tokio::join!(
        scrutiny::db::migrate(&db.url),
        scrutiny::db::migrate(&db.url),
        scrutiny::db::migrate(&db.url)
    );
    let applied = [a.unwrap(), b.unwrap(), c.unwrap()];
    assert_eq!(applied.iter().filter(|n| **n > 0).count(), 1, "{applied:?}");
}
