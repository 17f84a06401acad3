//! Answers to a category's extra questions: each names a question of the category and fits its
//! kind (a visible text, a number in range, offered choices), and every required question is
//! answered.

use std::collections::BTreeMap;

use relais_protocol::{Answer, Question, QuestionKind, mutation::MAX_TEXT_CHARS};

use crate::{ranges, text};

/// Why a set of answers is refused.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AnswerProblem<'q> {
    /// An answer names no question of the category.
    UnknownQuestion,
    /// An answer is not of the kind its question asks, or names a choice it does not offer.
    Invalid(&'q Question),
    /// A required question is not answered.
    Missing(&'q Question),
}

/// Checks `answers` against the category's `questions`. Unknown questions are reported first,
/// then invalid answers (in question-code order), then missing ones (in the category's order).
pub fn check<'q>(
    questions: &'q [Question],
    answers: &BTreeMap<String, Answer>,
) -> Result<(), (String, AnswerProblem<'q>)> {
    for (code, answer) in answers {
        let Some(question) = questions.iter().find(|q| q.code == *code) else {
            return Err((code.clone(), AnswerProblem::UnknownQuestion));
        };
        if !fits(question, answer) {
            return Err((code.clone(), AnswerProblem::Invalid(question)));
        }
    }
    match questions
        .iter()
        .find(|q| q.required && !answers.contains_key(&q.code))
    {
        Some(question) => Err((question.code.clone(), AnswerProblem::Missing(question))),
        None => Ok(()),
    }
}

/// Whether `answer` is of its question's kind: a text [`text::clean`] accepts, a number
/// [`ranges::is_number`] accepts (whole for a count), offered choices only.
fn fits(question: &Question, answer: &Answer) -> bool {
    match (&question.kind, answer) {
        (QuestionKind::Text, Answer::Text(t)) => text::clean(t, MAX_TEXT_CHARS).is_ok(),
        (QuestionKind::Number { integer }, Answer::Number(n)) => ranges::is_number(*n, *integer),
        (QuestionKind::SingleChoice { options }, Answer::Choice(c)) => {
            options.iter().any(|o| &o.code == c)
        }
        (QuestionKind::MultiChoice { options }, Answer::Choices(cs)) => {
            !cs.is_empty() && cs.iter().all(|c| options.iter().any(|o| &o.code == c))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use relais_protocol::{Choice, LocalizedText, QuestionKind};

    use super::*;

    fn questions() -> Vec<Question> {
        vec![
            Question {
                code: "size".into(),
                label: LocalizedText::new("Taille", "Size"),
                kind: QuestionKind::SingleChoice {
                    options: vec![Choice {
                        code: "small".into(),
                        label: LocalizedText::new("Petit", "Small"),
                    }],
                },
                required: true,
            },
            Question {
                code: "count".into(),
                label: LocalizedText::new("Nombre", "Count"),
                kind: QuestionKind::Number { integer: true },
                required: false,
            },
        ]
    }

    fn answers(pairs: &[(&str, Answer)]) -> BTreeMap<String, Answer> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    fn problem(result: Result<(), (String, AnswerProblem<'_>)>) -> Option<(String, &'static str)> {
        result.err().map(|(code, problem)| {
            let kind = match problem {
                AnswerProblem::UnknownQuestion => "unknown",
                AnswerProblem::Invalid(_) => "invalid",
                AnswerProblem::Missing(_) => "missing",
            };
            (code, kind)
        })
    }

    #[test]
    fn answers_are_checked_against_the_questions() {
        let q = questions();
        let small = ("size", Answer::Choice("small".into()));
        assert_eq!(
            problem(check(&q, &answers(std::slice::from_ref(&small)))),
            None
        );
        assert_eq!(
            problem(check(&q, &answers(&[]))),
            Some(("size".into(), "missing"))
        );
        assert_eq!(
            problem(check(
                &q,
                &answers(&[("size", Answer::Choice("huge".into()))])
            )),
            Some(("size".into(), "invalid"))
        );
        assert_eq!(
            problem(check(
                &q,
                &answers(&[small.clone(), ("count", Answer::Text("two".into()))])
            )),
            Some(("count".into(), "invalid"))
        );
        assert_eq!(
            problem(check(
                &q,
                &answers(&[small, ("colour", Answer::Text("red".into()))])
            )),
            Some(("colour".into(), "unknown"))
        );
    }

    #[test]
    fn a_count_is_a_whole_non_negative_number() {
        let q = questions();
        let small = ("size", Answer::Choice("small".into()));
        for (n, ok) in [
            (3.0, true),
            (0.0, true),
            (-1.0, false),
            (2.5, false),
            (1e308, false),
            (f64::NAN, false),
        ] {
            let result = check(&q, &answers(&[small.clone(), ("count", Answer::Number(n))]));
            assert_eq!(problem(result).is_none(), ok, "{n}");
        }
    }

    #[test]
    fn a_text_answer_is_a_clean_text() {
        let q = vec![Question {
            code: "what".into(),
            label: LocalizedText::new("Quoi", "What"),
            kind: QuestionKind::Text,
            required: true,
        }];
        let with = |t: &str| check(&q, &answers(&[("what", Answer::Text(t.into()))]));
        assert_eq!(problem(with("un vélo")), None);
        for bad in ["  ", "\u{200B}", "\u{1b}[31m", "a\u{202E}b"] {
            assert_eq!(
                problem(with(bad)),
                Some(("what".into(), "invalid")),
                "{bad:?}"
            );
        }
    }
}
