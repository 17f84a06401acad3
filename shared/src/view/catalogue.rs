//! The town's categories as a shell shows them, with their extra questions, in the user's
//! language.

use relais_protocol::{Question, QuestionKind};
use serde::Serialize;

use crate::{i18n::Lang, model::Model};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, uniffi::Record)]
pub struct CategoryView {
    pub code: String,
    pub name: String,
    pub group: String,
    pub group_name: String,
    pub service: String,
    /// The town's published response time, in days.
    pub response_days: Option<u32>,
    /// Extra questions asked when reporting in this category.
    pub questions: Vec<QuestionView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, uniffi::Record)]
pub struct QuestionView {
    pub code: String,
    pub label: String,
    /// `text`, `number`, `single_choice` or `multi_choice`.
    pub kind: String,
    pub required: bool,
    pub options: Vec<ChoiceView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, uniffi::Record)]
pub struct ChoiceView {
    pub code: String,
    pub label: String,
}

impl QuestionView {
    fn new(question: &Question, lang: Lang) -> Self {
        let (kind, options) = match &question.kind {
            QuestionKind::Text => ("text", &[][..]),
            QuestionKind::Number { .. } => ("number", &[][..]),
            QuestionKind::SingleChoice { options } => ("single_choice", &options[..]),
            QuestionKind::MultiChoice { options } => ("multi_choice", &options[..]),
        };
        Self {
            code: question.code.clone(),
            label: lang.pick(&question.label).to_owned(),
            kind: kind.into(),
            required: question.required,
            options: options
                .iter()
                .map(|o| ChoiceView {
                    code: o.code.clone(),
                    label: lang.pick(&o.label).to_owned(),
                })
                .collect(),
        }
    }
}

pub(crate) fn categories(model: &Model, lang: Lang) -> Vec<CategoryView> {
    model.catalogue.as_ref().map_or_else(Vec::new, |c| {
        c.categories
            .iter()
            .map(|cat| CategoryView {
                code: cat.code.clone(),
                name: lang.pick(&cat.name).to_owned(),
                group: cat.group.clone(),
                group_name: c
                    .groups
                    .iter()
                    .find(|g| g.code == cat.group)
                    .map_or_else(String::new, |g| lang.pick(&g.name).to_owned()),
                service: lang.pick(&cat.service).to_owned(),
                response_days: cat.response_days,
                questions: cat
                    .questions
                    .iter()
                    .map(|q| QuestionView::new(q, lang))
                    .collect(),
            })
            .collect()
    })
}
