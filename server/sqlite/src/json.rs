//! JSON columns (photos, answers, questions, stored rejections), read and written as every
//! backend does (`relais_server_database::stored`).

pub(crate) use relais_server_database::stored::{parse, to_json};
