//! Every string a request carries, checked and normalised on its way into a request
//! type, whatever the type and however deep the string: [`Cleaning`] wraps a serde
//! deserializer (JSON, a query string, a form) and passes each string it yields
//! through [`crate::domain::text`]'s one rule: a character no text may hold (NUL, a
//! control character, a noncharacter such as U+FFFF) is an error at that string, so
//! `serde_path_to_error` names the field (`title`, `asker_contact.email`,
//! `owner.post_title`); any other string reaches the type in NFC.
//!
//! Doing it here, in the one reader of bodies and query strings, means a new request
//! type or field cannot forget it; the domain's text types apply the same rule again
//! for text that comes in another way (imports, the command line).

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, Visitor};

use crate::domain::text::{nfc, refusal};

/// A deserializer whose strings are checked and normalised (see the module's doc).
pub struct Cleaning<D>(pub D);

struct CleaningVisitor<V>(V);

struct CleaningSeed<S>(S);

struct CleaningAccess<A>(A);

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for CleaningSeed<S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        self.0.deserialize(Cleaning(deserializer))
    }
}

macro_rules! forward_deserialize {
    ($($method:ident),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
            self.0.$method(CleaningVisitor(visitor))
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Cleaning<D> {
    type Error = D::Error;

    forward_deserialize!(
        deserialize_any,
        deserialize_bool,
        deserialize_i8,
        deserialize_i16,
        deserialize_i32,
        deserialize_i64,
        deserialize_i128,
        deserialize_u8,
        deserialize_u16,
        deserialize_u32,
        deserialize_u64,
        deserialize_u128,
        deserialize_f32,
        deserialize_f64,
        deserialize_char,
        deserialize_str,
        deserialize_string,
        deserialize_bytes,
        deserialize_byte_buf,
        deserialize_option,
        deserialize_unit,
        deserialize_seq,
        deserialize_map,
        deserialize_identifier,
        deserialize_ignored_any,
    );

    fn deserialize_unit_struct<V: Visitor<'de>>(self, name: &'static str, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_unit_struct(name, CleaningVisitor(visitor))
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, name: &'static str, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_newtype_struct(name, CleaningVisitor(visitor))
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple(len, CleaningVisitor(visitor))
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple_struct(name, len, CleaningVisitor(visitor))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_struct(name, fields, CleaningVisitor(visitor))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_enum(name, variants, CleaningVisitor(visitor))
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

/// The string `v` as the rule lets it through: an error naming no field (the path
/// around it says which), or the text in NFC, borrowed when it already is.
fn checked<E: de::Error>(v: &str) -> Result<std::borrow::Cow<'_, str>, E> {
    match refusal(v) {
        Some(message) => Err(E::custom(message)),
        None => Ok(nfc(v)),
    }
}

macro_rules! forward_visit {
    ($($method:ident($ty:ty)),* $(,)?) => {$(
        fn $method<E: de::Error>(self, v: $ty) -> Result<Self::Value, E> {
            self.0.$method(v)
        }
    )*};
}

/// What chrono's `NaiveDate` visitor says it expects: how [`CleaningVisitor`] knows
/// that a string is on its way to a date (a test below pins it, should chrono reword it).
const DATE_EXPECTED: &str = "a formatted date string";

/// An error at this string unless `visitor` does not take a date, or `v` is a date
/// written strictly `YYYY-MM-DD` ([`crate::domain::parse_iso_date`]): chrono on its own
/// takes `2023-1-1` and ` 2023 -01-01`. Done here, like the text rule, so that no date
/// in any body or query string can miss it.
fn strict_date<'de, E: de::Error, V: Visitor<'de>>(visitor: &V, v: &str) -> Result<(), E> {
    struct Expecting<'a, V>(&'a V);
    impl<'de, V: Visitor<'de>> fmt::Display for Expecting<'_, V> {
        fn fmt(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
            self.0.expecting(formatter)
        }
    }
    if v.len() == 10 && crate::domain::parse_iso_date(v).is_some() {
        return Ok(());
    }
    if Expecting(visitor).to_string() == DATE_EXPECTED {
        return Err(E::custom(crate::domain::ISO_DATE_EXPECTED));
    }
    Ok(())
}

