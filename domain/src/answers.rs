//! Answers to a category's extra questions: each names a question of the category and fits its
//! kind, and every required question is answered.

use std::collections::BTreeMap;

use relais_protocol::{Answer, Question};

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
        if !question.accepts(answer) {
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
                kind: QuestionKind::Number,
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
}
