//! The town's written replies: which draft applies to a report (the category's, else its
//! group's, else the town's), and filling in its placeholders. The server writes the draft when
//! staff send no text of their own; an agent's phone shows the same draft offline.

use relais_protocol::{LocalizedText, ReplyKind, ReplyTemplate};

/// What the placeholders of a draft stand for, in both languages.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReplyValues {
    pub category: Option<LocalizedText>,
    pub service: Option<LocalizedText>,
    pub response_days: Option<u32>,
    /// The planned date, already written out.
    pub date: Option<LocalizedText>,
    pub reason: Option<LocalizedText>,
    /// The reference of the original report.
    pub original: Option<String>,
}

/// The most specific draft of `kind` for a report of `category` in `group`.
pub fn template<'t>(
    templates: &'t [ReplyTemplate],
    kind: ReplyKind,
    category: &str,
    group: &str,
) -> Option<&'t ReplyTemplate> {
    let of_kind = || templates.iter().filter(move |t| t.kind == kind);
    of_kind()
        .find(|t| t.category.as_deref() == Some(category))
        .or_else(|| of_kind().find(|t| t.category.is_none() && t.group.as_deref() == Some(group)))
        .or_else(|| of_kind().find(|t| t.category.is_none() && t.group.is_none()))
}

/// The draft with its placeholders filled in; a placeholder without a value is left as is, so
/// that staff see what to complete.
pub fn fill(template: &ReplyTemplate, values: &ReplyValues) -> LocalizedText {
    let fill_one = |text: &str, lang: fn(&LocalizedText) -> &str| {
        let mut out = text.to_owned();
        let mut put = |key: &str, value: Option<&str>| {
            if let Some(value) = value {
                out = out.replace(key, value);
            }
        };
        put("{category}", values.category.as_ref().map(lang));
        put("{service}", values.service.as_ref().map(lang));
        put("{date}", values.date.as_ref().map(lang));
        put("{reason}", values.reason.as_ref().map(lang));
        put("{original}", values.original.as_deref());
        put(
            "{response_days}",
            values.response_days.map(|d| d.to_string()).as_deref(),
        );
        out
    };
    LocalizedText::new(
        fill_one(&template.text.fr, |t| &t.fr),
        fill_one(&template.text.en, |t| &t.en),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(
        kind: ReplyKind,
        group: Option<&str>,
        category: Option<&str>,
        fr: &str,
    ) -> ReplyTemplate {
        ReplyTemplate {
            kind,
            group: group.map(Into::into),
            category: category.map(Into::into),
            text: LocalizedText::new(fr, format!("{fr} (en)")),
        }
    }

    #[test]
    fn the_category_draft_beats_the_group_draft_which_beats_the_town_draft() {
        let templates = vec![
            draft(ReplyKind::Resolved, None, None, "town"),
            draft(ReplyKind::Resolved, Some("items"), None, "group"),
            draft(ReplyKind::Resolved, None, Some("mattress"), "category"),
            draft(ReplyKind::Acknowledged, None, None, "ack"),
        ];
        let pick = |category, group| {
            template(&templates, ReplyKind::Resolved, category, group).map(|t| t.text.fr.as_str())
        };
        assert_eq!(pick("mattress", "items"), Some("category"));
        assert_eq!(pick("sofa", "items"), Some("group"));
        assert_eq!(pick("pothole", "roads"), Some("town"));
        assert!(template(&templates, ReplyKind::Rejected, "sofa", "items").is_none());
    }

    #[test]
    fn placeholders_are_filled_in_each_language() {
        let t = ReplyTemplate {
            kind: ReplyKind::Rejected,
            group: None,
            category: None,
            text: LocalizedText::new(
                "Votre signalement « {category} » : {reason}. {service}, sous {response_days} jours. {date}",
                "Your report \"{category}\": {reason}. {service}, within {response_days} days. {date}",
            ),
        };
        let values = ReplyValues {
            category: Some(LocalizedText::new("Encombrant", "Bulky item")),
            service: Some(LocalizedText::new("Propreté", "Cleaning")),
            response_days: Some(3),
            reason: Some(LocalizedText::new("Domaine privé", "Private property")),
            ..ReplyValues::default()
        };
        let text = fill(&t, &values);
        assert_eq!(
            text.fr,
            "Votre signalement « Encombrant » : Domaine privé. Propreté, sous 3 jours. {date}"
        );
        assert_eq!(
            text.en,
            "Your report \"Bulky item\": Private property. Cleaning, within 3 days. {date}"
        );
    }
}