impl<'de, V: Visitor<'de>> Visitor<'de> for CleaningVisitor<V> {
    type Value = V::Value;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        self.0.expecting(formatter)
    }

    forward_visit!(
        visit_bool(bool),
        visit_i8(i8),
        visit_i16(i16),
        visit_i32(i32),
        visit_i64(i64),
        visit_i128(i128),
        visit_u8(u8),
        visit_u16(u16),
        visit_u32(u32),
        visit_u64(u64),
        visit_u128(u128),
        visit_f32(f32),
        visit_f64(f64),
        visit_bytes(&[u8]),
        visit_byte_buf(Vec<u8>),
    );

    fn visit_borrowed_bytes<E: de::Error>(self, v: &'de [u8]) -> Result<Self::Value, E> {
        self.0.visit_borrowed_bytes(v)
    }

    fn visit_char<E: de::Error>(self, v: char) -> Result<Self::Value, E> {
        let mut buffer = [0; 4];
        match checked::<E>(v.encode_utf8(&mut buffer))? {
            std::borrow::Cow::Borrowed(_) => self.0.visit_char(v),
            std::borrow::Cow::Owned(normalised) => self.0.visit_string(normalised),
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        strict_date::<E, V>(&self.0, v)?;
        match checked::<E>(v)? {
            std::borrow::Cow::Borrowed(v) => self.0.visit_str(v),
            std::borrow::Cow::Owned(normalised) => self.0.visit_string(normalised),
        }
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        strict_date::<E, V>(&self.0, v)?;
        match checked::<E>(v)? {
            std::borrow::Cow::Borrowed(_) => self.0.visit_borrowed_str(v),
            std::borrow::Cow::Owned(normalised) => self.0.visit_string(normalised),
        }
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        strict_date::<E, V>(&self.0, &v)?;
        let normalised = checked::<E>(&v)?.into_owned();
        self.0.visit_string(normalised)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        self.0.visit_none()
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        self.0.visit_some(Cleaning(deserializer))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        self.0.visit_unit()
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        self.0.visit_newtype_struct(Cleaning(deserializer))
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        self.0.visit_seq(CleaningAccess(seq))
    }

    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        self.0.visit_map(CleaningAccess(map))
    }

    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<Self::Value, A::Error> {
        self.0.visit_enum(CleaningAccess(data))
    }
}

