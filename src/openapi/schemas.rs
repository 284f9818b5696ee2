//! What the document says about values: the text rules of `domain::text` on strings and
//! query parameters, free-form objects marked open, and optional query filters left
//! without an example.

use super::conventions::operations_mut;

/// The text rules of `domain::text` (not blank, no control characters), stated once for
/// every bounded string property of every request schema.
pub(super) fn document_text_rules(spec: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::schema::KnownFormat;
    const NO_CONTROL_CHARACTERS: &str = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$";
    const TOPIC: &str = "^[a-z0-9]+(-[a-z0-9]+)*$";
    const URL: &str = "^[Hh][Tt][Tt][Pp][Ss]?://[^\\s/?#@]+[^\\s@]*$";
    // `domain::calendar::PLAUSIBLE_YEARS`: 1900 to 2199.
    const PLAUSIBLE_DATE: &str = "^(19|20|21)[0-9]{2}-[0-9]{2}-[0-9]{2}$";
    use utoipa::openapi::schema::{Schema, SchemaFormat};
    use utoipa::openapi::RefOr;
    const VISIBLE_TEXT: &str = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*\\S[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$";
    // Query parameters: text must be free of NUL (PostgreSQL cannot hold it).
    for item in spec.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.post,
            &mut item.patch,
            &mut item.put,
            &mut item.delete,
        ];
        for operation in operations.into_iter().flatten() {
            for parameter in operation.parameters.iter_mut().flatten() {
                let utoipa::openapi::RefOr::T(parameter) = parameter else {
                    continue;
                };
                if parameter.parameter_in != utoipa::openapi::path::ParameterIn::Query {
                    continue;
                }
                let Some(RefOr::T(Schema::Object(field))) = parameter.schema.as_mut() else {
                    continue;
                };
                let is_text = matches!(
                    &field.schema_type,
                    utoipa::openapi::schema::SchemaType::Type(utoipa::openapi::Type::String)
                ) && field.format.is_none()
                    && field.enum_values.is_none()
                    && field.pattern.is_none();
                if is_text && parameter.name == "cursor" {
                    field.pattern = Some(crate::pagination::CURSOR_PATTERN.to_string());
                } else if is_text && parameter.name == "topic" {
                    field.pattern = Some(TOPIC.to_string());
                    field.max_length = Some(50);
                } else if is_text {
                    field.pattern = Some(NO_CONTROL_CHARACTERS.to_string());
                }
                if matches!(&field.format, Some(SchemaFormat::KnownFormat(KnownFormat::Date))) {
                    field.pattern = Some(PLAUSIBLE_DATE.to_string());
                }
            }
        }
    }
    let Some(components) = spec.components.as_mut() else {
        return;
    };
    // Request bodies (the schemas that refuse unknown fields): every free-text field is
    // validated as `domain::text::BoundedText`, so say so.
    use utoipa::openapi::schema::{AdditionalProperties, SchemaType};
    use utoipa::openapi::Type;
    for schema in components.schemas.values_mut() {
        let RefOr::T(Schema::Object(object)) = schema else {
            continue;
        };
        let is_request = matches!(
            object.additional_properties.as_deref(),
            Some(AdditionalProperties::FreeForm(false))
        );
        for property in object.properties.values_mut() {
            let RefOr::T(Schema::Object(field)) = property else {
                continue;
            };
            let is_string = match &field.schema_type {
                SchemaType::Type(Type::String) => true,
                SchemaType::Array(types) => types.contains(&Type::String),
                _ => false,
            };
            let is_plain_text = is_string
                && (is_request || field.min_length.is_some())
                && field.pattern.is_none()
                && field.enum_values.is_none()
                && !matches!(field.format, Some(SchemaFormat::KnownFormat(_)))
                && field.format.is_none();
            if is_plain_text {
                field.pattern = Some(VISIBLE_TEXT.to_string());
                field.min_length = Some(field.min_length.unwrap_or(1).max(1));
            }
            if is_request && matches!(&field.format, Some(SchemaFormat::KnownFormat(KnownFormat::Date))) {
                field.pattern = Some(PLAUSIBLE_DATE.to_string());
            }
        }
        if is_request {
            if let Some(RefOr::T(Schema::Object(url))) = object.properties.get_mut("url") {
                url.pattern = Some(URL.to_string());
            }
            if let Some(RefOr::T(Schema::Array(topics))) = object.properties.get_mut("topics") {
                if let utoipa::openapi::schema::ArrayItems::RefOrSchema(item) = &mut topics.items {
                    if let RefOr::T(Schema::Object(item)) = item.as_mut() {
                        item.pattern = Some(TOPIC.to_string());
                        item.max_length = Some(50);
                    }
                }
            }
        }
    }
}

