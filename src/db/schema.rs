// @generated automatically by Diesel CLI.

diesel::table! {
    audit_events (id) {
        id -> Int8,
        occurred_at -> Timestamptz,
        actor_kind -> Text,
        actor_id -> Nullable<Text>,
        action -> Text,
        resource_type -> Text,
        resource_id -> Nullable<Uuid>,
        before -> Nullable<Jsonb>,
        after -> Nullable<Jsonb>,
        request_id -> Nullable<Text>,
    }
}

diesel::table! {
    organisations (id) {
        id -> Uuid,
        name -> Text,
        kind -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
        name_key -> Text,
    }
}

diesel::table! {
    api_clients (id) {
        id -> Uuid,
        name -> Text,
        client_id -> Text,
        secret_hash -> Text,
        roles -> Array<Text>,
        organisation_id -> Nullable<Uuid>,
        is_active -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
        credentials_generation -> Int4,
    }
}

diesel::table! {
    rate_limit_events (bucket, key, occurred_at) {
        bucket -> Text,
        key -> Text,
        occurred_at -> Timestamptz,
    }
}

diesel::table! {
    users (id) {
        id -> Uuid,
        username -> Text,
        display_name -> Text,
        password_hash -> Text,
        roles -> Array<Text>,
        organisation_id -> Nullable<Uuid>,
        is_active -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
        credentials_generation -> Int4,
    }
}

diesel::table! {
    action_recommendations (action_id, recommendation_id) {
        action_id -> Uuid,
        recommendation_id -> Uuid,
    }
}

