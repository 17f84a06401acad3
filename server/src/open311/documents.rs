//! The documents of GeoReport v2, field for field as the specification writes them, in their
//! XML shape: a list is a wrapper element holding repeated children (`<services><service>`).
//! The JSON form is derived from the same values by the Spark convention (see `format`), so
//! each document is written once. Every field of the specification is present (an absent
//! value is an empty element in XML, `null` in JSON), and nothing else: the documents refuse
//! unknown fields when read, which is how the tests check them against the specification's own
//! examples. The documents that are JSON objects derive their OpenAPI schemas here, their
//! wrapper fields described as the arrays the Spark convention makes of them (the wrappers
//! themselves are never JSON objects, so they have no schema).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `discovery.{format}`: where the endpoints are and what they speak.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = open311::Discovery)]
pub struct Discovery {
    pub changeset: String,
    pub contact: String,
    pub key_service: String,
    #[schema(value_type = Vec<Endpoint>)]
    pub endpoints: Endpoints,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Endpoints {
    pub endpoint: Vec<Endpoint>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = open311::Endpoint)]
pub struct Endpoint {
    pub specification: String,
    pub url: String,
    pub changeset: String,
    /// `production` or `test`.
    #[serde(rename = "type")]
    pub kind: String,
    #[schema(value_type = Vec<String>)]
    pub formats: Formats,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Formats {
    pub format: Vec<String>,
}

/// `services.{format}`: the request types (a town's categories).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Services {
    #[serde(default)]
    pub service: Vec<Service>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = open311::Service)]
pub struct Service {
    pub service_code: String,
    pub service_name: String,
    pub description: Option<String>,
    /// Whether the type has attributes (a service definition to read).
    pub metadata: bool,
    /// `realtime`, `batch` or `blackbox`.
    #[serde(rename = "type")]
    pub kind: String,
    pub keywords: Option<String>,
    pub group: Option<String>,
}

/// `services/{service_code}.{format}`: a request type's attributes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = open311::ServiceDefinition)]
pub struct ServiceDefinition {
    pub service_code: String,
    #[schema(value_type = Vec<Attribute>)]
    pub attributes: Attributes,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attributes {
    #[serde(default)]
    pub attribute: Vec<Attribute>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = open311::Attribute)]
pub struct Attribute {
    /// `false`: shown to the user, not asked.
    pub variable: bool,
    pub code: String,
    /// `string`, `number`, `datetime`, `text`, `singlevaluelist` or `multivaluelist`.
    pub datatype: String,
    pub required: bool,
    pub datatype_description: Option<String>,
    /// From 1.
    pub order: u32,
    pub description: String,
    #[schema(value_type = Vec<ListValue>)]
    pub values: Values,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Values {
    #[serde(default)]
    pub value: Vec<ListValue>,
}

/// An option of a list attribute (a `<value>`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = open311::ListValue)]
pub struct ListValue {
    pub key: String,
    pub name: String,
}

/// `<service_requests>`: the answer of `GET requests`, `GET requests/{id}`, `POST requests` and
/// `GET tokens/{token}`, each with its own kind of `request`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceRequests<R> {
    #[serde(default = "Vec::new")]
    pub request: Vec<R>,
}

/// A request as `GET requests` describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = open311::Request)]
pub struct Request {
    pub service_request_id: String,
    /// `open` or `closed`.
    pub status: String,
    pub status_notes: Option<String>,
    pub service_name: Option<String>,
    pub service_code: String,
    pub description: Option<String>,
    pub agency_responsible: Option<String>,
    pub service_notice: Option<String>,
    pub requested_datetime: String,
    pub updated_datetime: Option<String>,
    pub expected_datetime: Option<String>,
    pub address: Option<String>,
    pub address_id: Option<String>,
    pub zipcode: Option<String>,
    pub lat: f64,
    pub long: f64,
    pub media_url: Option<String>,
}

/// What `POST requests` answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = open311::Created)]
pub struct Created {
    pub service_request_id: String,
    pub service_notice: Option<String>,
    pub account_id: Option<String>,
}

/// What `GET tokens/{token}` answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = open311::Token)]
pub struct Token {
    pub service_request_id: String,
    pub token: String,
}

/// `<service_requests_updates>`: FixMyStreet's `servicerequestupdates` extension.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Updates {
    #[serde(default)]
    pub request_update: Vec<Update>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = open311::Update)]
pub struct Update {
    pub update_id: String,
    pub service_request_id: String,
    /// One of the extension's statuses (`investigating`, `action_scheduled`, `fixed`...).
    pub status: String,
    pub updated_datetime: String,
    pub description: Option<String>,
    pub media_url: Option<String>,
}

/// `<errors>`: every refusal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Errors {
    pub error: Vec<Error>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = open311::Error)]
pub struct Error {
    /// The HTTP status.
    pub code: u16,
    pub description: String,
}

#[cfg(test)]
mod tests {
    use serde::de::DeserializeOwned;

    use super::*;

    /// A published example, read as this module's document: a field the specification has and
    /// the document lacks would be refused (`deny_unknown_fields`), a field the document
    /// requires and the specification lacks would be missing.
    fn example<T: DeserializeOwned>(xml: &str) -> T {
        quick_xml::de::from_str(xml).unwrap()
    }

    #[test]
    fn the_specifications_examples_read_as_these_documents() {
        let discovery: Discovery = example(include_str!("../../tests/open311/discovery.xml"));
        assert_eq!(discovery.endpoints.endpoint.len(), 3);
        assert_eq!(discovery.endpoints.endpoint[1].formats.format.len(), 2);
        let services: Services = example(include_str!("../../tests/open311/services.xml"));
        assert_eq!(services.service[0].service_code, "001");
        assert_eq!(services.service[2].group.as_deref(), Some("street"));
        let definition: ServiceDefinition =
            example(include_str!("../../tests/open311/service_definition.xml"));
        let attribute = &definition.attributes.attribute[0];
        assert_eq!(attribute.datatype, "singlevaluelist");
        assert_eq!(attribute.values.value[1].name, "Chrysler");
        let created: ServiceRequests<Created> =
            example(include_str!("../../tests/open311/post_requests.xml"));
        assert_eq!(created.request[0].service_request_id, "293944");
        let token: ServiceRequests<Token> = example(include_str!("../../tests/open311/tokens.xml"));
        assert_eq!(token.request[0].token, "12345");
        let requests: ServiceRequests<Request> =
            example(include_str!("../../tests/open311/requests.xml"));
        assert_eq!(requests.request.len(), 2);
        assert_eq!(requests.request[0].status, "closed");
        assert!((requests.request[0].long + 122.465_114_5).abs() < 1e-9);
        let errors: Errors = example(include_str!("../../tests/open311/errors.xml"));
        assert_eq!(errors.error[0].code, 403);
        let updates: Updates = example(include_str!(
            "../../tests/open311/servicerequestupdates.xml"
        ));
        assert_eq!(
            updates.request_update[0].description.as_deref(),
            Some("This is a note")
        );
    }

    #[test]
    fn a_foreign_field_is_refused() {
        let foreign = "<errors><error><code>400</code><description>x</description>\
                       <severity>high</severity></error></errors>";
        assert!(quick_xml::de::from_str::<Errors>(foreign).is_err());
    }
}