/// Every object schema without declared properties (`Event.snapshot`,
/// `Delivery.payload`) is free-form: say so with `additionalProperties: true`, or some
/// generators type it as an object that may hold nothing (`Record<string, never>`).
pub(super) fn open_free_form_objects(spec: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::schema::{AdditionalProperties, ArrayItems, Schema, SchemaType};
    use utoipa::openapi::{RefOr, Type};
    fn open(schema: &mut RefOr<Schema>) {
        let RefOr::T(schema) = schema else {
            return;
        };
        match schema {
            Schema::Object(object) => {
                let is_object = match &object.schema_type {
                    SchemaType::Type(kind) => *kind == Type::Object,
                    SchemaType::Array(kinds) => kinds.contains(&Type::Object),
                    SchemaType::AnyValue => false,
                };
                if is_object && object.properties.is_empty() && object.additional_properties.is_none() {
                    object.additional_properties = Some(Box::new(AdditionalProperties::FreeForm(true)));
                }
                object.properties.values_mut().for_each(open);
                if let Some(AdditionalProperties::RefOr(inner)) = object.additional_properties.as_deref_mut() {
                    open(inner);
                }
            }
            Schema::Array(array) => {
                if let ArrayItems::RefOrSchema(items) = &mut array.items {
                    open(items);
                }
            }
            Schema::OneOf(one_of) => one_of.items.iter_mut().for_each(open),
            Schema::AllOf(all_of) => all_of.items.iter_mut().for_each(open),
            Schema::AnyOf(any_of) => any_of.items.iter_mut().for_each(open),
            _ => {}
        }
    }
    if let Some(components) = spec.components.as_mut() {
        components.schemas.values_mut().for_each(open);
    }
    for (_, _, operation) in operations_mut(spec) {
        for parameter in operation.parameters.iter_mut().flatten() {
            if let RefOr::T(parameter) = parameter {
                parameter.schema.iter_mut().for_each(open);
            }
        }
        for response in operation.responses.responses.values_mut() {
            if let RefOr::T(response) = response {
                for content in response.content.values_mut() {
                    if let RefOr::T(content) = content {
                        content.schema.iter_mut().for_each(open);
                    }
                }
            }
        }
        if let Some(RefOr::T(body)) = operation.request_body.as_mut() {
            for content in body.content.values_mut() {
                if let RefOr::T(content) = content {
                    content.schema.iter_mut().for_each(open);
                }
            }
        }
    }
}

/// Swagger UI fills a parameter's field with its example on "Try it out": an optional
/// filter with an example (a made-up meeting id) would filter the demo data away and
/// answer an empty list. So no optional query parameter carries one, its own or its
/// schema's: a referenced schema with an example is written out in place without it.
pub(super) fn unfill_optional_query_filters(spec: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::ParameterIn;
    use utoipa::openapi::schema::Schema;
    use utoipa::openapi::{RefOr, Required};
    let schemas = spec
        .components
        .as_ref()
        .map(|components| components.schemas.clone())
        .unwrap_or_default();
    for (_, _, operation) in operations_mut(spec) {
        for parameter in operation.parameters.iter_mut().flatten() {
            let RefOr::T(parameter) = parameter else {
                continue;
            };
            if parameter.parameter_in != ParameterIn::Query || parameter.required == Required::True {
                continue;
            }
            // The parameter's own example is private to utoipa: drop it by a round trip.
            if let Ok(mut value) = serde_json::to_value(&*parameter) {
                if let Some(object) = value.as_object_mut() {
                    let had_example = object.remove("example").is_some() | object.remove("examples").is_some();
                    if had_example {
                        if let Ok(plain) = serde_json::from_value(value) {
                            *parameter = plain;
                        }
                    }
                }
            }
            let Some(schema) = parameter.schema.as_mut() else {
                continue;
            };
            if let RefOr::Ref(reference) = schema {
                let name = reference.ref_location.rsplit('/').next().unwrap_or_default();
                if let Some(RefOr::T(Schema::Object(object))) = schemas.get(name) {
                    if !object.examples.is_empty() || has_example(object) {
                        *schema = RefOr::T(Schema::Object(object.clone()));
                    }
                }
            }
            if let RefOr::T(Schema::Object(object)) = schema {
                #[allow(deprecated)]
                {
                    object.example = None;
                }
                object.examples.clear();
            }
        }
    }
}

#[allow(deprecated)]
fn has_example(object: &utoipa::openapi::schema::Object) -> bool {
    object.example.is_some()
}
