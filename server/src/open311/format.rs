//! The two formats of GeoReport v2, chosen by the resource's extension (`services.xml`,
//! `requests/ID.json`): XML, the required one, written by quick-xml from the documents' serde
//! shape; JSON, derived from the same value by the Spark convention the specification names
//! (the XML mapped programmatically: a wrapper element of repeated children becomes an array).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;

/// The format a resource is asked in: its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, utoipa::ToSchema)]
#[schema(as = open311::Format, rename_all = "lowercase")]
pub enum Format {
    Xml,
    Json,
}

impl Format {
    /// `name.xml` or `name.json` split into `(name, format)`; `None` for anything else.
    pub fn split(file: &str) -> Option<(&str, Self)> {
        let (name, extension) = file.rsplit_once('.')?;
        let format = match extension {
            "xml" => Self::Xml,
            "json" => Self::Json,
            _ => return None,
        };
        Some((name, format))
    }

    const fn content_type(self) -> &'static str {
        match self {
            Self::Xml => "text/xml; charset=utf-8",
            Self::Json => "application/json; charset=utf-8",
        }
    }

    /// `document` as the answer, with `root` as its XML root element.
    pub fn answer<T: Serialize>(self, status: StatusCode, root: &str, document: &T) -> Response {
        match self.write(root, document) {
            Ok(body) => (
                status,
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static(self.content_type()),
                )],
                body,
            )
                .into_response(),
            Err(error) => {
                tracing::error!(%error, "an Open311 document did not serialize");
                StatusCode::INTERNAL_SERVER_ERROR.into_response()
            }
        }
    }

    /// The document's text in this format.
    pub fn write<T: Serialize>(self, root: &str, document: &T) -> Result<String, String> {
        match self {
            Self::Xml => {
                let mut body = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
                let mut serializer = quick_xml::se::Serializer::with_root(&mut body, Some(root))
                    .map_err(|e| e.to_string())?;
                serializer.indent(' ', 2);
                document.serialize(serializer).map_err(|e| e.to_string())?;
                Ok(body)
            }
            Self::Json => {
                let value = serde_json::to_value(document).map_err(|e| e.to_string())?;
                serde_json::to_string(&spark(value)).map_err(|e| e.to_string())
            }
        }
    }
}

/// The Spark convention: an object whose only member is an array (the XML wrapper of repeated
/// elements, `{"service": [...]}`) is that array; everything else keeps its shape.
fn spark(value: Value) -> Value {
    match value {
        Value::Object(members) if members.len() == 1 && members.values().all(Value::is_array) => {
            members
                .into_iter()
                .next()
                .map_or(Value::Null, |(_, v)| spark(v))
        }
        Value::Object(members) => Value::Object(
            members
                .into_iter()
                .map(|(name, member)| (name, spark(member)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(spark).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::open311::documents::{Attribute, Attributes, ListValue, ServiceDefinition, Values};

    fn definition(options: Vec<ListValue>) -> ServiceDefinition {
        ServiceDefinition {
            service_code: "DMV66".into(),
            attributes: Attributes {
                attribute: vec![Attribute {
                    variable: true,
                    code: "WHISHETN".into(),
                    datatype: "singlevaluelist".into(),
                    required: true,
                    datatype_description: None,
                    order: 1,
                    description: "What is the ticket/tag/DL number?".into(),
                    values: Values { value: options },
                }],
            },
        }
    }

    #[test]
    fn json_follows_the_spark_convention_and_xml_keeps_the_wrappers() {
        let document = definition(vec![ListValue {
            key: "123".into(),
            name: "Ford".into(),
        }]);
        let json: Value =
            serde_json::from_str(&Format::Json.write("service_definition", &document).unwrap())
                .unwrap();
        assert_eq!(
            json,
            serde_json::json!({"service_code": "DMV66", "attributes": [{
                "variable": true, "code": "WHISHETN", "datatype": "singlevaluelist",
                "required": true, "datatype_description": null, "order": 1,
                "description": "What is the ticket/tag/DL number?",
                "values": [{"key": "123", "name": "Ford"}]}]})
        );
        let xml = Format::Xml.write("service_definition", &document).unwrap();
        assert!(
            xml.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<service_definition>")
        );
        assert!(xml.contains("<values>\n        <value>\n"), "{xml}");
        assert!(xml.contains("<datatype_description/>"), "{xml}");
        // An empty element reads back as an empty text, which writes the same.
        let back: ServiceDefinition = quick_xml::de::from_str(&xml).unwrap();
        assert_eq!(Format::Xml.write("service_definition", &back).unwrap(), xml);
    }

    #[test]
    fn an_empty_list_is_an_empty_array_and_an_empty_element() {
        let document = definition(Vec::new());
        let json = Format::Json.write("service_definition", &document).unwrap();
        assert!(json.contains("\"values\":[]"), "{json}");
        let xml = Format::Xml.write("service_definition", &document).unwrap();
        assert!(xml.contains("<values/>"), "{xml}");
        let back: ServiceDefinition = quick_xml::de::from_str(&xml).unwrap();
        assert_eq!(back.attributes.attribute[0].values.value, []);
    }

    #[test]
    fn only_xml_and_json_are_formats() {
        assert_eq!(
            Format::split("services.xml"),
            Some(("services", Format::Xml))
        );
        assert_eq!(Format::split("a.b.json"), Some(("a.b", Format::Json)));
        assert_eq!(Format::split("services.html"), None);
        assert_eq!(Format::split("services"), None);
    }
}