diesel::table! {
    action_updates (id) {
        id -> Uuid,
        action_id -> Uuid,
        reported_on -> Date,
        author_name -> Text,
        author_position -> Text,
        body -> Text,
        progress_percent -> Nullable<Int4>,
        status -> Nullable<Text>,
        meeting_id -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    actions (id) {
        id -> Uuid,
        reference -> Text,
        title -> Text,
        description -> Text,
        owner_organisation_id -> Uuid,
        owner_post_title -> Text,
        success_measure -> Text,
        starts_on -> Date,
        due_on -> Date,
        status -> Text,
        progress_percent -> Int4,
        completed_on -> Nullable<Date>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
        programme_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    programmes (id) {
        id -> Uuid,
        name -> Text,
        description -> Nullable<Text>,
        owner_organisation_id -> Uuid,
        owner_post_title -> Text,
        progress_meeting_kind -> Nullable<Text>,
        status -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    programme_reports (programme_id, report_id) {
        programme_id -> Uuid,
        report_id -> Uuid,
    }
}

diesel::table! {
    /// `txid` (xid8) is not mapped: it is set by its default and read only by the
    /// sequencer's SQL.
    events (entry) {
        entry -> Int8,
        id -> Nullable<Int8>,
        event_type -> Text,
        resource_type -> Text,
        resource_id -> Uuid,
        occurred_at -> Timestamptz,
        public -> Bool,
        snapshot -> Jsonb,
        public_snapshot -> Nullable<Jsonb>,
    }
}

diesel::table! {
    idempotency_keys (scope, key) {
        scope -> Text,
        key -> Text,
        request_hash -> Text,
        response_status -> Nullable<Int4>,
        response_headers -> Nullable<Jsonb>,
        response_body -> Nullable<Bytea>,
        created_at -> Timestamptz,
        caller -> Text,
        claim_id -> Nullable<Uuid>,
        lease_expires_at -> Nullable<Timestamptz>,
        result_type -> Nullable<Text>,
        result_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    mail_feed (singleton) {
        singleton -> Bool,
        position -> Int8,
    }
}

diesel::table! {
    mail_outbox (id) {
        id -> Uuid,
        event_id -> Nullable<Int8>,
        kind -> Text,
        recipient -> Nullable<Text>,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        status -> Text,
        attempts -> Int4,
        next_attempt_at -> Timestamptz,
        leased_until -> Nullable<Timestamptz>,
        last_error -> Nullable<Text>,
        created_at -> Timestamptz,
        finished_at -> Nullable<Timestamptz>,
        subscription_id -> Nullable<Uuid>,
        event_key -> Nullable<Text>,
        list_unsubscribe -> Nullable<Text>,
    }
}

diesel::table! {
    moderngov_sync_state (sync_key) {
        sync_key -> Text,
        next_run_at -> Timestamptz,
        leased_until -> Nullable<Timestamptz>,
        leased_by -> Nullable<Text>,
        last_started_at -> Nullable<Timestamptz>,
        last_finished_at -> Nullable<Timestamptz>,
        last_outcome -> Nullable<Text>,
        last_error -> Nullable<Text>,
    }
}

diesel::table! {
    pending_imports (id) {
        id -> Uuid,
        meeting_id -> Uuid,
        origin -> Text,
        source_name -> Text,
        moderngov_url -> Nullable<Text>,
        moderngov_meeting_id -> Nullable<Int8>,
        agenda_item_id -> Nullable<Int8>,
        agenda_item_title -> Text,
        document -> Text,
        document_hash -> Text,
        report -> Jsonb,
        status -> Text,
        created_at -> Timestamptz,
        decided_at -> Nullable<Timestamptz>,
        decided_by -> Nullable<Text>,
        result -> Nullable<Jsonb>,
    }
}

diesel::table! {
    meetings (id) {
        id -> Uuid,
        organisation_id -> Uuid,
        kind -> Text,
        title -> Text,
        held_on -> Date,
        is_public -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
        question_deadline -> Nullable<Timestamptz>,
        cancelled -> Bool,
        moderngov_url -> Nullable<Text>,
        moderngov_meeting_id -> Nullable<Int8>,
    }
}

diesel::table! {
    question_recommendations (question_id, recommendation_id) {
        question_id -> Uuid,
        recommendation_id -> Uuid,
    }
}

diesel::table! {
    question_follow_tokens (id) {
        id -> Uuid,
        question_id -> Uuid,
        token_hash -> Text,
        created_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    question_rules (organisation_id) {
        organisation_id -> Uuid,
        deadline_clear_working_days -> Int4,
        deadline_time -> Nullable<Time>,
        max_words -> Nullable<Int4>,
        max_questions_per_questioner_per_meeting -> Nullable<Int4>,
        addressees -> Array<Text>,
        supplementary_questions -> Bool,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    question_reference_counters (year) {
        year -> Int4,
        last_value -> Int4,
    }
}

diesel::table! {
    questions (id) {
        id -> Uuid,
        reference -> Text,
        status -> Text,
        asker_kind -> Text,
        asker_display_name -> Text,
        asker_contact -> Nullable<Jsonb>,
        asker_user_id -> Nullable<Uuid>,
        title -> Text,
        body -> Text,
        topics -> Array<Text>,
        asked_on -> Date,
        meeting_id -> Nullable<Uuid>,
        parent_question_id -> Nullable<Uuid>,
        rejection_reason -> Nullable<Text>,
        published_at -> Nullable<Timestamptz>,
        source_name -> Nullable<Text>,
        source_hash -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
        addressed_to -> Text,
        rejection_reason_code -> Nullable<Text>,
        referred_to_organisation_id -> Nullable<Uuid>,
        referral_reason_code -> Nullable<Text>,
        referral_reason -> Nullable<Text>,
        referred_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    recommendations (id) {
        id -> Uuid,
        report_id -> Uuid,
        reference -> Text,
        kind -> Text,
        text -> Text,
        addressed_to_organisation_id -> Uuid,
        due_on -> Nullable<Date>,
        status -> Text,
        status_reason -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    reports (id) {
        id -> Uuid,
        title -> Text,
        kind -> Text,
        publisher_organisation_id -> Uuid,
        subject_organisation_id -> Uuid,
        published_on -> Date,
        url -> Nullable<Text>,
        summary -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    response_actions (response_id, action_id) {
        response_id -> Uuid,
        action_id -> Uuid,
    }
}

diesel::table! {
    response_recommendations (response_id, recommendation_id) {
        response_id -> Uuid,
        recommendation_id -> Uuid,
    }
}

diesel::table! {
    response_versions (response_id, version) {
        response_id -> Uuid,
        version -> Int4,
        kind -> Text,
        body -> Text,
        author_name -> Text,
        author_position -> Text,
        responded_on -> Date,
        correction_note -> Nullable<Text>,
        was_published -> Bool,
        recorded_by -> Nullable<Text>,
        recorded_at -> Timestamptz,
    }
}

diesel::table! {
    responses (id) {
        id -> Uuid,
        question_id -> Uuid,
        kind -> Text,
        status -> Text,
        body -> Text,
        author_name -> Text,
        author_position -> Text,
        responded_on -> Date,
        published_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
        meeting_id -> Nullable<Uuid>,
        follow_up_due_on -> Nullable<Date>,
        follows_up_response_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    webhook_attempts (id) {
        id -> Int8,
        delivery_id -> Uuid,
        attempted_at -> Timestamptz,
        status_code -> Nullable<Int4>,
        error -> Nullable<Text>,
        duration_ms -> Int4,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Uuid,
        webhook_id -> Uuid,
        event_id -> Int8,
        event_type -> Text,
        payload -> Jsonb,
        status -> Text,
        attempts -> Int4,
        next_attempt_at -> Timestamptz,
        retry_from -> Timestamptz,
        leased_until -> Nullable<Timestamptz>,
        last_status_code -> Nullable<Int4>,
        last_error -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    webhooks (id) {
        id -> Uuid,
        url -> Text,
        description -> Nullable<Text>,
        event_types -> Array<Text>,
        is_active -> Bool,
        secret -> Text,
        view -> Text,
        owner -> Text,
        feed_position -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    subscriptions (id) {
        id -> Uuid,
        email -> Text,
        email_hash -> Text,
        resource_type -> Text,
        resource_id -> Uuid,
        digest -> Text,
        confirm_token_hash -> Nullable<Text>,
        confirmed_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        last_digest_on -> Nullable<Date>,
    }
}

diesel::table! {
    subscription_unsubscribe_tokens (token_hash) {
        token_hash -> Text,
        subscription_id -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    subscription_digest_items (subscription_id, event_key) {
        subscription_id -> Uuid,
        event_key -> Text,
        line -> Text,
        noted_at -> Timestamptz,
    }
}

diesel::table! {
    action_overdue_notices (action_id, due_on) {
        action_id -> Uuid,
        due_on -> Date,
        noticed_at -> Timestamptz,
    }
}

diesel::joinable!(action_overdue_notices -> actions (action_id));
diesel::joinable!(action_recommendations -> actions (action_id));
diesel::joinable!(action_recommendations -> recommendations (recommendation_id));
diesel::joinable!(action_updates -> actions (action_id));
diesel::joinable!(action_updates -> meetings (meeting_id));
diesel::joinable!(subscription_digest_items -> subscriptions (subscription_id));
diesel::joinable!(subscription_unsubscribe_tokens -> subscriptions (subscription_id));
diesel::joinable!(actions -> organisations (owner_organisation_id));
diesel::joinable!(actions -> programmes (programme_id));
diesel::joinable!(api_clients -> organisations (organisation_id));
diesel::joinable!(meetings -> organisations (organisation_id));
diesel::joinable!(pending_imports -> meetings (meeting_id));
diesel::joinable!(programme_reports -> programmes (programme_id));
diesel::joinable!(programme_reports -> reports (report_id));
diesel::joinable!(programmes -> organisations (owner_organisation_id));
diesel::joinable!(question_follow_tokens -> questions (question_id));
diesel::joinable!(question_recommendations -> questions (question_id));
diesel::joinable!(question_recommendations -> recommendations (recommendation_id));
diesel::joinable!(question_rules -> organisations (organisation_id));
diesel::joinable!(questions -> meetings (meeting_id));
diesel::joinable!(questions -> users (asker_user_id));
diesel::joinable!(recommendations -> organisations (addressed_to_organisation_id));
diesel::joinable!(recommendations -> reports (report_id));
diesel::joinable!(response_actions -> actions (action_id));
diesel::joinable!(response_actions -> responses (response_id));
diesel::joinable!(response_recommendations -> recommendations (recommendation_id));
diesel::joinable!(response_recommendations -> responses (response_id));
diesel::joinable!(response_versions -> responses (response_id));
diesel::joinable!(responses -> meetings (meeting_id));
diesel::joinable!(responses -> questions (question_id));
diesel::joinable!(users -> organisations (organisation_id));
diesel::joinable!(webhook_attempts -> webhook_deliveries (delivery_id));
diesel::joinable!(webhook_deliveries -> webhooks (webhook_id));

diesel::allow_tables_to_appear_in_same_query!(
    mail_feed,
    mail_outbox,
    subscriptions,
    subscription_unsubscribe_tokens,
    subscription_digest_items,
    action_overdue_notices,
    programme_reports,
    programmes,
    action_recommendations,
    action_updates,
    actions,
    api_clients,
    audit_events,
    events,
    idempotency_keys,
    meetings,
    moderngov_sync_state,
    organisations,
    pending_imports,
    question_follow_tokens,
    question_recommendations,
    question_reference_counters,
    question_rules,
    questions,
    rate_limit_events,
    recommendations,
    reports,
    response_actions,
    response_recommendations,
    response_versions,
    responses,
    users,
    webhook_attempts,
    webhook_deliveries,
    webhooks,
);
