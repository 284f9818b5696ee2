//! The domain: typed ids, states and their transitions, validated text. No I/O here.
//!
//! Values are parsed once, at the edge, into types that cannot hold an invalid value
//! ("parse, don't validate"); everything behind the handlers works with those types.

pub mod action;
pub mod auth;
pub mod calendar;
pub mod derived_status;
pub mod follow;
pub mod meeting;
pub mod organisation;
pub mod pending_import;
pub mod programme;
pub mod progress;
pub mod question;
pub mod question_rules;
pub mod report;
pub mod subscription;
pub mod text;
pub mod version;
pub mod webhook;

/// A validation result for one field of a request.
pub type FieldResult<T> = Result<T, crate::error::FieldError>;

/// A valid set of changes to a resource, every field optional (`None` leaves a field as
/// it is): what a `PATCH` asks for once parsed.
pub trait Changes: Default + PartialEq {
    /// Whether it changes nothing: every field is `None`, as in the derived default. A
    /// write given no changes keeps the version and logs nothing.
    fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// A calendar date written strictly as ISO 8601 has it, `YYYY-MM-DD` (four-digit year,
/// two-digit month and day, nothing around them): what the API takes, so that
/// `2023-1-1`, ` 2023-01-01` or `+2023-01-01` are refused rather than guessed at. `None`
/// for anything else, or for a day that does not exist (`2023-02-30`).
pub fn parse_iso_date(text: &str) -> Option<chrono::NaiveDate> {
    let bytes = text.as_bytes();
    let shaped = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                *b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !shaped {
        return None;
    }
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

/// What the API says of a date it cannot take (see [`parse_iso_date`]).
pub const ISO_DATE_EXPECTED: &str =
    "must be a date written YYYY-MM-DD (four-digit year, two-digit month and day), such as 2022-06-16";

/// Checks that a date given by a client (a filter, say) is plausible: one rule for every
/// date in the API ([`calendar::PLAUSIBLE_YEARS`]), so PostgreSQL never sees a date it
/// cannot store and the OpenAPI document can state the range.
pub fn storable_date(field: &str, date: chrono::NaiveDate) -> FieldResult<chrono::NaiveDate> {
    calendar::plausible_date(field, date)
}

/// Declares a typed id: a UUIDv7 newtype that serialises as a plain UUID string and maps
/// to a PostgreSQL `uuid` column, so that an organisation's id can never be passed where
/// a question's is expected.
#[macro_export]
macro_rules! typed_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize, utoipa::ToSchema,
            diesel::expression::AsExpression, diesel::deserialize::FromSqlRow,
        )]
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        #[serde(transparent)]
        #[schema(value_type = String, format = Uuid, example = "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b")]
        pub struct $name(pub uuid::Uuid);

        impl $name {
            /// A new, time-ordered id.
            pub fn generate() -> Self {
                Self(uuid::Uuid::now_v7())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map(Self)
            }
        }

        impl diesel::serialize::ToSql<diesel::sql_types::Uuid, diesel::pg::Pg> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::pg::Pg>,
            ) -> diesel::serialize::Result {
                <uuid::Uuid as diesel::serialize::ToSql<diesel::sql_types::Uuid, diesel::pg::Pg>>::to_sql(&self.0, out)
            }
        }

        impl diesel::deserialize::FromSql<diesel::sql_types::Uuid, diesel::pg::Pg> for $name {
            fn from_sql(bytes: diesel::pg::PgValue<'_>) -> diesel::deserialize::Result<Self> {
                <uuid::Uuid as diesel::deserialize::FromSql<diesel::sql_types::Uuid, diesel::pg::Pg>>::from_sql(bytes).map(Self)
            }
        }
    };
}

/// Declares a closed set of named values (a kind or a state): serialised as its
/// snake_case name in JSON and stored as that same text in PostgreSQL, where a CHECK
/// constraint lists the same names.
#[macro_export]
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash,
            serde::Serialize, serde::Deserialize, utoipa::ToSchema,
            diesel::expression::AsExpression, diesel::deserialize::FromSqlRow,
        )]
        #[diesel(sql_type = diesel::sql_types::Text)]
        // utoipa reads the enum-level rename (it cannot see the per-variant literals
        // through the macro), so the two must agree: the tests check they do.
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The value's wire and database name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok(Self::$variant),)+
                    other => Err(format!(
                        "unknown value {other:?}; expected one of {}",
                        [$($text),+].join(", ")
                    )),
                }
            }
        }

        impl diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::pg::Pg>,
            ) -> diesel::serialize::Result {
                use std::io::Write;
                out.write_all(self.as_str().as_bytes())?;
                Ok(diesel::serialize::IsNull::No)
            }
        }

        impl diesel::deserialize::FromSql<diesel::sql_types::Text, diesel::pg::Pg> for $name {
            fn from_sql(bytes: diesel::pg::PgValue<'_>) -> diesel::deserialize::Result<Self> {
                let text = std::str::from_utf8(bytes.as_bytes())?;
                text.parse().map_err(Into::into)
            }
        }
    };
}

/// Runs several field validations and reports every failure at once, so that a client
/// fixes all its mistakes in one round trip rather than one per request.
pub trait CollectFields {
    type Output;
    fn collect_fields(self) -> Result<Self::Output, crate::error::ApiError>;
}

macro_rules! impl_collect_fields {
    ($($t:ident),+) => {
        impl<$($t),+> CollectFields for ($(FieldResult<$t>,)+) {
            type Output = ($($t,)+);
            #[allow(non_snake_case)]
            fn collect_fields(self) -> Result<Self::Output, crate::error::ApiError> {
                let ($($t,)+) = self;
                let mut errors = Vec::new();
                $(let $t = match $t { Ok(v) => Some(v), Err(e) => { errors.push(e); None } };)+
                if !errors.is_empty() {
                    return Err(crate::error::ApiError::validation(errors));
                }
                Ok(($($t.expect("checked above"),)+))
            }
        }
    };
}

impl_collect_fields!(A);
impl_collect_fields!(A, B);
impl_collect_fields!(A, B, C);
impl_collect_fields!(A, B, C, D);
impl_collect_fields!(A, B, C, D, E);
impl_collect_fields!(A, B, C, D, E, F);
impl_collect_fields!(A, B, C, D, E, F, G);
impl_collect_fields!(A, B, C, D, E, F, G, H);
impl_collect_fields!(A, B, C, D, E, F, G, H, I);
impl_collect_fields!(A, B, C, D, E, F, G, H, I, J);