impl<'de, A: de::SeqAccess<'de>> de::SeqAccess<'de> for CleaningAccess<A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, A::Error> {
        self.0.next_element_seed(CleaningSeed(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

impl<'de, A: de::MapAccess<'de>> de::MapAccess<'de> for CleaningAccess<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, A::Error> {
        self.0.next_key_seed(CleaningSeed(seed))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        self.0.next_value_seed(CleaningSeed(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

impl<'de, A: de::EnumAccess<'de>> de::EnumAccess<'de> for CleaningAccess<A> {
    type Error = A::Error;
    type Variant = CleaningAccess<A::Variant>;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self::Variant), A::Error> {
        let (value, variant) = self.0.variant_seed(CleaningSeed(seed))?;
        Ok((value, CleaningAccess(variant)))
    }
}

impl<'de, A: de::VariantAccess<'de>> de::VariantAccess<'de> for CleaningAccess<A> {
    type Error = A::Error;

    fn unit_variant(self) -> Result<(), A::Error> {
        self.0.unit_variant()
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, A::Error> {
        self.0.newtype_variant_seed(CleaningSeed(seed))
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, A::Error> {
        self.0.tuple_variant(len, CleaningVisitor(visitor))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        self.0.struct_variant(fields, CleaningVisitor(visitor))
    }
}

/// Deserialises `T` from `deserializer` with every string cleaned, naming the field of
/// the first failure as [`serde_path_to_error`] does.
pub fn deserialize<'de, D, T>(deserializer: D) -> Result<T, serde_path_to_error::Error<D::Error>>
where
    D: Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    serde_path_to_error::deserialize(Cleaning(deserializer))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[derive(Debug, serde::Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Outer {
        name: String,
        inner: Option<Inner>,
        #[serde(default)]
        list: Vec<String>,
        #[serde(default)]
        map: BTreeMap<String, serde_json::Value>,
    }

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Inner {
        title: String,
    }

    fn json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, (String, String)> {
        let mut de = serde_json::Deserializer::from_str(text);
        deserialize(&mut de).map_err(|e| (e.path().to_string(), e.into_inner().to_string()))
    }

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Dated {
        on: chrono::NaiveDate,
        #[serde(default)]
        due: Option<chrono::NaiveDate>,
        #[serde(default)]
        note: Option<String>,
    }

    #[test]
    fn a_date_anywhere_is_written_strictly_yyyy_mm_dd() {
        // chrono alone guesses at loose dates: the reason for the rule.
        assert!(serde_json::from_str::<Dated>(r#"{"on":"2023-1-1"}"#).is_ok());
        let ok: Dated = json(r#"{"on":"2023-01-01","due":"2024-02-29","note":"2023-1-1"}"#).unwrap();
        assert_eq!(ok.on, chrono::NaiveDate::from_ymd_opt(2023, 1, 1).unwrap());
        assert_eq!(
            ok.note.as_deref(),
            Some("2023-1-1"),
            "text that is not a date is left alone"
        );
        for (text, path) in [
            (r#"{"on":"2023-1-1"}"#, "on"),
            (r#"{"on":"2023-01-1"}"#, "on"),
            (r#"{"on":" 2023-01-01"}"#, "on"),
            (r#"{"on":"2023 -01-01"}"#, "on"),
            (r#"{"on":"+2023-01-01"}"#, "on"),
            (r#"{"on":"2023-01-01","due":"2023-2-01"}"#, "due"),
            (r#"{"on":"20230101"}"#, "on"),
        ] {
            let (at, message) = json::<Dated>(text).unwrap_err();
            assert_eq!(at, path, "{text}");
            assert!(message.contains("YYYY-MM-DD"), "{text}: {message}");
        }
        assert!(json::<Dated>(r#"{"on":"2023-02-30"}"#).is_err());
        assert_eq!(crate::domain::parse_iso_date("2023-1-1"), None);
    }

    #[test]
    fn a_noncharacter_anywhere_is_refused_at_its_path() {
        for (text, path) in [
            (r#"{"name":"a\uffff"}"#, "name"),
            ("{\"name\":\"a\u{FFFE}\"}", "name"),
            (r#"{"name":"a","inner":{"title":"\ufdd0"}}"#, "inner.title"),
            (r#"{"name":"a","list":["ok","\ud83f\udfff"]}"#, "list[1]"),
            (r#"{"name":"a","map":{"k":{"deep":["\u0000"]}}}"#, "map.k"),
        ] {
            let (at, message) = json::<Outer>(text).unwrap_err();
            assert!(at.starts_with(path), "{text}: {at}");
            assert!(message.starts_with("must not contain"), "{message}");
        }
    }

    #[test]
    fn every_string_arrives_in_nfc() {
        let outer: Outer = json(
            r#"{"name":"Mo\u0302n","inner":{"title":"Mo\u0302n"},"list":["Mo\u0302n"],"map":{"Mo\u0302n":"Mo\u0302n"}}"#,
        )
        .unwrap();
        assert_eq!(outer.name, "M\u{F4}n");
        assert_eq!(outer.inner.unwrap().title, "M\u{F4}n");
        assert_eq!(outer.list, ["M\u{F4}n"]);
        assert_eq!(outer.map["M\u{F4}n"], "M\u{F4}n");
    }

    #[test]
    fn query_strings_are_cleaned_too() {
        #[derive(Debug, serde::Deserialize)]
        struct Query {
            q: String,
            limit: Option<u32>,
        }
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(b"q=Mo%CC%82n&limit=5"));
        let query: Query = deserialize(de).unwrap();
        assert_eq!((query.q.as_str(), query.limit), ("M\u{F4}n", Some(5)));
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(b"q=%EF%BF%BF"));
        assert_eq!(deserialize::<_, Query>(de).unwrap_err().path().to_string(), "q");
    }
}
